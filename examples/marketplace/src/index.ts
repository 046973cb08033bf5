export { memoryBadgeStore, mongoBadgeStore, badgeHandlers, type BadgeStore } from './badge-store.js';
export { renderBadges, sameBadge, splitStateKey, updateForCurrentGrade, updateForEvent, type Badge, type BadgeUpdate } from './badge-table.js';
export { startMarketplace, type MarketplaceOptions, type RunningMarketplace } from './marketplace.js';

export { brandValuationService } from './brand-valuation-service.js';

import type { Logger } from '@pinzhi/platform';
import { createGradeSubscriber, type GradeSubscriberOptions, type ProcessedEvents, type SigningKeySource } from '@pinzhi/subscriber';
import { badgeHandlers, type BadgeStore } from './badge-store.js';
import { renderBadges } from './badge-table.js';

export interface MarketplaceOptions {
  brokers: readonly string[];
  groupId: string;
  signingKeys: SigningKeySource;
  store: BadgeStore;
  logger: Logger;
  topics?: GradeSubscriberOptions['topics'];
  dedupe?: ProcessedEvents;
  /** Gets the rendered table after the bootstrap and after every change. Default: stdout. */
  print?: (table: string) => void;
}

export interface RunningMarketplace {
  stop(): Promise<void>;
}

/** Loads the current badges from the grade snapshot, prints them, then keeps them up to date. */
export async function startMarketplace(options: MarketplaceOptions): Promise<RunningMarketplace> {
  const print = options.print ?? ((table: string) => console.log(`\n${table}\n`));
  const printTable = async () => print(renderBadges(await options.store.list()));
  // The bootstrap changes the table once per product: print it once at the end instead.
  const quiet = badgeHandlers(options.store);
  const loud = badgeHandlers(options.store, printTable);
  const subscriber = createGradeSubscriber({
    brokers: options.brokers,
    groupId: options.groupId,
    signingKeys: options.signingKeys,
    logger: options.logger,
    ...(options.topics ? { topics: options.topics } : {}),
    ...(options.dedupe ? { dedupe: options.dedupe } : {}),
    onCurrentGrade: quiet.onCurrentGrade,
    onGrade: loud.onGrade,
  });
  await subscriber.start();
  await printTable();
  return { stop: () => subscriber.stop() };
}

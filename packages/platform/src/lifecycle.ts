import { ConfigError } from './errors.js';
import type { Logger } from './log.js';

export interface ShutdownStep {
  name: string;
  run(): Promise<void> | void;
}

/**
 * Ordered shutdown on SIGTERM/SIGINT (STYLE.md habit 10): the caller lists the steps in
 * order — health NOT_SERVING, stop taking requests and drain, stop consumers and the relay,
 * disconnect Kafka, close MongoDB. Each step runs even if an earlier one failed.
 */
export function shutdownOnSignals(logger: Logger, steps: readonly ShutdownStep[]): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    let failed = false;
    for (const step of steps) {
      try {
        await step.run();
        logger.debug({ step: step.name }, 'shutdown step done');
      } catch (error) {
        failed = true;
        logger.error({ err: error, step: step.name }, 'shutdown step failed');
      }
    }
    logger.info('stopped');
    process.exit(failed ? 1 : 0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

/**
 * Runs a service's main. A ConfigError (bad setting, unreachable server) ends the process
 * with exit code 78 (EX_CONFIG) and a message naming the setting; anything else with 1.
 */
export function runMain(main: () => Promise<void>, logger?: Logger): void {
  main().catch((error: unknown) => {
    if (error instanceof ConfigError) {
      console.error(`[pinzhi] cannot start: ${error.message}`);
      process.exit(78);
    }
    if (logger) logger.fatal({ err: error }, 'failed to start');
    else console.error('[pinzhi] failed to start:', error);
    process.exit(1);
  });
}

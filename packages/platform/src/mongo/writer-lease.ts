import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Db } from 'mongodb';
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';
import { isDuplicateKeyError, mongoBackendOf } from './mongo.js';

export const SERVICE_LEASES = 'service_leases';

interface LeaseDocument {
  _id: string;
  holder: string;
  host: string;
  pid: number;
  renewedAt: Date;
}

export interface WriterLeaseOptions {
  logger: Logger;
  /** A lease not renewed for this long belongs to a dead instance and may be taken over. */
  ttlMs?: number;
  renewMs?: number;
  /** Called when another instance took the lease over (this one stalled past the TTL). */
  onLost: () => void;
}

export interface WriterLease {
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One writing instance per service on FerretDB. pinzhi's version checks hold only within a
 * process there (FerretDB updates are "query, then write back"), so a second instance of a
 * service would silently lose updates. Each service therefore holds a lease document at boot,
 * renewed while it runs; a second instance finds a live lease and stops with a message that
 * says why, instead of corrupting data. A lease whose holder stopped renewing (or, on the same
 * host, whose process is gone) is taken over. On MongoDB the conditional updates are atomic,
 * no lease is taken, and instances scale out freely.
 */
export async function acquireWriterLease(db: Db, service: string, options: WriterLeaseOptions): Promise<WriterLease> {
  if ((await mongoBackendOf(db)) === 'mongodb') return { release: async () => undefined };
  const ttlMs = options.ttlMs ?? 15_000;
  const leases = db.collection<LeaseDocument>(SERVICE_LEASES);
  const mine: LeaseDocument = { _id: service, holder: randomUUID(), host: hostname(), pid: process.pid, renewedAt: new Date() };

  for (let attempt = 0; ; attempt++) {
    try {
      await leases.insertOne({ ...mine, renewedAt: new Date() });
      break;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    const held = await leases.findOne({ _id: service });
    if (!held) continue;
    const stale = Date.now() - held.renewedAt.getTime() > ttlMs || (held.host === mine.host && !alive(held.pid));
    if (!stale || attempt >= 3) {
      const age = Math.round((Date.now() - held.renewedAt.getTime()) / 1000);
      throw new ConfigError(
        ['MONGO_URL'],
        `MONGO_URL: another ${service} instance (pid ${held.pid} on ${held.host}, lease renewed ${age} s ago) writes to this FerretDB database. ` +
          `FerretDB updates are not atomic, so pinzhi runs one instance per service on it; stop the other one, or use MongoDB to run several.`,
      );
    }
    // Only the lease as we read it is removed; if two instances race for it, one insert wins.
    await leases.deleteOne({ _id: service, holder: held.holder });
    options.logger.warn({ service, previous: `${held.host}:${held.pid}` }, 'took over the writer lease of an instance that is gone');
  }

  const timer = setInterval(
    () => {
      leases
        .updateOne({ _id: service, holder: mine.holder }, { $set: { renewedAt: new Date() } })
        .then((result) => {
          if (result.matchedCount === 0) {
            clearInterval(timer);
            options.logger.error({ service }, 'the writer lease was taken over by another instance; stopping');
            options.onLost();
          }
        })
        .catch((error: unknown) => options.logger.warn({ err: error }, 'writer lease renewal failed; retrying'));
    },
    options.renewMs ?? Math.round(ttlMs / 3),
  );
  timer.unref();

  return {
    async release() {
      clearInterval(timer);
      await leases.deleteOne({ _id: service, holder: mine.holder });
    },
  };
}

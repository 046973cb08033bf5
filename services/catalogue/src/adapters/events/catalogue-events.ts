import { catalogueStreams } from '@pinzhi/events';
import type { NewOutboxEntry } from '@pinzhi/platform';
import type { CatalogueEvent } from '../../app/catalogue-store.js';
import { resourceName, type ResourceKind } from '../../domain/resource-names.js';
import {
  brandToMessage,
  certificationBodyToMessage,
  enterpriseToMessage,
  productionLineToMessage,
  productToMessage,
  standardToMessage,
} from '../proto/catalogue-mapping.js';

/** The resource message each aggregate's events carry, under the field named like the kind. */
const toMessage: { [K in ResourceKind]: (record: Extract<CatalogueEvent, { kind: K }>['record']) => unknown } = {
  enterprise: enterpriseToMessage,
  brand: brandToMessage,
  product: productToMessage,
  productionLine: productionLineToMessage,
  standard: standardToMessage,
  certificationBody: certificationBodyToMessage,
};

/** Encodes a catalogue change as the protobuf event message of its type. */
export function encodeCatalogueEvent(event: CatalogueEvent): NewOutboxEntry {
  const stream = catalogueStreams[event.kind];
  // Every catalogue event message is { <kind>, changedFields?, supersededBy? }; a codec writes
  // only the fields its message has.
  const payload = {
    [event.kind]: (toMessage[event.kind] as (record: CatalogueEvent['record']) => unknown)(event.record),
    changedFields: event.changedFields ?? [],
    supersededBy: event.supersededBy ?? '',
  };
  const encode = stream.event as (verb: string, payload: unknown, at: { key: string; subject?: string }) => NewOutboxEntry;
  if (stream.verbOf(stream.types[event.verb as keyof typeof stream.types] ?? '') === undefined) {
    throw new Error(`catalogue ${event.kind} has no ${event.verb} event`);
  }
  return encode(event.verb, payload, { key: event.record._id, subject: resourceName(event.kind, event.record._id) });
}

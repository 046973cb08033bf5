import { catalogueEventTopics, catalogueEventType } from '@pinzhi/catalogue-reader';
import * as events from '@pinzhi/contracts/pinzhi/catalogue/v1/events';
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
} from '../grpc/catalogue-mapping.js';

export const CATALOGUE_SOURCE = '/pinzhi/catalogue';

/** One topic per aggregate stream (DESIGN.md), keyed by the aggregate id. */
export const catalogueTopics: Record<ResourceKind, string> = catalogueEventTopics;

/** Encodes a catalogue change as the protobuf event message of its type. */
export function encodeCatalogueEvent(event: CatalogueEvent): NewOutboxEntry {
  const changedFields = event.changedFields ?? [];
  let data: Uint8Array;
  switch (event.kind) {
    case 'enterprise': {
      const enterprise = enterpriseToMessage(event.record);
      data = event.verb === 'registered'
        ? events.EnterpriseRegistered.encode({ enterprise }).finish()
        : events.EnterpriseUpdated.encode({ enterprise, changedFields }).finish();
      break;
    }
    case 'brand': {
      const brand = brandToMessage(event.record);
      data = event.verb === 'registered'
        ? events.BrandRegistered.encode({ brand }).finish()
        : events.BrandUpdated.encode({ brand, changedFields }).finish();
      break;
    }
    case 'product': {
      const product = productToMessage(event.record);
      data = event.verb === 'registered'
        ? events.ProductRegistered.encode({ product }).finish()
        : event.verb === 'withdrawn'
          ? events.ProductWithdrawn.encode({ product }).finish()
          : events.ProductUpdated.encode({ product, changedFields }).finish();
      break;
    }
    case 'productionLine': {
      const productionLine = productionLineToMessage(event.record);
      data = event.verb === 'registered'
        ? events.ProductionLineRegistered.encode({ productionLine }).finish()
        : events.ProductionLineUpdated.encode({ productionLine, changedFields }).finish();
      break;
    }
    case 'standard': {
      const standard = standardToMessage(event.record);
      data = event.verb === 'published'
        ? events.StandardPublished.encode({ standard }).finish()
        : event.verb === 'superseded'
          ? events.StandardSuperseded.encode({ standard, supersededBy: event.supersededBy ?? '' }).finish()
          : events.StandardUpdated.encode({ standard, changedFields }).finish();
      break;
    }
    case 'certificationBody': {
      const certificationBody = certificationBodyToMessage(event.record);
      data = event.verb === 'registered'
        ? events.CertificationBodyRegistered.encode({ certificationBody }).finish()
        : events.CertificationBodyUpdated.encode({ certificationBody, changedFields }).finish();
      break;
    }
  }
  return {
    topic: catalogueTopics[event.kind],
    key: event.record._id,
    source: CATALOGUE_SOURCE,
    type: catalogueEventType(event.kind, event.verb),
    subject: resourceName(event.kind, event.record._id),
    data,
  };
}

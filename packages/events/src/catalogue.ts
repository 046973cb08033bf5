import * as events from '@pinzhi/contracts/pinzhi/catalogue/v1/events';
import { defineStream, type MessageCodec } from './stream.js';

const CATALOGUE_SOURCE = '/pinzhi/catalogue';

/** One topic per catalogue aggregate, keyed by the aggregate id; `pinzhi.catalogue.product.registered.v1`. */
function catalogueStream<M extends Record<string, MessageCodec<any>>>(aggregate: string, plural: string, messages: M) {
  return defineStream({
    topic: `pinzhi.catalogue.${plural}.v1`,
    source: CATALOGUE_SOURCE,
    messages,
    typeOf: (verb) => `pinzhi.catalogue.${aggregate}.${verb}.v1`,
  });
}

export const catalogueStreams = {
  enterprise: catalogueStream('enterprise', 'enterprises', {
    registered: events.EnterpriseRegistered,
    updated: events.EnterpriseUpdated,
  }),
  brand: catalogueStream('brand', 'brands', { registered: events.BrandRegistered, updated: events.BrandUpdated }),
  product: catalogueStream('product', 'products', {
    registered: events.ProductRegistered,
    updated: events.ProductUpdated,
    withdrawn: events.ProductWithdrawn,
  }),
  productionLine: catalogueStream('production-line', 'production-lines', {
    registered: events.ProductionLineRegistered,
    updated: events.ProductionLineUpdated,
  }),
  standard: catalogueStream('standard', 'standards', {
    published: events.StandardPublished,
    updated: events.StandardUpdated,
    superseded: events.StandardSuperseded,
  }),
  certificationBody: catalogueStream('certification-body', 'certification-bodies', {
    registered: events.CertificationBodyRegistered,
    updated: events.CertificationBodyUpdated,
  }),
} as const;

export type CatalogueAggregate = keyof typeof catalogueStreams;

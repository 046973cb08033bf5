/**
 * Where the catalogue announces its changes (DESIGN.md: one topic per aggregate stream, keyed
 * by the aggregate id). The catalogue service publishes to these; other services subscribe.
 */
export const catalogueEventTopics = {
  enterprise: 'pinzhi.catalogue.enterprises.v1',
  brand: 'pinzhi.catalogue.brands.v1',
  product: 'pinzhi.catalogue.products.v1',
  productionLine: 'pinzhi.catalogue.production-lines.v1',
  standard: 'pinzhi.catalogue.standards.v1',
  certificationBody: 'pinzhi.catalogue.certification-bodies.v1',
} as const;

const aggregateNames = {
  enterprise: 'enterprise',
  brand: 'brand',
  product: 'product',
  productionLine: 'production-line',
  standard: 'standard',
  certificationBody: 'certification-body',
} as const;

/** `pinzhi.catalogue.product.registered.v1` */
export const catalogueEventType = (kind: keyof typeof aggregateNames, verb: string) => `pinzhi.catalogue.${aggregateNames[kind]}.${verb}.v1`;

import { formatResourceName, parseResourceName as parseName, type Result } from '@pinzhi/catalogue-reader/model';

/** AIP-122 collection ids of the catalogue's resources. */
export const collectionIds = {
  enterprise: 'enterprises',
  brand: 'brands',
  product: 'products',
  productionLine: 'productionLines',
  standard: 'standards',
  certificationBody: 'certificationBodies',
} as const;

export type ResourceKind = keyof typeof collectionIds;

// Typed by kind so catalogue code cannot name a collection it does not have; the encoding
// rules are the shared model's, so every service reads these names the same way.

/** `products/06934567801012`, `standards/GB%2FT%2014272-2021`. */
export function resourceName(kind: ResourceKind, id: string): string {
  return formatResourceName(collectionIds[kind], id);
}

/** The id inside a resource name of the given kind, or a violation naming the field. */
export function parseResourceName(kind: ResourceKind, name: string, field: string): Result<string> {
  return parseName(collectionIds[kind], name, field);
}

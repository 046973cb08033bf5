import { violation, type Result } from '@pinzhi/catalogue-reader';

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

/**
 * `products/06934567801012`. Ids are URL-encoded, since standard numbers hold `/`, spaces
 * and colons: `standards/GB%2FT%2014272-2021`.
 */
export function resourceName(kind: ResourceKind, id: string): string {
  return `${collectionIds[kind]}/${encodeURIComponent(id)}`;
}

/** The id inside a resource name of the given kind, or a violation naming the field. */
export function parseResourceName(kind: ResourceKind, name: string, field: string): Result<string> {
  const prefix = `${collectionIds[kind]}/`;
  let id: string | undefined;
  if (name.startsWith(prefix)) {
    try {
      id = decodeURIComponent(name.slice(prefix.length));
    } catch {
      id = undefined;
    }
  }
  if (!id) {
    return {
      ok: false,
      violations: [violation(field, 'INVALID_RESOURCE_NAME', `expected a resource name like '${prefix}{id}', got '${name}'`)],
    };
  }
  return { ok: true, value: id };
}

/**
 * Hostile callers and hostile input against the catalogue (the kit: probe-kit.ts). Updates aim
 * at a seeded resource with the field in their mask, so the value gets past the name.
 */
import { catalogueService } from '@pinzhi/catalogue';
import { bearer } from '../support/harness.js';
import { seededService, securitySuite, type Allowed } from './probe-kit.js';

const owners = ['enterprise', 'admin'] as const;
const admins = ['admin'] as const;

/** Who may call what: the catalogue's role matrix, stated independently of its handlers. */
const matrix: Record<string, Allowed> = {
  CreateEnterprise: owners,
  GetEnterprise: 'authenticated',
  ListEnterprises: 'authenticated',
  UpdateEnterprise: owners,
  CreateBrand: owners,
  GetBrand: 'authenticated',
  ListBrands: 'authenticated',
  UpdateBrand: owners,
  CreateProduct: owners,
  GetProduct: 'authenticated',
  ListProducts: 'authenticated',
  UpdateProduct: owners,
  CreateProductionLine: owners,
  GetProductionLine: 'authenticated',
  ListProductionLines: 'authenticated',
  UpdateProductionLine: owners,
  CreateStandard: admins,
  GetStandard: 'authenticated',
  ListStandards: 'authenticated',
  UpdateStandard: admins,
  CreateCertificationBody: admins,
  GetCertificationBody: 'authenticated',
  ListCertificationBodies: 'authenticated',
  UpdateCertificationBody: admins,
  ListCategories: 'authenticated',
};

/** The resource an Update method changes, and the listing that names a seeded one. */
const updates: Record<string, [resource: string, list: string, items: string]> = {
  UpdateEnterprise: ['enterprise', 'ListEnterprises', 'enterprises'],
  UpdateBrand: ['brand', 'ListBrands', 'brands'],
  UpdateProduct: ['product', 'ListProducts', 'products'],
  UpdateProductionLine: ['production_line', 'ListProductionLines', 'production_lines'],
  UpdateStandard: ['standard', 'ListStandards', 'standards'],
  UpdateCertificationBody: ['certification_body', 'ListCertificationBodies', 'certification_bodies'],
};
const seeded = new Map<string, string>();

securitySuite({
  key: 'catalogue',
  service: 'pinzhi.catalogue.v1.CatalogueService',
  matrix,
  start: () => seededService(catalogueService),
  async baseFor(method, target, call) {
    const update = updates[method];
    if (!update) return {};
    const [resource, list, items] = update;
    if (!seeded.has(resource)) {
      const response = (await call(list, { page_size: 1 }, await bearer('admin', 'pinzhi'))) as Record<string, Array<{ name: string }>>;
      seeded.set(resource, response[items]![0]!.name);
    }
    if (target.path[0] === resource && target.path[1] !== 'name')
      return { [resource]: { name: seeded.get(resource) }, update_mask: { paths: [target.path[1]] } };
    if (target.path[0] === 'update_mask') return { [resource]: { name: seeded.get(resource) } };
    return {};
  },
});

import { PRODUCT_CATEGORIES, TARGET_GROUPS, type Stored } from '@pinzhi/catalogue-reader';
import { CatalogueServiceService } from '@pinzhi/contracts/pinzhi/catalogue/v1/catalogue_service';
import { InvalidArgumentError, type ServiceHandlers } from '@pinzhi/platform';
import type { RecordFilter, RecordOf } from '../../app/catalogue-store.js';
import type { CatalogueUseCases, ListRequest } from '../../app/catalogue-use-cases.js';
import { parseResourceName, type ResourceKind } from '../../domain/resource-names.js';
import { snakeCase } from '../../domain/update-mask.js';
import {
  brandFromMessage,
  brandToMessage,
  certificationBodyFromMessage,
  certificationBodyToMessage,
  enterpriseFromMessage,
  enterpriseToMessage,
  filterWord,
  productFromMessage,
  productionLineFromMessage,
  productionLineToMessage,
  productToMessage,
  standardFromMessage,
  standardToMessage,
  Translation,
} from '../proto/catalogue-mapping.js';

const owners = { roles: ['enterprise', 'admin'] } as const;
const admins = { roles: ['admin'] } as const;

function idOf(kind: ResourceKind, name: string, field = 'name'): string {
  const parsed = parseResourceName(kind, name, field);
  if (!parsed.ok) throw new InvalidArgumentError(`invalid ${field}`, parsed.violations);
  return parsed.value;
}

/** A client-chosen id, or a fresh one. */
function newId(requested: string, prefix: string): string {
  return requested !== '' ? requested : `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}

/** For an update only the masked fields must translate; the rest of the message is ignored. */
function translatedFor(t: Translation, mask: readonly string[], resource: string): void {
  const paths = new Set(mask.map(snakeCase));
  const relevant = t.violations.filter((v) => paths.has(v.field.slice(resource.length + 1).split(/[.[]/)[0]!));
  t.violations.splice(0, t.violations.length, ...relevant);
  t.done(resource.replace(/_/g, ' '));
}

function reference(kind: ResourceKind, name: string, field: string): string | undefined {
  return name === '' ? undefined : idOf(kind, name, field);
}

function list<K extends ResourceKind>(
  useCases: CatalogueUseCases,
  kind: K,
  request: { pageSize: number; pageToken: string },
  filter: RecordFilter,
): Promise<{ items: Stored<RecordOf[K]>[]; nextPageToken: string }> {
  const listRequest: ListRequest = { pageSize: request.pageSize, pageToken: request.pageToken, filter };
  return useCases.list(kind, listRequest);
}

/** gRPC adapter of the catalogue: request → records → use case → response, nothing more. */
export function catalogueHandlers(useCases: CatalogueUseCases): ServiceHandlers<typeof CatalogueServiceService> {
  return {
    // --- enterprises ---
    createEnterprise: {
      access: owners,
      async handle(request, ctx) {
        const t = new Translation();
        const record = enterpriseFromMessage(request.enterprise, t);
        t.done('enterprise');
        const stored = await useCases.createEnterprise(ctx.caller, record, request.creditCodeCheckOverrideReason.trim());
        return { enterprise: enterpriseToMessage(stored) };
      },
    },
    getEnterprise: {
      access: 'authenticated',
      async handle(request) {
        return { enterprise: enterpriseToMessage(await useCases.get('enterprise', idOf('enterprise', request.name))) };
      },
    },
    listEnterprises: {
      access: 'authenticated',
      async handle(request) {
        const page = await list(useCases, 'enterprise', request, {
          state: filterWord(request.state),
          ...(request.regionCode ? { areaCode: request.regionCode } : {}),
        });
        return { enterprises: page.items.map(enterpriseToMessage), nextPageToken: page.nextPageToken };
      },
    },
    updateEnterprise: {
      access: owners,
      async handle(request, ctx) {
        const id = idOf('enterprise', request.enterprise?.name ?? '', 'enterprise.name');
        const t = new Translation();
        const incoming = enterpriseFromMessage(request.enterprise, t);
        translatedFor(t, request.updateMask ?? [], 'enterprise');
        const stored = await useCases.updateEnterprise(ctx.caller, id, incoming, request.updateMask ?? []);
        return { enterprise: enterpriseToMessage(stored) };
      },
    },

    // --- brands ---
    createBrand: {
      access: owners,
      async handle(request, ctx) {
        const t = new Translation();
        const record = brandFromMessage(request.brand, newId(request.brandId, 'brand'), t);
        t.done('brand');
        return { brand: brandToMessage(await useCases.createBrand(ctx.caller, record)) };
      },
    },
    getBrand: {
      access: 'authenticated',
      async handle(request) {
        return { brand: brandToMessage(await useCases.get('brand', idOf('brand', request.name))) };
      },
    },
    listBrands: {
      access: 'authenticated',
      async handle(request) {
        const page = await list(useCases, 'brand', request, {
          ownerEnterpriseId: reference('enterprise', request.enterprise, 'enterprise'),
          categories: request.category || undefined,
          state: filterWord(request.state),
        });
        return { brands: page.items.map(brandToMessage), nextPageToken: page.nextPageToken };
      },
    },
    updateBrand: {
      access: owners,
      async handle(request, ctx) {
        const id = idOf('brand', request.brand?.name ?? '', 'brand.name');
        const t = new Translation();
        const incoming = brandFromMessage(request.brand, id, t);
        translatedFor(t, request.updateMask ?? [], 'brand');
        return { brand: brandToMessage(await useCases.updateBrand(ctx.caller, id, incoming, request.updateMask ?? [])) };
      },
    },

    // --- products ---
    createProduct: {
      access: owners,
      async handle(request, ctx) {
        const t = new Translation();
        const record = productFromMessage(request.product, t);
        t.done('product');
        return { product: productToMessage(await useCases.createProduct(ctx.caller, record)) };
      },
    },
    getProduct: {
      access: 'authenticated',
      async handle(request) {
        return { product: productToMessage(await useCases.get('product', idOf('product', request.name))) };
      },
    },
    listProducts: {
      access: 'authenticated',
      async handle(request) {
        const page = await list(useCases, 'product', request, {
          enterpriseId: reference('enterprise', request.enterprise, 'enterprise'),
          brandId: reference('brand', request.brand, 'brand'),
          category: request.category || undefined,
          state: filterWord(request.state),
          productionLineIds: reference('productionLine', request.productionLine, 'production_line'),
          market: filterWord(request.market),
        });
        return { products: page.items.map(productToMessage), nextPageToken: page.nextPageToken };
      },
    },
    updateProduct: {
      access: owners,
      async handle(request, ctx) {
        const id = idOf('product', request.product?.name ?? '', 'product.name');
        const t = new Translation();
        const incoming = productFromMessage(request.product, t);
        translatedFor(t, request.updateMask ?? [], 'product');
        return { product: productToMessage(await useCases.updateProduct(ctx.caller, id, incoming, request.updateMask ?? [])) };
      },
    },

    // --- production lines ---
    createProductionLine: {
      access: owners,
      async handle(request, ctx) {
        const t = new Translation();
        const record = productionLineFromMessage(request.productionLine, newId(request.lineId, 'line'), t);
        t.done('production line');
        return { productionLine: productionLineToMessage(await useCases.createProductionLine(ctx.caller, record)) };
      },
    },
    getProductionLine: {
      access: 'authenticated',
      async handle(request) {
        return {
          productionLine: productionLineToMessage(await useCases.get('productionLine', idOf('productionLine', request.name))),
        };
      },
    },
    listProductionLines: {
      access: 'authenticated',
      async handle(request) {
        const page = await list(useCases, 'productionLine', request, {
          enterpriseId: reference('enterprise', request.enterprise, 'enterprise'),
          categories: request.category || undefined,
          state: filterWord(request.state),
        });
        return { productionLines: page.items.map(productionLineToMessage), nextPageToken: page.nextPageToken };
      },
    },
    updateProductionLine: {
      access: owners,
      async handle(request, ctx) {
        const id = idOf('productionLine', request.productionLine?.name ?? '', 'production_line.name');
        const t = new Translation();
        const incoming = productionLineFromMessage(request.productionLine, id, t);
        translatedFor(t, request.updateMask ?? [], 'production_line');
        const stored = await useCases.updateProductionLine(ctx.caller, id, incoming, request.updateMask ?? []);
        return { productionLine: productionLineToMessage(stored) };
      },
    },

    // --- standards ---
    createStandard: {
      access: admins,
      async handle(request, ctx) {
        const t = new Translation();
        const record = standardFromMessage(request.standard, t);
        t.done('standard');
        return { standard: standardToMessage(await useCases.createStandard(ctx.caller, record)) };
      },
    },
    getStandard: {
      access: 'authenticated',
      async handle(request) {
        return { standard: standardToMessage(await useCases.get('standard', idOf('standard', request.name))) };
      },
    },
    listStandards: {
      access: 'authenticated',
      async handle(request) {
        const page = await list(useCases, 'standard', request, {
          categories: request.category || undefined,
          state: filterWord(request.state),
        });
        // The kind is derived from the code, so it filters the page rather than the query.
        const standards = page.items.map(standardToMessage).filter((s) => !request.kind || s.kind === request.kind);
        return { standards, nextPageToken: page.nextPageToken };
      },
    },
    updateStandard: {
      access: admins,
      async handle(request, ctx) {
        const id = idOf('standard', request.standard?.name ?? '', 'standard.name');
        const t = new Translation();
        const incoming = { ...standardFromMessage(request.standard, t), code: id };
        translatedFor(t, request.updateMask ?? [], 'standard');
        return { standard: standardToMessage(await useCases.updateStandard(ctx.caller, id, incoming, request.updateMask ?? [])) };
      },
    },

    // --- certification bodies ---
    createCertificationBody: {
      access: admins,
      async handle(request, ctx) {
        const t = new Translation();
        const record = certificationBodyFromMessage(request.certificationBody, t);
        t.done('certification body');
        return { certificationBody: certificationBodyToMessage(await useCases.createCertificationBody(ctx.caller, record)) };
      },
    },
    getCertificationBody: {
      access: 'authenticated',
      async handle(request) {
        const stored = await useCases.get('certificationBody', idOf('certificationBody', request.name));
        return { certificationBody: certificationBodyToMessage(stored) };
      },
    },
    listCertificationBodies: {
      access: 'authenticated',
      async handle(request) {
        const page = await list(useCases, 'certificationBody', request, {
          accreditedActivities: request.activity || undefined,
          accreditedCategories: request.category || undefined,
          state: filterWord(request.state),
        });
        return { certificationBodies: page.items.map(certificationBodyToMessage), nextPageToken: page.nextPageToken };
      },
    },
    updateCertificationBody: {
      access: admins,
      async handle(request, ctx) {
        const id = idOf('certificationBody', request.certificationBody?.name ?? '', 'certification_body.name');
        const t = new Translation();
        const incoming = { ...certificationBodyFromMessage(request.certificationBody, t), creditCode: id };
        translatedFor(t, request.updateMask ?? [], 'certification_body');
        const stored = await useCases.updateCertificationBody(ctx.caller, id, incoming, request.updateMask ?? []);
        return { certificationBody: certificationBodyToMessage(stored) };
      },
    },

    listCategories: {
      access: 'authenticated',
      async handle() {
        return {
          categories: PRODUCT_CATEGORIES.map((c) => ({
            id: c.id,
            description: c.description,
            textile: c.textile,
            targetGroups: [...c.targetGroups],
          })),
          targetGroups: TARGET_GROUPS.map((g) => g.id),
        };
      },
    },
  };
}

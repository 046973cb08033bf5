/**
 * The catalogue seeds must pass the same validators as live input, and their references must
 * resolve, so that loading them never plants data the service itself would refuse.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  gb18401Category,
  hasChinaGs1Prefix,
  isProductCategory,
  isTextileCategory,
  normaliseCreditCode,
  normaliseGtin,
  parseCnasNumber,
  parseStandardCode,
  validateCategoryAndTargetGroup,
  validateCnasNumber,
  validateCreditCode,
  validateGtin,
  validateProductCategory,
  validateStandardCatalogue,
  type Standard,
  type Violation,
} from './index.js';

const SEEDS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../seeds/catalogue');

type Enterprise = { _id: string; creditCode: string; name: string; nameZh: string; areaCode: string; fictional: boolean };
type Brand = { _id: string; name: string; ownerEnterpriseId: string; categories: string[] };
type ProductionLine = { _id: string; enterpriseId: string; name: string; areaCode: string; categories: string[] };
type Product = {
  _id: string;
  gtin14: string;
  gtin: string;
  name: string;
  model: string;
  brandId: string;
  enterpriseId: string;
  category: string;
  targetGroup: string;
  market: 'domestic' | 'export';
  destinationMarket?: string;
  standardCodes: string[];
  productionLineIds: string[];
  twinProductId?: string;
};
type CertificationBody = {
  _id: string;
  creditCode: string;
  cnasNumber: string;
  accreditedActivities: string[];
  accreditedCategories: string[];
  accreditedStandardCodes: string[];
  laboratories: Array<{ name: string; cnasNumber: string }>;
};
type StandardDocument = Standard & { _id: string };

function load<T>(file: string): T[] {
  const docs: unknown = JSON.parse(readFileSync(resolve(SEEDS, file), 'utf8'));
  if (!Array.isArray(docs)) throw new Error(`${file} must hold an array of documents`);
  return docs as T[];
}

const standards = load<StandardDocument>('standards.json');
const enterprises = load<Enterprise>('enterprises.json');
const brands = load<Brand>('brands.json');
const lines = load<ProductionLine>('production-lines.json');
const products = load<Product>('products.json');
const bodies = load<CertificationBody>('certification-bodies.json');

const byId = <T extends { _id: string }>(docs: T[]): Map<string, T> => new Map(docs.map((d) => [d._id, d]));
const standardById = byId(standards);
const enterpriseById = byId(enterprises);
const brandById = byId(brands);
const lineById = byId(lines);
const productById = byId(products);

/** Collects reference failures as violations, so one run lists every broken link at once. */
function problems(check: (report: (field: string, description: string) => void) => void): Violation[] {
  const found: Violation[] = [];
  check((field, description) => found.push({ field, description, reason: 'SEED_REFERENCE' }));
  return found;
}

describe('catalogue seeds', () => {
  it.each([
    ['standards.json', standards],
    ['enterprises.json', enterprises],
    ['brands.json', brands],
    ['production-lines.json', lines],
    ['products.json', products],
    ['certification-bodies.json', bodies],
  ] as const)('%s has unique, non-empty string _ids', (_file, docs) => {
    const ids = docs.map((d) => d._id);
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  describe('standards', () => {
    it('are valid and their safety gates resolve', () => {
      expect(validateStandardCatalogue(standards)).toEqual([]);
    });

    it('are keyed by their canonical code', () => {
      for (const std of standards) {
        const parsed = parseStandardCode(std.code);
        expect(parsed.ok && parsed.value.canonical).toBe(std.code);
        expect(std._id).toBe(std.code);
      }
    });

    it('include a foreign standard to compare against', () => {
      expect(standards.some((s) => kindOf(s.code) === 'foreign')).toBe(true);
    });

    it('carry GB 18401-2010 as verified table 1 values with A/B/C levels', () => {
      const gate = standardById.get('GB 18401-2010');
      expect(gate?.purpose).toBe('safety-gate');
      expect(gate?.gradeLevels).toEqual(['A', 'B', 'C']);
      const limits = gate?.indicators.flatMap((i) => Object.values(i.limits)) ?? [];
      expect(limits.length).toBeGreaterThan(0);
      for (const limit of limits) {
        expect(limit.verified).toBe(true);
        expect(limit.source).toContain('GB 18401-2010 table 1');
      }
      const formaldehyde = gate?.indicators.find((i) => i.id === 'formaldehyde');
      expect(formaldehyde?.limits).toMatchObject({ A: { max: 20 }, B: { max: 75 }, C: { max: 300 } });
    });

    it('mark every value that is not from a primary statement as unverified', () => {
      for (const std of standards) {
        for (const indicator of std.indicators) {
          for (const limit of Object.values(indicator.limits)) {
            if (/^(placeholder|secondary source)/.test(limit.source)) expect(limit.verified).toBe(false);
          }
        }
      }
    });
  });

  describe('enterprises and certification bodies', () => {
    it('have valid unified social credit codes as _id, with the area code inside', () => {
      const violations = enterprises.flatMap((e, i) => validateCreditCode(e.creditCode, `enterprises[${i}].creditCode`));
      expect(violations).toEqual([]);
      for (const e of enterprises) {
        expect(e._id).toBe(normaliseCreditCode(e.creditCode));
        expect(e.creditCode.slice(2, 8)).toBe(e.areaCode);
        expect(e.fictional).toBe(true);
      }
      expect(enterprises.length).toBeGreaterThanOrEqual(3);
    });

    it('certification bodies have valid credit codes, CNAS numbers and scopes', () => {
      const violations = bodies.flatMap((b, i) => [
        ...validateCreditCode(b.creditCode, `bodies[${i}].creditCode`),
        ...validateCnasNumber(b.cnasNumber, `bodies[${i}].cnasNumber`, 'certification-body'),
        ...b.laboratories.flatMap((lab, j) => validateCnasNumber(lab.cnasNumber, `bodies[${i}].laboratories[${j}].cnasNumber`, 'laboratory')),
        ...b.accreditedCategories.flatMap((c, j) => validateProductCategory(c, `bodies[${i}].accreditedCategories[${j}]`)),
      ]);
      expect(violations).toEqual([]);
      for (const b of bodies) {
        expect(b._id).toBe(b.creditCode);
        const parsed = parseCnasNumber(b.cnasNumber);
        expect(parsed.ok && parsed.value).toMatchObject({ canonical: b.cnasNumber, scheme: 'product' });
        for (const code of b.accreditedStandardCodes) expect(standardById.has(code), code).toBe(true);
        expect(b.accreditedActivities.length).toBeGreaterThan(0);
      }
      expect(bodies.length).toBeGreaterThanOrEqual(2);
    });
  });

  describe('brands and production lines', () => {
    it('belong to seeded enterprises and name known categories', () => {
      const found = problems((report) => {
        brands.forEach((b, i) => {
          if (!enterpriseById.has(b.ownerEnterpriseId)) report(`brands[${i}].ownerEnterpriseId`, b.ownerEnterpriseId);
          b.categories.forEach((c, j) => {
            if (!isProductCategory(c)) report(`brands[${i}].categories[${j}]`, c);
          });
        });
        lines.forEach((l, i) => {
          if (!enterpriseById.has(l.enterpriseId)) report(`lines[${i}].enterpriseId`, l.enterpriseId);
          if (!/^\d{6}$/.test(l.areaCode)) report(`lines[${i}].areaCode`, l.areaCode);
          l.categories.forEach((c, j) => {
            if (!isProductCategory(c)) report(`lines[${i}].categories[${j}]`, c);
          });
        });
      });
      expect(found).toEqual([]);
    });
  });

  describe('products', () => {
    it('number at least twenty', () => {
      expect(products.length).toBeGreaterThanOrEqual(20);
    });

    it('have valid China-prefixed GTINs, keyed by the 14-digit form', () => {
      expect(products.flatMap((p, i) => validateGtin(p.gtin, `products[${i}].gtin`))).toEqual([]);
      for (const p of products) {
        const normalised = normaliseGtin(p.gtin);
        expect(normalised.ok && normalised.value).toBe(p.gtin14);
        expect(p._id).toBe(p.gtin14);
        expect(hasChinaGs1Prefix(p.gtin), p.gtin).toBe(true);
      }
    });

    it('use the closed category list with target groups that fit', () => {
      const violations = products.flatMap((p, i) =>
        validateCategoryAndTargetGroup(p.category, p.targetGroup, {
          category: `products[${i}].category`,
          targetGroup: `products[${i}].targetGroup`,
        }),
      );
      expect(violations).toEqual([]);
    });

    it('reference existing brands, enterprises, lines and standards that fit them', () => {
      const found = problems((report) => {
        products.forEach((p, i) => {
          const at = `products[${i}]`;
          const brand = brandById.get(p.brandId);
          if (brand === undefined) report(`${at}.brandId`, `no brand ${p.brandId}`);
          else {
            if (brand.ownerEnterpriseId !== p.enterpriseId) report(`${at}.brandId`, 'brand owned by another enterprise');
            if (!brand.categories.includes(p.category)) report(`${at}.brandId`, `brand does not cover ${p.category}`);
          }
          if (!enterpriseById.has(p.enterpriseId)) report(`${at}.enterpriseId`, `no enterprise ${p.enterpriseId}`);
          if (p.productionLineIds.length === 0) report(`${at}.productionLineIds`, 'no production line');
          p.productionLineIds.forEach((id, j) => {
            const line = lineById.get(id);
            if (line === undefined) report(`${at}.productionLineIds[${j}]`, `no line ${id}`);
            else if (line.enterpriseId !== p.enterpriseId) report(`${at}.productionLineIds[${j}]`, 'line of another enterprise');
            else if (!line.categories.includes(p.category)) report(`${at}.productionLineIds[${j}]`, `line does not make ${p.category}`);
          });
          if (p.standardCodes.length === 0) report(`${at}.standardCodes`, 'no standard');
          p.standardCodes.forEach((code, j) => {
            const std = standardById.get(code);
            if (std === undefined) report(`${at}.standardCodes[${j}]`, `no standard ${code}`);
            else if (!std.categories.includes(p.category as never)) report(`${at}.standardCodes[${j}]`, `${code} does not cover ${p.category}`);
          });
        });
      });
      expect(found).toEqual([]);
    });

    it('put domestic textiles, and only textiles, behind GB 18401-2010 at the category their group needs', () => {
      for (const p of products) {
        if (!isProductCategory(p.category)) continue;
        const gated = p.standardCodes.includes('GB 18401-2010');
        if (p.market === 'domestic') expect(gated, p.name).toBe(isTextileCategory(p.category));
        else expect(gated, p.name).toBe(false);
        for (const code of p.standardCodes) {
          const gate = standardById.get(code)?.safetyGate;
          if (gate === undefined) continue;
          const group = p.targetGroup as 'infant' | 'skin-contact' | 'other';
          expect(gate.categoryByTargetGroup[group]).toBe(gb18401Category(group));
        }
      }
    });

    it('link domestic and export twins both ways on a shared production line', () => {
      const twins = products.filter((p) => p.twinProductId !== undefined);
      expect(twins.length).toBeGreaterThanOrEqual(2);
      const found = problems((report) => {
        for (const p of twins) {
          const twin = productById.get(p.twinProductId ?? '');
          if (twin === undefined) {
            report(p._id, `twin ${p.twinProductId} does not exist`);
            continue;
          }
          if (twin.twinProductId !== p._id) report(p._id, 'twin does not link back');
          if (twin.market === p.market) report(p._id, 'twins must be one domestic and one export product');
          if (twin.category !== p.category || twin.enterpriseId !== p.enterpriseId) report(p._id, 'twins differ in category or enterprise');
          if (!p.productionLineIds.some((id) => twin.productionLineIds.includes(id))) report(p._id, 'twins share no production line');
          const exported = p.market === 'export' ? p : twin;
          if (exported.destinationMarket === undefined) report(exported._id, 'export product without destination market');
          if (!exported.standardCodes.some((code) => kindOf(code) === 'foreign')) report(exported._id, 'export product without a foreign standard');
        }
      });
      expect(found).toEqual([]);
    });
  });
});

function kindOf(code: string): string | undefined {
  const parsed = parseStandardCode(code);
  return parsed.ok ? parsed.value.kind : undefined;
}

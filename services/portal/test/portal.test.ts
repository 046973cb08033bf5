/**
 * The portal over real services: catalogue, grading, brand-valuation and same-line started
 * for the test in one namespace, the portal reading them over gRPC, HTTP asked with fetch.
 */
import { brandValuationService } from '@pinzhi/brand-valuation/testing';
import { catalogueService } from '@pinzhi/catalogue';
import { loadSeeds } from '@pinzhi/catalogue/testing';
import { GradingServiceService } from '@pinzhi/contracts/pinzhi/grading/v1/grading_service';
import { gradingService, superiorMeasurements } from '@pinzhi/grading/testing';
import { createUnaryClient, type RunningService } from '@pinzhi/platform';
import { sameLineService } from '@pinzhi/same-line/testing';
import { mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, dropDatabase, logger, namespace, startServiceForTest } from '../../../test/support/harness.js';
import { portalService } from '../src/testing.js';

const JACKET = '06934567801036';
const STANDARD = 'GB/T 14272-2021';

let base = '';
let grading: RunningService;
let gradingClient: ReturnType<typeof createUnaryClient<typeof GradingServiceService>>;
const cleanups: Array<() => Promise<unknown>> = [];
const ns = namespace('portal');

/** Issues a fresh SUPERIOR grade for the jacket; its certificate number. */
export async function issueJacketGrade(client: typeof gradingClient, report: string): Promise<string> {
  const { grade } = await client.issueGrade(
    {
      product: `products/${JACKET}`,
      standardCode: STANDARD,
      decisionRule: 0,
      report: {
        laboratoryCnasNumber: 'CNAS L99501',
        reportNumber: report,
        sampleId: 'S-1',
        batch: '',
        testedOn: '2026-11-20',
        measurements: superiorMeasurements(),
      },
    },
    await bearer('certifier', 'CNAS C951-P'),
  );
  return grade!.certificate!.number;
}

const get = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, { redirect: 'manual', ...init });
/** A JSON answer, read loosely: the assertions say what it must hold. */
const jsonOf = (response: Response): Promise<any> => response.json();

beforeAll(async () => {
  const catalogue = await startServiceForTest(catalogueService, { ns });
  cleanups.push(() => catalogue.stop());
  await loadSeeds(catalogue.db, catalogue.relay, logger);
  grading = await startServiceForTest(gradingService, { ns });
  cleanups.push(() => grading.stop());
  const brand = await startServiceForTest(brandValuationService, { ns });
  cleanups.push(() => brand.stop());
  const sameLine = await startServiceForTest(sameLineService, { ns });
  cleanups.push(() => sameLine.stop());
  const portal = await startServiceForTest(portalService, {
    ns,
    env: {
      HTTP_PORT: '0',
      CATALOGUE_ADDRESS: catalogue.grpc.address,
      GRADING_ADDRESS: grading.grpc.address,
      BRAND_VALUATION_ADDRESS: brand.grpc.address,
      SAME_LINE_ADDRESS: sameLine.grpc.address,
      PUBLIC_BASE_URL: 'https://pinzhi.example',
      RATE_LIMIT_PER_MINUTE: '100000',
    },
  });
  cleanups.push(() => portal.stop());
  base = `http://${portal.exposed.httpAddress}`;
  gradingClient = createUnaryClient(GradingServiceService, grading.grpc.address);
  cleanups.push(async () => gradingClient.close());
}, 120_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await dropDatabase(ns.dbName);
});

describe('portal pages and API', () => {
  it('answers health and readiness, with security headers on every answer', async () => {
    expect((await get('/healthz')).status).toBe(200);
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      ready: true,
      backends: { catalogue: 'SERVING', grading: 'SERVING', brandValuation: 'SERVING', sameLine: 'SERVING' },
    });
    const home = await get('/');
    expect(home.status).toBe(200);
    expect(home.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(home.headers.get('x-content-type-options')).toBe('nosniff');
    expect(home.headers.get('x-frame-options')).toBe('DENY');
    const page = await home.text();
    expect(page).toContain('<html lang="zh-CN">');
    expect(page).toMatch(/<main id="main">/);
    expect(page).toMatch(/<label for="q">/);
  });

  it('sends a GTIN search to the Digital Link, short GTINs to their 14-digit form, and refuses a wrong check digit', async () => {
    const search = await get(`/search?q=${JACKET.slice(1)}`);
    expect(search.status).toBe(303);
    expect(search.headers.get('location')).toBe(`/01/${JACKET}`);
    const short = await get(`/01/${JACKET.slice(1)}`);
    expect(short.status).toBe(301);
    expect(short.headers.get('location')).toBe(`/01/${JACKET}`);
    const wrong = await get('/01/06934567801037');
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('check digit');
    const api = await get('/api/v1/products/06934567801037');
    expect(api.status).toBe(400);
    expect(await api.json()).toMatchObject({
      error: { status: 400, code: 'INVALID_ARGUMENT', fieldViolations: [{ field: 'gtin', reason: 'CHECK_DIGIT_MISMATCH' }] },
    });
  });

  it('shows a fresh grade valid, with ETag and Cache-Control, then revoked after RevokeGrade', async () => {
    const number = await issueJacketGrade(gradingClient, `R-PORTAL-${ns.id}`);
    const page = await get(`/certificates/${number}`);
    expect(page.status).toBe(200);
    const etag = page.headers.get('etag');
    expect(etag).toBeTruthy();
    expect(page.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    const text = await page.text();
    expect(text).toContain('data-status="valid"');
    expect(text).toContain('CNAS C951-P');
    expect(text).toContain(STANDARD);
    expect((await get(`/certificates/${number}`, { headers: { 'if-none-match': etag! } })).status).toBe(304);

    const api = await jsonOf(await get(`/api/v1/certificates/${number}`));
    expect(api).toMatchObject({ kind: 'grade', number, status: 'valid', genuine: true, current: true, level: 'SUPERIOR', product: { gtin: JACKET } });
    expect(api.certificate.signature.algorithm).toBeTruthy();

    const product = await jsonOf(await get(`/api/v1/products/${JACKET}`));
    expect(product.grades).toEqual([expect.objectContaining({ standardCode: STANDARD, certificateNumber: number, status: 'valid' })]);
    const linkset = await get(`/01/${JACKET}?linkType=all`);
    expect(linkset.headers.get('content-type')).toBe('application/linkset+json');
    const links = await jsonOf(linkset);
    expect(links.linkset[0].anchor).toBe(`https://pinzhi.example/01/${JACKET}`);
    expect(links.linkset[0]['https://gs1.org/voc/certificationInfo'][0].href).toBe(`https://pinzhi.example/certificates/${number}`);
    const toCertificate = await get(`/01/${JACKET}?linkType=gs1:certificationInfo`);
    expect(toCertificate.status).toBe(307);
    expect(toCertificate.headers.get('location')).toBe(`https://pinzhi.example/certificates/${number}`);

    const qr = await get(`/certificates/${number}/qr.svg`);
    expect(qr.headers.get('content-type')).toBe('image/svg+xml');
    expect(await qr.text()).toMatch(/^<svg /);

    const [name] = (
      await gradingClient.listGrades(
        { product: `products/${JACKET}`, state: 'ISSUED', pageSize: 10, pageToken: '', brand: '', enterprise: '', standardCode: '', level: '' },
        await bearer('regulator', 'SAMR'),
      )
    ).grades
      .filter((g) => g.certificate?.number === number)
      .map((g) => g.name);
    await gradingClient.revokeGrade({ name: name!, reason: 'fraudulent report' }, await bearer('regulator', 'SAMR'));
    const revoked = await get(`/certificates/${number}`, { headers: { 'if-none-match': etag! } });
    expect(revoked.status).toBe(200);
    const after = await revoked.text();
    expect(after).toContain('data-status="revoked"');
    expect(after).toContain('fraudulent report');
  });

  it('answers bad input with 4xx pages and one JSON error shape, never a stack trace', async () => {
    const cases: Array<[string, number, RequestInit?]> = [
      ['/certificates/%E0%A4%A', 400],
      ['/certificates/%3Cscript%3Ealert(1)%3C%2Fscript%3E', 400],
      ['/certificates/PZ-G-2026-NOPE', 404],
      ['/api/v1/certificates/PZ-G-2026-NOPE', 404],
      ['/api/v1/certificates/x', 400],
      ['/01/abc', 400],
      ['/01/123', 400],
      [`/search?q=${'x'.repeat(300)}`, 400],
      ['/search?q=', 400],
      ['/brands?year=twenty', 400],
      ['/nowhere', 404],
      ['/api/v1/nowhere', 404],
      [`/certificates/${'A'.repeat(3000)}`, 414],
      ['/', 405, { method: 'POST', body: 'x' }],
    ];
    for (const [path, status, init] of cases) {
      const response = await get(path, init);
      expect(response.status, path.slice(0, 80)).toBe(status);
      const body = await response.text();
      expect(body, path.slice(0, 80)).not.toMatch(/at \w+ \(|node:internal|<script>/);
      if (path.startsWith('/api/'))
        expect(JSON.parse(body)).toMatchObject({
          error: { status, code: expect.any(String), message: expect.any(String), fieldViolations: expect.any(Array) },
        });
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('lists brand values and same-line listings, and serves the OpenAPI document', async () => {
    const brands = await get('/brands?lang=en');
    expect(brands.status).toBe(200);
    expect(brands.headers.get('set-cookie')).toContain('lang=en');
    expect(await brands.text()).toContain('<html lang="en">');
    expect((await get('/same-line')).status).toBe(200);
    expect(await (await get('/api/v1/same-line/listings')).json()).toMatchObject({ listings: expect.any(Array) });
    const openapi = await jsonOf(await get('/api/v1/openapi.json'));
    expect(openapi.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.paths)).toEqual(['/certificates/{number}', '/products/{gtin}', '/brand-valuations', '/same-line/listings', '/signing-keys']);
  });
});

describe('portal when a service is down, and under load from one client', () => {
  it('says which service is missing, answers 503 where nothing can be shown, and limits a client to its rate', async () => {
    const portal = await startServiceForTest(portalService, {
      ns: namespace('portal-down'),
      env: {
        HTTP_PORT: '0',
        GRPC_PORT: '0',
        CATALOGUE_ADDRESS: '127.0.0.1:1',
        GRADING_ADDRESS: '127.0.0.1:1',
        BRAND_VALUATION_ADDRESS: '127.0.0.1:1',
        SAME_LINE_ADDRESS: '127.0.0.1:1',
        BACKEND_DEADLINE_MS: '500',
        RATE_LIMIT_PER_MINUTE: '6',
      },
    });
    try {
      const at = `http://${portal.exposed.httpAddress}`;
      const ready = await fetch(`${at}/readyz`);
      expect(ready.status).toBe(503);
      expect(await fetch(`${at}/brands`).then((r) => r.text())).toContain('brand-valuation');
      expect((await fetch(`${at}/api/v1/certificates/PZ-G-2026-X`)).status).toBe(503);
      const statuses: number[] = [];
      // 6 a minute: /brands and the API call above took two.
      for (let i = 0; i < 5; i++) statuses.push((await fetch(`${at}/`)).status);
      expect(statuses).toEqual([200, 200, 200, 200, 429]);
      const limited = await fetch(`${at}/api/v1/openapi.json`);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await limited.json()).toMatchObject({ error: { code: 'RESOURCE_EXHAUSTED' } });
      // Probes are never limited.
      expect((await fetch(`${at}/healthz`)).status).toBe(200);
    } finally {
      await portal.stop();
      await dropDatabase(portal.ns.dbName);
    }
  });
});

/** Where screenshots go: a test artefact CI can keep (.pinzhi/ is not committed). */
const ARTIFACTS = new URL('../../../.pinzhi/artifacts/portal/', import.meta.url);

describe('portal in a browser (headless Chromium)', () => {
  let browser: Browser;

  beforeAll(async () => {
    // scripts/test.sh installs Debian's chromium when missing and exports its path.
    browser = await chromium.launch({
      executablePath: process.env.PINZHI_CHROMIUM ?? '/usr/bin/chromium',
      // Loopback only: no sandbox (root in CI), no background calls home.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
      ],
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('searches a seeded GTIN, sees a fresh certificate valid, revoked after reload, and in English after the switch', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    await page.goto(`${base}/`);
    await page.getByLabel('证书编号、商品条码（GTIN）、统一社会信用代码或品牌名称').fill(JACKET.slice(1));
    await page.getByRole('button', { name: '查询' }).click();
    await page.waitForURL(`${base}/01/${JACKET}`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('女式长款羽绒服');

    const number = await issueJacketGrade(gradingClient, `R-BROWSER-${ns.id}`);
    await page.goto(`${base}/certificates/${number}`);
    const status = page.locator('[data-status]');
    expect(await status.textContent()).toBe('有效');
    await page.screenshot({ path: new URL('certificate-valid.png', ARTIFACTS).pathname, fullPage: true });

    const { grades } = await gradingClient.listGrades(
      { product: `products/${JACKET}`, state: 'ISSUED', pageSize: 10, pageToken: '', brand: '', enterprise: '', standardCode: '', level: '' },
      await bearer('regulator', 'SAMR'),
    );
    const grade = grades.find((g) => g.certificate?.number === number)!;
    await gradingClient.revokeGrade({ name: grade.name, reason: 'failed supervision sample' }, await bearer('regulator', 'SAMR'));
    await page.reload();
    expect(await status.textContent()).toBe('已撤销');
    expect(await page.locator('main').textContent()).toContain('failed supervision sample');
    await page.screenshot({ path: new URL('certificate-revoked.png', ARTIFACTS).pathname, fullPage: true });

    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(/lang=en/);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await status.textContent()).toBe('Revoked');
    // The choice is kept: the next page is English without ?lang=.
    await page.goto(`${base}/`);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.screenshot({ path: new URL('home-en.png', ARTIFACTS).pathname });
    await page.close();
  }, 60_000);
});

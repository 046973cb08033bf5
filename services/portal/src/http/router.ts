import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { status as grpcStatus, type ServiceError } from '@grpc/grpc-js';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { fieldViolationsOf, PinzhiError, type FieldViolation, type Logger } from '@pinzhi/platform';
import QRCode from 'qrcode';
import { PortalLookups, type CertificateView, type ProductView } from '../app/lookups.js';
import { languageOf, type Lang } from './i18n.js';
import { openApiDocument } from './openapi.js';
import { brandsPage, certificatePage, errorPage, homePage, productPage, sameLinePage, STYLESHEET } from './pages.js';
import { RateLimiter } from './rate-limit.js';

export interface RouterOptions {
  lookups: PortalLookups;
  /** Whether the backends answer (for /readyz). */
  readiness(): Promise<{ ready: boolean; backends: Record<string, string> }>;
  publicBaseUrl: string;
  rateLimitPerMinute: number;
  publicMaxAgeS: number;
  logger: Logger;
}

/** An answer before headers: status, type, body, caching. */
interface Answer {
  status: number;
  type: string;
  body: string | Buffer;
  /** Public answers may be cached (Cache-Control public, ETag); others are no-store. */
  cacheable?: boolean;
  headers?: Record<string, string>;
}

const HTML = 'text/html; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const LINKSET = 'application/linkset+json';
const MAX_URL = 2048;

/** Headers on every answer: no sniffing, no framing, no referrer, no scripts at all. */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

/** A refusal the portal makes itself (bad path, too many requests), shaped like a gRPC error. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly violations: readonly FieldViolation[] = [],
  ) {
    super(message);
  }
}

const HTTP_OF_CODE: Record<string, number> = {
  INVALID_ARGUMENT: 400,
  NOT_FOUND: 404,
  FAILED_PRECONDITION: 400,
  PERMISSION_DENIED: 403,
  UNAUTHENTICATED: 401,
  RESOURCE_EXHAUSTED: 429,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 503,
};

/** Any error as status, code, message and field violations; never a stack or an internal detail. */
function describe(error: unknown): { status: number; code: string; message: string; violations: readonly FieldViolation[] } {
  if (error instanceof HttpError) return { status: error.status, code: error.code, message: error.message, violations: error.violations };
  if (error instanceof PinzhiError) return { status: HTTP_OF_CODE[error.code] ?? 500, code: error.code, message: error.message, violations: error.violations };
  const grpc = error as Partial<ServiceError>;
  if (typeof grpc.code === 'number' && grpc.metadata) {
    const code = grpcStatus[grpc.code] ?? 'UNKNOWN';
    const status = HTTP_OF_CODE[code] ?? 502;
    // A backend's own words for the caller's mistakes; a generic line for everything else.
    const message = status < 500 ? (grpc.details ?? code) : 'a pinzhi service is not answering; try again shortly';
    return { status, code, message, violations: status < 500 ? fieldViolationsOf(grpc as ServiceError) : [] };
  }
  return { status: 500, code: 'INTERNAL', message: 'internal error', violations: [] };
}

const json = (value: unknown, status = 200, cacheable = true): Answer => ({ status, type: JSON_TYPE, body: JSON.stringify(value, null, 2), cacheable });
const html = (body: string, status = 200, cacheable = true): Answer => ({ status, type: HTML, body, cacheable });
const redirect = (location: string, status: number): Answer => ({
  status,
  type: 'text/plain; charset=utf-8',
  body: `${location}\n`,
  headers: { location },
  cacheable: status === 301,
});

/** Decodes one path segment; a malformed escape is the caller's mistake. */
function segment(raw: string, field: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'INVALID_ARGUMENT', 'the path is malformed', [{ field, description: 'a malformed percent-escape' }]);
  }
}

function queryValue(query: URLSearchParams, name: string, max: number): string {
  const value = query.get(name) ?? '';
  if (value.length > max)
    throw new HttpError(400, 'INVALID_ARGUMENT', 'a query parameter is too long', [{ field: name, description: `at most ${max} characters` }]);
  return value;
}

/**
 * The portal's HTTP face: pages, the GS1 Digital Link resolver, the JSON API, health. Every
 * answer carries the security headers; public answers carry an ETag and Cache-Control and
 * answer 304 to a matching If-None-Match.
 */
export function createRouter(options: RouterOptions) {
  const { lookups, publicBaseUrl } = options;
  const limiter = new RateLimiter(options.rateLimitPerMinute, 60_000);
  const base = publicBaseUrl.replace(/\/$/, '');

  async function route(request: IncomingMessage, url: URL, lang: Lang): Promise<Answer> {
    const path = url.pathname;
    const query = url.searchParams;
    const api = path.startsWith('/api/');
    if (path === '/healthz') return { status: 200, type: JSON_TYPE, body: '{"status":"ok"}' };
    if (path === '/readyz') {
      const readiness = await options.readiness();
      return { status: readiness.ready ? 200 : 503, type: JSON_TYPE, body: JSON.stringify(readiness) };
    }
    if (path === '/static/portal.css') return { status: 200, type: 'text/css; charset=utf-8', body: STYLESHEET, cacheable: true };
    if (path === '/' || path === '') return html(homePage(lang));
    if (path === '/search') return redirect(PortalLookups.searchTarget(queryValue(query, 'q', 200)), 303);

    if (path === '/api/v1/openapi.json') return json(openApiDocument(base));
    if (path === '/api/v1/signing-keys') return json({ keys: await lookups.signingKeys() });

    let match = /^\/(?:api\/v1\/)?certificates\/([^/]+)(\/qr\.svg)?$/.exec(path);
    if (match) {
      const number = PortalLookups.certificateNumber(segment(match[1]!, 'number'));
      if (match[2]) {
        if (api) throw new HttpError(404, 'NOT_FOUND', 'no such path');
        const svg = await QRCode.toString(`${base}/certificates/${encodeURIComponent(number)}`, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
        return { status: 200, type: 'image/svg+xml', body: svg, cacheable: true };
      }
      const view: CertificateView = await lookups.certificate(number);
      return api ? json(view) : html(certificatePage(lang, view));
    }

    match = /^\/(?:api\/v1\/products|01)\/([^/]+)$/.exec(path);
    if (match) {
      const raw = segment(match[1]!, 'gtin');
      const gtin = PortalLookups.gtin14(raw);
      // GS1 Digital Link names a product by its 14-digit GTIN: shorter forms move there.
      if (raw !== gtin) return redirect(`${path.slice(0, path.length - match[1]!.length)}${gtin}${url.search}`, 301);
      const linkType = queryValue(query, 'linkType', 64);
      const accept = request.headers.accept ?? '';
      const view: ProductView = await lookups.product(gtin);
      if (!api && (linkType === 'all' || linkType === 'linkset' || (!linkType && accept.includes(LINKSET)))) {
        return { status: 200, type: LINKSET, body: JSON.stringify(linksetOf(base, view), null, 2), cacheable: true };
      }
      if (!api && linkType) {
        // A specific link type redirects to its first target; an unknown one to the default link.
        const target = linkTargets(base, view)[linkType.replace(/^https:\/\/gs1\.org\/voc\//, 'gs1:')]?.[0]?.href ?? `${base}/01/${gtin}`;
        return redirect(target, 307);
      }
      return api ? json(view) : html(productPage(lang, view));
    }

    if (path === '/brands' || path === '/api/v1/brand-valuations') {
      const year = queryValue(query, 'year', 4);
      if (year && !/^\d{4}$/.test(year))
        throw new HttpError(400, 'INVALID_ARGUMENT', 'year is a four-digit year', [{ field: 'year', description: 'e.g. 2026' }]);
      const filter = { year: year ? Number(year) : 0, sector: queryValue(query, 'sector', 16), pageToken: queryValue(query, 'pageToken', 1024) };
      if (api) return json(await lookups.valuations(filter));
      const q = queryValue(query, 'q', 100);
      const page = await lookups.valuations(filter).catch((error: unknown) => (isBackendDown(error) ? null : Promise.reject(error)));
      return html(brandsPage(lang, page?.valuations ?? null, q), 200, page !== null);
    }

    if (path === '/same-line' || path === '/api/v1/same-line/listings') {
      const filter = {
        enterpriseCreditCode: queryValue(query, 'enterprise', 18).toUpperCase(),
        gtin: queryValue(query, 'gtin', 14),
        category: queryValue(query, 'category', 32),
        exportMarket: queryValue(query, 'market', 8),
        pageToken: queryValue(query, 'pageToken', 1024),
      };
      if (api) return json(await lookups.listings(filter));
      const page = await lookups.listings(filter).catch((error: unknown) => (isBackendDown(error) ? null : Promise.reject(error)));
      return html(sameLinePage(lang, page?.listings ?? null, { enterprise: filter.enterpriseCreditCode, gtin: filter.gtin }), 200, page !== null);
    }
    throw new HttpError(404, 'NOT_FOUND', 'no such page');
  }

  const tracer = trace.getTracer('pinzhi');

  /**
   * One SERVER span per request, a child of the caller's `traceparent` when it sends one; the
   * backend calls made while answering run inside it, so the trace continues into the services.
   */
  return async function traced(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const path = (request.url ?? '/').split('?')[0]!.slice(0, 200);
    const span = tracer.startSpan(
      `HTTP ${request.method ?? 'GET'}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method ?? '', 'url.path': path } },
      parent,
    );
    try {
      await context.with(trace.setSpan(parent, span), () => handle(request, response));
      span.setAttribute('http.response.status_code', response.statusCode);
      if (response.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    } finally {
      span.end();
    }
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = Date.now();
    const rawUrl = request.url ?? '/';
    let url: URL;
    let lang: Lang = 'zh';
    let answer: Answer;
    try {
      url = new URL(rawUrl.length > MAX_URL ? '/' : rawUrl, 'http://portal.invalid');
      lang = languageOf(url.searchParams, request.headers.cookie, request.headers['accept-language']);
      if (rawUrl.length > MAX_URL) throw new HttpError(414, 'INVALID_ARGUMENT', `the address is longer than ${MAX_URL} characters`);
      if (request.method !== 'GET' && request.method !== 'HEAD') throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'only GET and HEAD');
      const probe = url.pathname === '/healthz' || url.pathname === '/readyz';
      if (!probe) {
        const wait = limiter.take(request.socket.remoteAddress ?? 'unknown');
        if (wait > 0)
          throw Object.assign(new HttpError(429, 'RESOURCE_EXHAUSTED', 'too many requests from this address; slow down'), {
            retryAfterS: Math.ceil(wait / 1000),
          });
      }
      answer = await route(request, url, lang);
    } catch (error) {
      url = new URL('/', 'http://portal.invalid');
      const described = describe(error);
      if (described.status >= 500) options.logger.warn({ err: error, path: rawUrl.slice(0, 200) }, 'portal request failed');
      const api = rawUrl.startsWith('/api/');
      const body = {
        error: {
          status: described.status,
          code: described.code,
          message: described.message,
          fieldViolations: described.violations.map(({ field, description, reason }) => ({ field, description, ...(reason ? { reason } : {}) })),
        },
      };
      answer = api
        ? json(body, described.status, false)
        : html(errorPage(lang, '/', described.status, described.message, [...described.violations]), described.status, false);
      const retryAfter = (error as { retryAfterS?: number }).retryAfterS;
      if (retryAfter) answer.headers = { 'retry-after': String(retryAfter) };
      if (described.status === 405) answer.headers = { allow: 'GET, HEAD' };
    }
    send(request, response, answer, lang, options.publicMaxAgeS);
    options.logger.debug({ method: request.method, path: rawUrl.slice(0, 200), status: answer.status, ms: Date.now() - started }, 'portal request');
  }
}

function isBackendDown(error: unknown): boolean {
  const code = (error as Partial<ServiceError>).code;
  return code === grpcStatus.UNAVAILABLE || code === grpcStatus.DEADLINE_EXCEEDED;
}

function send(request: IncomingMessage, response: ServerResponse, answer: Answer, lang: Lang, maxAgeS: number): void {
  const body = typeof answer.body === 'string' ? Buffer.from(answer.body) : answer.body;
  const headers: Record<string, string> = { ...SECURITY_HEADERS, 'content-type': answer.type, ...answer.headers };
  if (answer.type === HTML) headers['content-language'] = lang === 'zh' ? 'zh-CN' : 'en';
  if (answer.type === HTML || answer.type === LINKSET || answer.headers?.location) headers.vary = 'Accept, Accept-Language, Cookie';
  // The language chosen with ?lang= is kept for the next pages.
  if (new URL(request.url ?? '/', 'http://portal.invalid').searchParams.has('lang'))
    headers['set-cookie'] = `lang=${lang}; Path=/; Max-Age=31536000; SameSite=Lax`;
  if (answer.cacheable && answer.status < 400) {
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    headers.etag = etag;
    headers['cache-control'] = `public, max-age=${maxAgeS}`;
    if (request.headers['if-none-match'] === etag && answer.status === 200) {
      response.writeHead(304, headers);
      response.end();
      return;
    }
  } else {
    headers['cache-control'] = 'no-store';
  }
  headers['content-length'] = String(body.length);
  response.writeHead(answer.status, headers);
  response.end(request.method === 'HEAD' ? undefined : body);
}

/** Link targets per GS1 link type for a product (GS1 Digital Link resolver conventions). */
function linkTargets(base: string, view: ProductView): Record<string, Array<{ href: string; title: string; type: string; hreflang?: string[] }>> {
  const gtin = view.product.gtin;
  const title = view.product.displayNameZh || view.product.displayName || gtin;
  const targets: Record<string, Array<{ href: string; title: string; type: string; hreflang?: string[] }>> = {
    'gs1:pip': [{ href: `${base}/01/${gtin}`, title, type: 'text/html', hreflang: ['zh', 'en'] }],
    'gs1:certificationInfo': view.grades.map((g) => ({
      href: `${base}/certificates/${encodeURIComponent(g.certificateNumber)}`,
      title: `${g.standardCode} ${g.level}`,
      type: 'text/html',
    })),
  };
  if (view.sameLine && view.sameLine.length > 0) {
    targets['gs1:certificationInfo']!.push(
      ...view.sameLine.map((l) => ({ href: `${base}/certificates/${encodeURIComponent(l.certificateNumber)}`, title: `三同 ${l.state}`, type: 'text/html' })),
    );
  }
  return targets;
}

/** The product's links as an RFC 9264 linkset, link types as GS1 vocabulary URIs. */
function linksetOf(base: string, view: ProductView) {
  const anchor = `${base}/01/${view.product.gtin}`;
  const entry: Record<string, unknown> = { anchor };
  for (const [type, targets] of Object.entries(linkTargets(base, view))) {
    if (targets.length > 0) entry[type.replace('gs1:', 'https://gs1.org/voc/')] = targets;
  }
  entry['https://gs1.org/voc/defaultLink'] = [{ href: anchor, title: view.product.displayNameZh || view.product.gtin, type: 'text/html' }];
  return { linkset: [entry] };
}

import type { CertificateStatus, CertificateView, ListingView, ProductView, ValuationView } from '../app/lookups.js';
import { messages, type Lang, type Messages } from './i18n.js';

/**
 * Server-rendered pages: plain HTML that works without JavaScript, one stylesheet, labelled
 * landmarks, `lang` set, status in words as well as colour. Every value is escaped.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string | number) => String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
const h = escapeHtml;
const day = (iso: string) => (iso ? iso.slice(0, 10) : '—');
const levelOf = (t: Messages, code: string) => h(t.levelWord[code] ?? code);

/** The page frame: header with the search box and the language switch, main, footer. */
export function layout(lang: Lang, path: string, title: string, main: string): string {
  const t = messages[lang];
  const other: Lang = lang === 'zh' ? 'en' : 'zh';
  const switchHref = `${path.split('?')[0]}?${new URLSearchParams({ ...Object.fromEntries(new URLSearchParams(path.split('?')[1] ?? '')), lang: other })}`;
  return `<!doctype html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(title)} · ${h(t.title)}</title>
<link rel="stylesheet" href="/static/portal.css">
</head>
<body>
<a class="skip" href="#main">${h(t.skip)}</a>
<header role="banner">
<a class="brand" href="/">品质 pinzhi</a>
<nav aria-label="${h(t.nav)}"><a href="/">${h(t.home)}</a> <a href="/brands">${h(t.brands)}</a> <a href="/same-line">${h(t.sameLine)}</a> <a href="${h(switchHref)}" lang="${other === 'zh' ? 'zh-CN' : 'en'}" hreflang="${other}" id="lang-switch">${h(t.switchTo)}</a></nav>
</header>
<main id="main">
${main}
</main>
<footer role="contentinfo"><p>pinzhi · ${h(t.verifyOffline)}: <a href="/api/v1/openapi.json">API</a></p></footer>
</body>
</html>
`;
}

export function searchForm(t: Messages, value = ''): string {
  return `<form role="search" action="/search" method="get">
<label for="q">${h(t.searchLabel)}</label>
<div class="row"><input id="q" name="q" type="search" maxlength="100" required value="${h(value)}" autocomplete="off"><button type="submit">${h(t.searchButton)}</button></div>
</form>`;
}

export function homePage(lang: Lang): string {
  const t = messages[lang];
  return layout(lang, '/', t.home, `<h1>${h(t.title)}</h1>\n<p>${h(t.searchHint)}</p>\n${searchForm(t)}`);
}

const statusClass: Record<CertificateStatus, string> = {
  valid: 'ok',
  downgraded: 'warn',
  revoked: 'bad',
  expired: 'bad',
  superseded: 'bad',
  'not-current': 'bad',
  'not-genuine': 'bad',
  suspended: 'warn',
  withdrawn: 'bad',
};

function statusBadge(t: Messages, status: CertificateStatus): string {
  return `<strong class="status ${statusClass[status]}" data-status="${status}">${h(t.statusWord[status])}</strong>`;
}

function rows(items: Array<[string, string]>): string {
  return `<dl>${items.map(([term, value]) => `<dt>${h(term)}</dt><dd>${value}</dd>`).join('')}</dl>`;
}

export function certificatePage(lang: Lang, view: CertificateView): string {
  const t = messages[lang];
  const number = encodeURIComponent(view.number);
  const links = `<p class="links"><a href="/api/v1/certificates/${number}">${h(t.canonical)}</a> · <a href="/api/v1/signing-keys">${h(t.keys)}</a> · <a href="/certificates/${number}/qr.svg">${h(t.qr)}</a></p>`;
  if (view.kind === 'same-line') {
    const l = view.listing;
    return layout(
      lang,
      `/certificates/${number}`,
      view.number,
      `<h1>${h(t.sameLine)} · ${h(view.number)}</h1>
<section aria-labelledby="status-h"><h2 id="status-h">${h(t.status)}</h2><p>${statusBadge(t, view.status)}</p><p>${h(view.detail)}</p></section>
${l ? listingDetails(t, l) : ''}
${links}`,
    );
  }
  const name = (zhName: string, enName: string) => h(lang === 'zh' ? zhName || enName : enName || zhName);
  const changed = view.status !== 'valid' && (view.stateReason || view.stateChangedAt);
  const main = `<h1>${h(t.certificate)} ${h(view.number)}</h1>
<section aria-labelledby="status-h"><h2 id="status-h">${h(t.status)}</h2>
<p>${statusBadge(t, view.status)}</p>
${
  changed
    ? rows([
        [t.reason, h(view.stateReason || view.detail)],
        [t.since, h(day(view.stateChangedAt))],
      ])
    : ''
}
</section>
<section aria-labelledby="grade-h"><h2 id="grade-h">${h(t.level)}: <span class="level" data-level="${h(view.level)}">${levelOf(t, view.level)}</span></h2>
${rows([
  [t.product, `<a href="/01/${h(view.product.gtin)}">${name(view.product.displayNameZh, view.product.displayName) || h(view.product.gtin)}</a>`],
  [t.gtin, h(view.product.gtin)],
  [t.model, h(view.product.model || '—')],
  [t.brand, view.brand ? name(view.brand.displayNameZh, view.brand.displayName) : '—'],
  [t.enterprise, view.enterprise ? `${name(view.enterprise.displayNameZh, view.enterprise.displayNameEn)} (${h(view.enterprise.creditCode)})` : '—'],
  [t.standard, h(view.standardCode)],
  [t.issuedLevel, levelOf(t, view.issuedLevel)],
  [t.limiting, view.limitingIndicators.length > 0 ? view.limitingIndicators.map(h).join(', ') : '—'],
  [t.body, h(view.certificationBody.name)],
  [t.cnas, h(view.certificationBody.cnasNumber)],
  [t.validity, `${h(day(view.validFrom))} – ${h(day(view.validUntil))}`],
  [t.signature, view.genuine ? `<span class="ok">${h(t.signatureOk)}</span>` : `<span class="bad">${h(t.signatureBad)}</span>`],
])}
</section>
${links}`;
  return layout(lang, `/certificates/${number}`, view.number, main);
}

function listingDetails(t: Messages, l: ListingView): string {
  const product = (p: ListingView['domesticProduct']) => (p ? `<a href="/01/${h(p.gtin)}">${h(p.displayName || p.gtin)}</a> (${h(p.model)})` : '—');
  return rows([
    [t.enterprise, `${h(l.enterpriseDisplayName)} (${h(l.enterpriseCreditCode)})`],
    [t.domestic, product(l.domesticProduct)],
    [t.exportProduct, product(l.exportProduct)],
    [t.standard, h([...l.domesticStandardCodes, ...l.exportStandardCodes].join(', '))],
    [t.market, h(l.exportMarket)],
    [t.path, h(l.path)],
    [t.listedAt, h(day(l.listedAt))],
    [t.validity, h(day(l.validUntil))],
    ...(l.stateReason ? ([[t.reason, h(l.stateReason)]] as Array<[string, string]>) : []),
  ]);
}

export function productPage(lang: Lang, view: ProductView): string {
  const t = messages[lang];
  const p = view.product;
  const title = (lang === 'zh' ? p.displayNameZh || p.displayName : p.displayName || p.displayNameZh) || p.gtin;
  const grades =
    view.grades.length === 0
      ? `<p>${h(t.noGrades)}</p>`
      : `<table><caption class="sr">${h(t.currentGrades)}</caption><thead><tr><th scope="col">${h(t.standard)}</th><th scope="col">${h(t.level)}</th><th scope="col">${h(t.status)}</th><th scope="col">${h(t.certificate)}</th><th scope="col">${h(t.validity)}</th></tr></thead><tbody>${view.grades
          .map(
            (g) =>
              `<tr><td>${h(g.standardCode)}</td><td class="level">${levelOf(t, g.level)}</td><td>${statusBadge(t, g.status)}</td><td><a href="/certificates/${encodeURIComponent(g.certificateNumber)}">${h(g.certificateNumber)}</a></td><td>${h(day(g.validUntil))}</td></tr>`,
          )
          .join('')}</tbody></table>`;
  const sameLine =
    view.sameLine === null
      ? ''
      : view.sameLine.length === 0
        ? `<p>${h(t.noSameLine)}</p>`
        : view.sameLine
            .map((l) => `<p><a href="/certificates/${encodeURIComponent(l.certificateNumber)}">${h(l.certificateNumber)}</a> · ${h(l.state)}</p>`)
            .join('');
  const valuation = view.valuation
    ? rows([
        [t.value, h(view.valuation.value)],
        [t.year, h(view.valuation.year)],
        [t.bsi, h(view.valuation.bsi)],
      ])
    : `<p>${h(t.noValuation)}</p>`;
  const down = view.unavailable.length > 0 ? `<p class="warn" role="status">${h(t.unavailable)} ${h(view.unavailable.join(', '))}</p>` : '';
  const main = `<h1>${h(title)}</h1>
${down}
${rows([
  [t.gtin, h(p.gtin)],
  [t.model, h(p.model || '—')],
  [t.brand, view.brand ? h(lang === 'zh' ? view.brand.displayNameZh || view.brand.displayName : view.brand.displayName) : '—'],
  [
    t.enterprise,
    view.enterprise
      ? `${h(lang === 'zh' ? view.enterprise.displayNameZh : view.enterprise.displayNameEn || view.enterprise.displayNameZh)} (${h(view.enterprise.creditCode)})`
      : '—',
  ],
])}
<section aria-labelledby="grades-h"><h2 id="grades-h">${h(t.currentGrades)}</h2>${grades}</section>
<section aria-labelledby="sameline-h"><h2 id="sameline-h">${h(t.sameLineStatus)}</h2>${sameLine}</section>
<section aria-labelledby="valuation-h"><h2 id="valuation-h">${h(t.valuation)}</h2>${valuation}</section>`;
  return layout(lang, `/01/${p.gtin}`, title, main);
}

export function brandsPage(lang: Lang, valuations: ValuationView[] | null, query: string): string {
  const t = messages[lang];
  const shown = valuations?.filter((v) => !query || `${v.brandDisplayName} ${v.enterpriseDisplayName}`.toLowerCase().includes(query.toLowerCase()));
  const body =
    shown === undefined
      ? `<p class="warn" role="status">${h(t.unavailable)} brand-valuation</p>`
      : shown.length === 0
        ? `<p>${h(t.none)}</p>`
        : `<table><thead><tr><th scope="col">${h(t.brand)}</th><th scope="col">${h(t.enterprise)}</th><th scope="col">${h(t.sector)}</th><th scope="col">${h(t.year)}</th><th scope="col">${h(t.value)}</th><th scope="col">${h(t.bsi)}</th></tr></thead><tbody>${shown
            .map(
              (v) =>
                `<tr><td>${h(v.brandDisplayName)}</td><td>${h(v.enterpriseDisplayName)}</td><td>${h(v.sector)}</td><td>${h(v.year)}</td><td class="num">${h(v.value)}</td><td class="num">${h(v.bsi)}</td></tr>`,
            )
            .join('')}</tbody></table>`;
  const form = `<form action="/brands" method="get"><label for="bq">${h(t.brandFilter)}</label><div class="row"><input id="bq" name="q" maxlength="100" value="${h(query)}"><button type="submit">${h(t.filter)}</button></div></form>`;
  return layout(lang, `/brands${query ? `?q=${encodeURIComponent(query)}` : ''}`, t.brands, `<h1>${h(t.brands)}</h1>${form}${body}`);
}

export function sameLinePage(lang: Lang, listings: ListingView[] | null, filter: { enterprise: string; gtin: string }): string {
  const t = messages[lang];
  const body =
    listings === null
      ? `<p class="warn" role="status">${h(t.unavailable)} same-line</p>`
      : listings.length === 0
        ? `<p>${h(t.none)}</p>`
        : `<table><thead><tr><th scope="col">${h(t.certificate)}</th><th scope="col">${h(t.enterprise)}</th><th scope="col">${h(t.domestic)}</th><th scope="col">${h(t.market)}</th><th scope="col">${h(t.status)}</th></tr></thead><tbody>${listings
            .map(
              (l) =>
                `<tr><td><a href="/certificates/${encodeURIComponent(l.certificateNumber)}">${h(l.certificateNumber)}</a></td><td>${h(l.enterpriseDisplayName)}</td><td>${h(l.domesticProduct?.displayName ?? '—')}</td><td>${h(l.exportMarket)}</td><td>${h(l.state)}</td></tr>`,
            )
            .join('')}</tbody></table>`;
  const form = `<form action="/same-line" method="get"><label for="se">${h(t.enterpriseFilter)}</label><input id="se" name="enterprise" maxlength="18" value="${h(filter.enterprise)}"><label for="sg">${h(t.gtinFilter)}</label><input id="sg" name="gtin" maxlength="14" inputmode="numeric" value="${h(filter.gtin)}"><button type="submit">${h(t.filter)}</button></form>`;
  return layout(lang, '/same-line', t.sameLine, `<h1>${h(t.sameLine)}</h1>${form}${body}`);
}

export function errorPage(lang: Lang, path: string, status: number, message: string, fields: Array<{ field: string; description: string }>): string {
  const t = messages[lang];
  const heading = status === 404 ? t.notFound : status === 400 ? t.badRequest : status === 429 ? t.tooMany : status === 503 ? t.backendDown : t.error;
  const details = fields.length > 0 ? `<ul>${fields.map((f) => `<li><code>${h(f.field)}</code>: ${h(f.description)}</li>`).join('')}</ul>` : '';
  return layout(lang, path, heading, `<h1>${h(heading)}</h1><p role="alert">${h(message)}</p>${details}${searchForm(t)}`);
}

export const STYLESHEET = `:root{color-scheme:light;font-family:system-ui,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;line-height:1.5;color:#1a1a1a;background:#fff}
body{margin:0 auto;max-width:48rem;padding:0 1rem}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}
header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:baseline;justify-content:space-between;padding:1rem 0;border-bottom:1px solid #ccc}
header .brand{font-weight:700;font-size:1.2rem;color:#1a1a1a;text-decoration:none}
nav a{margin-right:.75rem}
a{color:#0b57d0}
h1{font-size:1.5rem;overflow-wrap:anywhere}
label{display:block;font-weight:600;margin:.5rem 0 .25rem}
.row{display:flex;gap:.5rem}
input{flex:1;font-size:1rem;padding:.5rem;border:1px solid #555;border-radius:4px;min-width:0}
button{font-size:1rem;padding:.5rem 1rem;border:0;border-radius:4px;background:#0b57d0;color:#fff}
dl{display:grid;grid-template-columns:minmax(8rem,auto) 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem;border-bottom:1px solid #ddd}.num{text-align:right}
.status{display:inline-block;padding:.2rem .6rem;border-radius:4px;color:#fff}
.status.ok{background:#146c2e}.status.warn{background:#8a4b00}.status.bad{background:#b3261e}
span.ok{color:#146c2e}span.bad{color:#b3261e}p.warn{color:#8a4b00}
.sr{position:absolute;left:-999px}
footer{margin-top:2rem;padding:1rem 0;border-top:1px solid #ccc;font-size:.9rem}
@media (max-width:30rem){dl{grid-template-columns:1fr}dt{margin-top:.5rem}}
`;

/** The JSON API's OpenAPI 3.1 document, served at /api/v1/openapi.json. */
export function openApiDocument(base: string) {
  const error = { $ref: '#/components/responses/Error' };
  const errors = { 400: error, 404: error, 429: error, 503: error };
  const cached = 'Public: carries an ETag and Cache-Control; send If-None-Match for a 304.';
  const param = (name: string, where: 'path' | 'query', description: string, schema: Record<string, unknown> = { type: 'string' }) => ({
    name,
    in: where,
    required: where === 'path',
    description,
    schema,
  });
  return {
    openapi: '3.1.0',
    info: {
      title: 'pinzhi public API',
      version: '1.0.0',
      description:
        "Quality grade certificates, products by GTIN, published brand values and same-line (三同) listings, read from pinzhi's services. Rate limited per client address (429 with Retry-After).",
    },
    servers: [{ url: `${base}/api/v1` }],
    paths: {
      '/certificates/{number}': {
        get: {
          summary: 'Verify a certificate by number: status, genuine (signature checked with the published keys), current, and the certificate as signed',
          description: cached,
          parameters: [param('number', 'path', 'e.g. PZ-G-2026-… (grade) or PZ-SC-… (三同); letters, digits and "-", 3-80 characters')],
          responses: {
            200: { description: 'The certificate view', content: { 'application/json': { schema: { $ref: '#/components/schemas/CertificateView' } } } },
            ...errors,
          },
        },
      },
      '/products/{gtin}': {
        get: {
          summary: 'A product by GTIN: current grades per standard, 三同 listings, the brand’s latest published valuation',
          description: `${cached} A GTIN-8/12/13 is answered with 301 to its 14-digit form; the check digit is verified.`,
          parameters: [param('gtin', 'path', 'GTIN-8, -12, -13 or -14')],
          responses: {
            200: { description: 'The product view', content: { 'application/json': { schema: { type: 'object' } } } },
            301: { description: 'The 14-digit form' },
            ...errors,
          },
        },
      },
      '/brand-valuations': {
        get: {
          summary: 'The published brand-value list, highest value first',
          description: cached,
          parameters: [
            param('year', 'query', 'four-digit year; default the latest year with a published valuation'),
            param('sector', 'query', 'AGRICULTURE, MANUFACTURING or SERVICES'),
            param('pageToken', 'query', 'from nextPageToken'),
          ],
          responses: { 200: { description: 'valuations and nextPageToken', content: { 'application/json': { schema: { type: 'object' } } } }, ...errors },
        },
      },
      '/same-line/listings': {
        get: {
          summary: 'Same-line (三同) listings, newest first',
          description: cached,
          parameters: [
            param('enterprise', 'query', 'unified social credit code, 18 characters'),
            param('gtin', 'query', 'GTIN of either product'),
            param('category', 'query', 'e.g. down-garment'),
            param('market', 'query', 'ISO 3166-1 alpha-2 or EU'),
            param('pageToken', 'query', 'from nextPageToken'),
          ],
          responses: { 200: { description: 'listings and nextPageToken', content: { 'application/json': { schema: { type: 'object' } } } }, ...errors },
        },
      },
      '/signing-keys': {
        get: {
          summary: "Grading's published Ed25519 public keys, to re-verify a certificate's signature offline",
          responses: { 200: { description: 'keys', content: { 'application/json': { schema: { type: 'object' } } } }, ...errors },
        },
      },
    },
    components: {
      schemas: {
        CertificateView: {
          type: 'object',
          required: ['kind', 'number', 'status', 'genuine', 'current'],
          properties: {
            kind: { enum: ['grade', 'same-line'] },
            number: { type: 'string' },
            status: { enum: ['valid', 'downgraded', 'revoked', 'expired', 'superseded', 'not-current', 'not-genuine', 'suspended', 'withdrawn'] },
            genuine: { type: 'boolean' },
            current: { type: 'boolean' },
            reason: { type: 'string' },
            detail: { type: 'string' },
          },
        },
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['status', 'code', 'message', 'fieldViolations'],
              properties: {
                status: { type: 'integer' },
                code: { type: 'string', description: 'the gRPC status name, e.g. INVALID_ARGUMENT' },
                message: { type: 'string' },
                fieldViolations: {
                  type: 'array',
                  items: { type: 'object', properties: { field: { type: 'string' }, description: { type: 'string' }, reason: { type: 'string' } } },
                },
              },
            },
          },
        },
      },
      responses: { Error: { description: 'An error in one shape', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } } },
    },
  };
}

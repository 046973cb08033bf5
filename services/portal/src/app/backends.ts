import { Metadata } from '@grpc/grpc-js';
import { BrandValuationServiceService } from '@pinzhi/contracts/pinzhi/brand/v1/brand_valuation_service';
import { CatalogueServiceService } from '@pinzhi/contracts/pinzhi/catalogue/v1/catalogue_service';
import { HealthCheckResponse_ServingStatus, HealthService } from '@pinzhi/contracts/grpc/health/v1/health';
import { GradingServiceService } from '@pinzhi/contracts/pinzhi/grading/v1/grading_service';
import { SameLineServiceService } from '@pinzhi/contracts/pinzhi/sameline/v1/same_line_service';
import { createUnaryClient, signToken, type JwtSettings, type UnaryClient } from '@pinzhi/platform';

export interface BackendAddresses {
  catalogue: string;
  grading: string;
  brandValuation: string;
  sameLine: string;
}

/**
 * The services the portal reads, over gRPC. Public RPCs need no token; the read RPCs of the
 * catalogue and grading are called as the portal's own read-only identity (role
 * `marketplace`, a short-lived token it signs itself and renews). Calls run inside the HTTP
 * request's span, so the gRPC instrumentation carries the trace into every service asked.
 */
export class Backends {
  readonly catalogue: UnaryClient<typeof CatalogueServiceService>;
  readonly grading: UnaryClient<typeof GradingServiceService>;
  readonly brandValuation: UnaryClient<typeof BrandValuationServiceService>;
  readonly sameLine: UnaryClient<typeof SameLineServiceService>;
  readonly #health: Record<keyof BackendAddresses, UnaryClient<typeof HealthService>>;
  #token: { value: string; renewAt: number } | undefined;

  constructor(
    addresses: BackendAddresses,
    private readonly jwt: JwtSettings,
    private readonly deadlineMs: number,
  ) {
    this.catalogue = createUnaryClient(CatalogueServiceService, addresses.catalogue);
    this.grading = createUnaryClient(GradingServiceService, addresses.grading);
    this.brandValuation = createUnaryClient(BrandValuationServiceService, addresses.brandValuation);
    this.sameLine = createUnaryClient(SameLineServiceService, addresses.sameLine);
    this.#health = {
      catalogue: createUnaryClient(HealthService, addresses.catalogue),
      grading: createUnaryClient(HealthService, addresses.grading),
      brandValuation: createUnaryClient(HealthService, addresses.brandValuation),
      sameLine: createUnaryClient(HealthService, addresses.sameLine),
    };
  }

  /**
   * Ready when the services every certificate page needs (catalogue, grading) are SERVING;
   * brand-valuation and same-line only add sections, so they are reported but not required.
   */
  async readiness(): Promise<{ ready: boolean; backends: Record<string, string> }> {
    const entries = await Promise.all(
      Object.entries(this.#health).map(async ([name, client]) => {
        try {
          const { status } = await client.check({ service: '' }, new Metadata(), { deadline: new Date(Date.now() + 1_000) });
          return [name, HealthCheckResponse_ServingStatus[status] ?? 'UNKNOWN'] as const;
        } catch {
          return [name, 'UNREACHABLE'] as const;
        }
      }),
    );
    const backends = Object.fromEntries(entries);
    return { ready: backends.catalogue === 'SERVING' && backends.grading === 'SERVING', backends };
  }

  /** Metadata for one call: for read RPCs, the portal's token. */
  async metadata(authenticated = false): Promise<Metadata> {
    const metadata = new Metadata();
    if (authenticated) metadata.set('authorization', `Bearer ${await this.#currentToken()}`);
    return metadata;
  }

  get deadline(): Date {
    return new Date(Date.now() + this.deadlineMs);
  }

  close(): void {
    for (const client of [this.catalogue, this.grading, this.brandValuation, this.sameLine, ...Object.values(this.#health)]) client.close();
  }

  async #currentToken(): Promise<string> {
    if (!this.#token || Date.now() >= this.#token.renewAt) {
      const value = await signToken(this.jwt, { subject: 'system:portal', role: 'marketplace', org: 'pinzhi-portal', expiresIn: '10m' });
      this.#token = { value, renewAt: Date.now() + 5 * 60_000 };
    }
    return this.#token.value;
  }
}

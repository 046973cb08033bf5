import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { UnauthenticatedError } from '../errors.js';
import { isRole, roles, type Caller, type Role } from './caller.js';

export interface JwtSettings {
  secret: string;
  issuer: string;
  audience: string;
  /** Longest lifetime a token may claim, in seconds (JWT_MAX_LIFETIME_S); default 24 h. */
  maxLifetimeS?: number;
  /** How far the issuer's clock may be from ours, in seconds; default 60. */
  clockSkewS?: number;
}

const ALG = 'HS256';
export const DEFAULT_JWT_MAX_LIFETIME_S = 24 * 60 * 60;
const DEFAULT_CLOCK_SKEW_S = 60;

/**
 * Verifies bearer tokens (HS256 JWTs) and turns their claims into a Caller.
 * Claims: `sub`, `role`, `org`, optional `scopes` (string array); `exp` is required, so a
 * leaked token stops working, and may lie at most maxLifetimeS after `iat` (or after now,
 * when the token has no `iat`): a token minted for ten years is refused, not honoured.
 * `nbf` and `iat` are honoured with clockSkewS of tolerance; an `iat` further in the future
 * comes from a wrong clock or a forger.
 */
export class TokenVerifier {
  readonly #key: Uint8Array;
  readonly #maxLifetimeS: number;
  readonly #skewS: number;

  constructor(
    private readonly settings: JwtSettings,
    /** The clock (tests); default the system clock. */
    private readonly now: () => Date = () => new Date(),
  ) {
    this.#key = new TextEncoder().encode(settings.secret);
    this.#maxLifetimeS = settings.maxLifetimeS ?? DEFAULT_JWT_MAX_LIFETIME_S;
    this.#skewS = settings.clockSkewS ?? DEFAULT_CLOCK_SKEW_S;
  }

  async verify(token: string): Promise<Caller> {
    const now = this.now();
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.#key, {
        algorithms: [ALG],
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        requiredClaims: ['exp'],
        clockTolerance: this.#skewS,
        currentDate: now,
      }));
    } catch (error) {
      throw new UnauthenticatedError(reasonOf(error), { cause: error });
    }
    const nowS = Math.floor(now.getTime() / 1000);
    const { iat, exp } = payload as { iat?: number; exp: number };
    if (iat !== undefined && iat > nowS + this.#skewS) {
      throw new UnauthenticatedError("the token is issued in the future (iat); check the issuer's clock");
    }
    if (exp - (iat ?? nowS) > this.#maxLifetimeS) {
      throw new UnauthenticatedError(`the token lives longer than the ${this.#maxLifetimeS} s allowed (exp − iat); issue a shorter one`);
    }
    const { sub, role, org, scopes } = payload as Record<string, unknown>;
    if (typeof sub !== 'string' || sub === '') throw new UnauthenticatedError('the token has no subject');
    if (!isRole(role)) throw new UnauthenticatedError(`the token's role must be one of ${roles.join(', ')}`);
    if (typeof org !== 'string' || org === '') throw new UnauthenticatedError('the token names no organisation');
    if (scopes !== undefined && !(Array.isArray(scopes) && scopes.every((s) => typeof s === 'string'))) {
      throw new UnauthenticatedError('the token scopes must be a list of strings');
    }
    return { subject: sub, role, org, scopes: (scopes as string[] | undefined) ?? [] };
  }
}

/** What the caller is told; jose's own messages name claims but may say more than we want to. */
function reasonOf(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'the token has expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'exp') return 'the token has no valid expiry (exp)';
    if (error.claim === 'nbf') return 'the token is not valid yet (nbf)';
  }
  return 'the token is not valid';
}

export interface TokenClaims {
  subject: string;
  role: Role;
  org: string;
  scopes?: readonly string[];
  /** Lifetime such as '8h' or '15m' (jose time span); default 8h. */
  expiresIn?: string;
}

/** Issues a token; used by the dev token CLI and by tests. Production tokens come from an IdP. */
export async function signToken(settings: JwtSettings, claims: TokenClaims): Promise<string> {
  return new SignJWT({ role: claims.role, org: claims.org, scopes: [...(claims.scopes ?? [])] })
    .setProtectedHeader({ alg: ALG })
    .setSubject(claims.subject)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? '8h')
    .sign(new TextEncoder().encode(settings.secret));
}

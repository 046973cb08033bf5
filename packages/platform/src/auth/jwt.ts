import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { UnauthenticatedError } from '../errors.js';
import { isRole, roles, type Caller, type Role } from './caller.js';

export interface JwtSettings {
  secret: string;
  issuer: string;
  audience: string;
}

const ALG = 'HS256';

/**
 * Verifies bearer tokens (HS256 JWTs) and turns their claims into a Caller.
 * Claims: `sub`, `role`, `org`, optional `scopes` (string array).
 */
export class TokenVerifier {
  readonly #key: Uint8Array;

  constructor(private readonly settings: JwtSettings) {
    this.#key = new TextEncoder().encode(settings.secret);
  }

  async verify(token: string): Promise<Caller> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.#key, {
        algorithms: [ALG],
        issuer: this.settings.issuer,
        audience: this.settings.audience,
      }));
    } catch (error) {
      const reason = error instanceof joseErrors.JWTExpired ? 'the token has expired' : 'the token is not valid';
      throw new UnauthenticatedError(reason, { cause: error });
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

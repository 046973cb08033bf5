/** The roles of pinzhi's users (DESIGN.md, Security). */
export const roles = ['certifier', 'enterprise', 'marketplace', 'regulator', 'admin'] as const;
export type Role = (typeof roles)[number];

/** Who is calling, as proven by a verified token. */
export interface Caller {
  /** Token subject: a user or system account id. */
  subject: string;
  role: Role;
  /** The organisation acted for: a unified social credit code, or a CNAS number for certifiers. */
  org: string;
  /** For certifiers, the product categories they are accredited for; empty for other roles. */
  scopes: readonly string[];
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (roles as readonly string[]).includes(value);
}

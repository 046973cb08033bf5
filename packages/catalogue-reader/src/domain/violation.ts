/**
 * A field-level problem found by a validator. Structurally the same as the platform's
 * `FieldViolation`, so adapters can hand these straight to an INVALID_ARGUMENT error without
 * the domain importing the platform package.
 */
export type Violation = {
  /** Path of the offending field as the caller named it, e.g. `enterprise.credit_code`. */
  field: string;
  /** A sentence fit for the caller; says what was expected where that helps fix the input. */
  description: string;
  /** Stable UPPER_SNAKE code a client can branch on, e.g. `CHECK_CHARACTER_MISMATCH`. */
  reason: string;
};

/** Outcome of a parse: the value when the input is usable, otherwise every problem found. */
export type Result<T> = { ok: true; value: T } | { ok: false; violations: Violation[] };

export function violation(field: string, reason: string, description: string): Violation {
  return { field, description, reason };
}

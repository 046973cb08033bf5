/**
 * The badge a listing shows, and how grade news changes it. Pure: no broker, no database;
 * badge-store.ts applies the updates to a table.
 */
import { GradeState, type Grade } from '@pinzhi/contracts/pinzhi/grading/v1/resources';
import type { TypedGradeEvent } from '@pinzhi/subscriber';

export interface Badge {
  gtin: string;
  /** The level to show: the current one, lower than issued after a downgrade. */
  level: string;
  state: 'issued' | 'downgraded';
  certificateNumber: string;
  /** The certificate's signature verified against grading's published keys. */
  verified: boolean;
  standardCode: string;
  /** "grades/{id}": which grade the badge stands for. */
  grade: string;
  /** When that grade was created (ISO 8601): a late event about an older grade must not replace it. */
  gradeCreated: string;
}

/** "{gtin14}|{standard code}" → its parts (standard codes hold spaces and slashes, never '|'). */
export function splitStateKey(key: string): { gtin: string; standardCode: string } {
  const bar = key.indexOf('|');
  return bar < 0 ? { gtin: key, standardCode: '' } : { gtin: key.slice(0, bar), standardCode: key.slice(bar + 1) };
}

export type BadgeUpdate = { action: 'show'; badge: Badge } | { action: 'remove'; gtin: string } | { action: 'keep' };

const keep: BadgeUpdate = { action: 'keep' };

function show(grade: Grade, state: Badge['state'], signatureValid: boolean | null): BadgeUpdate {
  // A grade without certificate has nothing a shopper could check; it earns no badge.
  if (!grade.certificate) return keep;
  return {
    action: 'show',
    badge: {
      gtin: grade.gtin,
      level: grade.level,
      state,
      certificateNumber: grade.certificate.number,
      verified: signatureValid === true,
      standardCode: grade.standardCode,
      grade: grade.name,
      gradeCreated: createdOf(grade),
    },
  };
}

const createdOf = (grade: Grade) => grade.audit?.createTime?.toISOString() ?? '';

/**
 * Whether the badge stands for a newer grade of the same standard than this one. Grading makes
 * the newest grade current (creation time, then name), and after a crash its outbox may
 * deliver an older grade's news after a newer one's, so events are weighed, not just applied.
 */
function showsNewer(current: Badge | undefined, grade: Grade): boolean {
  if (!current || current.standardCode !== grade.standardCode || current.grade === grade.name) return false;
  const created = createdOf(grade);
  return current.gradeCreated > created || (current.gradeCreated === created && current.grade > grade.name);
}

/** Removes the badge only if it stands for this grade: news about an older grade leaves a newer badge alone. */
function removeIfShowing(current: Badge | undefined, grade: string): BadgeUpdate {
  return current && current.grade === grade ? { action: 'remove', gtin: current.gtin } : keep;
}

/**
 * A grade change: issued or downgraded shows the badge at the grade's level unless the badge
 * stands for a newer grade; revoked, expired or superseded removes it if it stands for this
 * grade (a superseding grade arrives, or arrived, as its own `issued` event).
 */
export function updateForEvent(current: Badge | undefined, event: Pick<TypedGradeEvent, 'type' | 'grade' | 'signatureValid'>): BadgeUpdate {
  switch (event.type) {
    case 'issued':
    case 'downgraded':
      return showsNewer(current, event.grade) ? keep : show(event.grade, event.type, event.signatureValid);
    case 'revoked':
    case 'expired':
    case 'superseded':
      return removeIfShowing(current, event.grade.name);
  }
}

/** A record of the current-grade snapshot, keyed "{gtin14}|{standard code}"; null when the product has none. */
export function updateForCurrentGrade(current: Badge | undefined, key: string, grade: Grade | null, signatureValid: boolean | null): BadgeUpdate {
  if (grade === null) {
    const { standardCode } = splitStateKey(key);
    return current && current.standardCode === standardCode ? { action: 'remove', gtin: current.gtin } : keep;
  }
  if (grade.state === GradeState.GRADE_STATE_ISSUED) return show(grade, 'issued', signatureValid);
  if (grade.state === GradeState.GRADE_STATE_DOWNGRADED) return show(grade, 'downgraded', signatureValid);
  return removeIfShowing(current, grade.name);
}

export function sameBadge(a: Badge | undefined, b: Badge | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (Object.keys(a) as Array<keyof Badge>).every((k) => a[k] === b[k]) && Object.keys(a).length === Object.keys(b).length;
}

/** The table as text, one listing a line, for a terminal. */
export function renderBadges(badges: readonly Badge[]): string {
  if (badges.length === 0) return '(no badges)';
  const rows = [...badges]
    .sort((a, b) => a.gtin.localeCompare(b.gtin))
    .map((b) => [b.gtin, b.level, b.state, b.certificateNumber, b.verified ? 'verified' : 'NOT VERIFIED', b.standardCode]);
  const header = ['GTIN', 'level', 'state', 'certificate', 'signature', 'standard'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

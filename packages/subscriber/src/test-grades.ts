/** Fixtures for the unit tests: grades as grading publishes them, with signed certificates. */
import { generateSigningKey, signCertificate, type SigningKeyMaterial } from '@pinzhi/certificates';
import { gradeStateStream, gradeStream } from '@pinzhi/events';
import { Grade, GradeState } from '@pinzhi/contracts/pinzhi/grading/v1/resources';
import { newCloudEvent, type CloudEvent } from '@pinzhi/platform';

export const STANDARD = 'GB/T 14272-2021';

export const testKey = (notBefore = new Date(Date.now() - 60_000)): SigningKeyMaterial => generateSigningKey(notBefore);

export function signedGrade(
  key: SigningKeyMaterial,
  opts: { gtin?: string; gradeId?: string; level?: string; state?: GradeState; certified?: boolean } = {},
): Grade {
  const gtin = opts.gtin ?? '06901234567892';
  const name = `grades/${opts.gradeId ?? 'g-1'}`;
  const fields = {
    number: `PZ-G-2025-${opts.gradeId ?? 'g-1'}`,
    gtin,
    standardCode: STANDARD,
    level: opts.level ?? 'FIRST',
    validFrom: new Date('2025-03-01T00:00:00.000Z'),
    validUntil: new Date('2027-02-28T15:59:59.999Z'),
    issuerCnasNumber: 'CNAS C951-P',
    issuerName: '纺织品质量认证中心',
    grade: name,
  };
  const signature = signCertificate(fields, key);
  return Grade.fromPartial({
    name,
    product: `products/${gtin}`,
    gtin,
    standardCode: STANDARD,
    level: fields.level,
    state: opts.state ?? GradeState.GRADE_STATE_ISSUED,
    certificate:
      opts.certified === false
        ? undefined
        : {
            ...fields,
            signature: {
              algorithm: signature.algorithm,
              keyId: signature.keyId,
              signature: Buffer.from(signature.signature),
              signTime: signature.signedAt,
            },
          },
  });
}

export function gradeCloudEvent(
  verb: 'issued' | 'downgraded' | 'revoked' | 'superseded',
  grade: Grade,
  extra: { previousLevel?: string; supersededBy?: string; id?: string } = {},
): CloudEvent {
  const { type, data } = gradeStream.event(
    verb,
    { grade, previousLevel: extra.previousLevel ?? '', supersededBy: extra.supersededBy ?? '' },
    { key: grade.gtin },
  );
  return newCloudEvent({ source: gradeStream.source, type, subject: grade.name, data, ...(extra.id ? { id: extra.id } : {}) });
}

export function currentGradeCloudEvent(grade: Grade): CloudEvent {
  const { type, data } = gradeStateStream.event('current', { grade }, { key: grade.gtin });
  return newCloudEvent({ source: gradeStateStream.source, type, subject: grade.name, data });
}

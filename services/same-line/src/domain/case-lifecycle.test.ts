import { describe, expect, it } from 'vitest';
import { checkAction, validUntil } from './case-lifecycle.js';
import { canonicalStatementBytes, caseIdOfNumber, statementNumber, type SameLineStatement } from './statement.js';

describe('case lifecycle', () => {
  it('walks the third-party path and returns a suspended case to where it was', () => {
    const c = { path: 'third_party' as const };
    expect(checkAction('start_evaluation', { ...c, state: 'filed' })).toEqual({ ok: true, to: 'under_evaluation' });
    expect(checkAction('add_finding', { ...c, state: 'under_evaluation' })).toEqual({ ok: true, to: 'under_evaluation' });
    expect(checkAction('certify', { ...c, state: 'under_evaluation' })).toEqual({ ok: true, to: 'certified' });
    expect(checkAction('suspend', { ...c, state: 'certified' })).toEqual({ ok: true, to: 'suspended' });
    expect(checkAction('reinstate', { ...c, state: 'suspended', suspendedFrom: 'certified' })).toEqual({ ok: true, to: 'certified' });
    expect(checkAction('reinstate', { path: 'self_declared', state: 'suspended', suspendedFrom: 'declared' })).toEqual({ ok: true, to: 'declared' });
    expect(checkAction('expire', { ...c, state: 'suspended' })).toEqual({ ok: true, to: 'expired' });
  });

  it('refuses an illegal step naming the current state', () => {
    const refused = checkAction('certify', { path: 'third_party', state: 'filed' });
    expect(refused).toEqual({ ok: false, message: 'cannot certify a case that is FILED (only UNDER_EVALUATION)' });
    expect(checkAction('withdraw', { path: 'third_party', state: 'rejected' }).ok).toBe(false);
    expect(checkAction('reinstate', { path: 'self_declared', state: 'declared' })).toMatchObject({ ok: false, message: expect.stringContaining('DECLARED') });
  });

  it('has no evaluation on the self-declared path', () => {
    expect(checkAction('start_evaluation', { path: 'self_declared', state: 'declared' })).toMatchObject({
      ok: false,
      message: expect.stringContaining('SELF_DECLARED'),
    });
  });

  it('ends validity calendar months later', () => {
    expect(validUntil(new Date('2026-01-31T08:00:00Z'), 12).toISOString()).toBe('2027-01-31T08:00:00.000Z');
  });
});

describe('statement', () => {
  const statement: SameLineStatement = {
    number: 'PZ-SC-2026-chengyu-jacket',
    sameLineCase: 'cases/chengyu-jacket',
    path: 'third_party',
    enterprise: 'enterprises/91320500MA1N7D4B8T',
    enterpriseDisplayName: 'Suzhou Chengyu Apparel Co., Ltd.',
    domesticGtin: '06934567801012',
    domesticModel: 'CY-M2401',
    exportGtin: '06934567801029',
    exportModel: 'CY-M2401-EU',
    productionLines: ['productionLines/line-chengyu-down-1'],
    domesticStandardCodes: ['GB/T 14272-2021', 'GB 18401-2010'],
    exportMarket: 'EU',
    exportStandardCodes: ['EN 12935:2001'],
    issuer: 'certificationBodies/91110108MA01R6KX53',
    issuerCnasNumber: 'CNAS C951-P',
    issuerName: 'Huazhi Quality Certification Co., Ltd.',
    validFrom: new Date('2026-11-30T00:00:00Z'),
    validUntil: new Date('2027-11-30T00:00:00Z'),
  };

  it('pins the canonical bytes: a tagged JSON array in field order', () => {
    expect(new TextDecoder().decode(canonicalStatementBytes(statement))).toBe(
      '["pinzhi.sameline.statement.v1","PZ-SC-2026-chengyu-jacket","cases/chengyu-jacket","THIRD_PARTY","enterprises/91320500MA1N7D4B8T",' +
        '"Suzhou Chengyu Apparel Co., Ltd.","06934567801012","CY-M2401","06934567801029","CY-M2401-EU",["productionLines/line-chengyu-down-1"],' +
        '["GB/T 14272-2021","GB 18401-2010"],"EU",["EN 12935:2001"],"certificationBodies/91110108MA01R6KX53","CNAS C951-P",' +
        '"Huazhi Quality Certification Co., Ltd.","2026-11-30T00:00:00.000Z","2027-11-30T00:00:00.000Z"]',
    );
  });

  it('numbers declarations and certificates apart and reads the case back', () => {
    const at = new Date('2026-11-30T00:00:00Z');
    expect(statementNumber('self_declared', 'a-b', at)).toBe('PZ-SD-2026-a-b');
    expect(statementNumber('third_party', 'a-b', at)).toBe('PZ-SC-2026-a-b');
    expect(caseIdOfNumber('PZ-SC-2026-a-b')).toBe('a-b');
    expect(caseIdOfNumber('PZ-G-2026-a-b')).toBeUndefined();
  });
});

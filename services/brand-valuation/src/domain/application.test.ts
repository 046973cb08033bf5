import { describe, expect, it } from 'vitest';
import { checkAction } from './application.js';

describe('the application workflow', () => {
  it('moves each step from the states the issue allows', () => {
    expect(checkAction('submit', 'draft')).toEqual({ ok: true, to: 'submitted' });
    expect(checkAction('start_review', 'submitted')).toEqual({ ok: true, to: 'under_review' });
    expect(checkAction('evaluate', 'under_review')).toEqual({ ok: true, to: 'evaluated' });
    expect(checkAction('publish', 'evaluated')).toEqual({ ok: true, to: 'published' });
    expect(checkAction('update', 'draft')).toEqual({ ok: true, to: 'draft' });
    for (const state of ['submitted', 'under_review', 'evaluated'] as const) expect(checkAction('reject', state)).toEqual({ ok: true, to: 'rejected' });
    for (const state of ['draft', 'submitted', 'under_review', 'evaluated'] as const)
      expect(checkAction('withdraw', state)).toEqual({ ok: true, to: 'withdrawn' });
  });

  it('refuses an illegal step and names the current state', () => {
    expect(checkAction('publish', 'draft')).toEqual({ ok: false, message: 'cannot publish an application that is DRAFT (only EVALUATED)' });
    expect(checkAction('withdraw', 'published')).toMatchObject({ ok: false, message: expect.stringContaining('PUBLISHED') });
    expect(checkAction('update', 'submitted')).toMatchObject({ ok: false });
    expect(checkAction('reject', 'draft')).toMatchObject({ ok: false });
  });
});

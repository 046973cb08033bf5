/** Hostile callers and hostile input against grading (the kit: probe-kit.ts), on a seeded catalogue. */
import { loadSeeds } from '@pinzhi/catalogue/testing';
import { gradingService } from '@pinzhi/grading/testing';
import { logger, startServiceForTest } from '../support/harness.js';
import { securitySuite } from './probe-kit.js';

const changers = ['certifier', 'regulator', 'admin'] as const;

securitySuite({
  key: 'grading',
  service: 'pinzhi.grading.v1.GradingService',
  matrix: {
    IssueGrade: ['certifier'],
    IssueGrades: ['certifier'],
    GetGrade: 'authenticated',
    ListGrades: 'authenticated',
    DowngradeGrade: changers,
    RevokeGrade: changers,
    VerifyCertificate: 'public',
    GetSigningKeys: 'public',
    WatchGrades: 'authenticated',
  },
  perItemResults: ['IssueGrades'],
  async start() {
    const grading = await startServiceForTest(gradingService);
    await loadSeeds(grading.db, grading.relay, logger);
    return grading;
  },
});

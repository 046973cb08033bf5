/** Hostile callers and hostile input against grading (the kit: probe-kit.ts), on a seeded catalogue. */
import { gradingService } from '@pinzhi/grading/testing';
import { seededService, securitySuite } from './probe-kit.js';

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
  start: () => seededService(gradingService),
});

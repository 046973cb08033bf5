/** Hostile callers and hostile input against brand valuation (the kit: probe-kit.ts), on a seeded catalogue. */
import { brandValuationService } from '@pinzhi/brand-valuation/testing';
import { seededService, securitySuite } from './probe-kit.js';

const enterprises = ['enterprise'] as const;
const evaluatorsOrAdmins = ['certifier', 'admin'] as const;

securitySuite({
  key: 'brand-valuation',
  service: 'pinzhi.brand.v1.BrandValuationService',
  matrix: {
    CreateApplication: enterprises,
    UpdateApplication: enterprises,
    GetApplication: 'authenticated',
    ListApplications: 'authenticated',
    SubmitApplication: enterprises,
    StartReview: evaluatorsOrAdmins,
    EvaluateApplication: ['certifier'],
    RejectApplication: evaluatorsOrAdmins,
    WithdrawApplication: enterprises,
    PublishValuation: evaluatorsOrAdmins,
    GetValuationReport: 'authenticated',
    VerifyValuation: 'public',
    ListPublishedValuations: 'public',
    GetSigningKeys: 'public',
  },
  start: () => seededService(brandValuationService),
});

/** Hostile callers and hostile input against same-line (三同) (the kit: probe-kit.ts), on a seeded catalogue. */
import { sameLineService } from '@pinzhi/same-line/testing';
import { seededService, securitySuite } from './probe-kit.js';

const certifiersOrAdmins = ['certifier', 'admin'] as const;
const partiesOrAdmins = ['enterprise', 'certifier', 'admin'] as const;

securitySuite({
  key: 'same-line',
  service: 'pinzhi.sameline.v1.SameLineService',
  matrix: {
    FileCase: ['enterprise'],
    GetCase: 'authenticated',
    ListCases: 'authenticated',
    StartEvaluation: certifiersOrAdmins,
    AddFinding: ['certifier'],
    CertifyCase: ['certifier'],
    RejectCase: certifiersOrAdmins,
    SuspendCase: ['certifier', 'regulator', 'admin'],
    ReinstateCase: partiesOrAdmins,
    WithdrawCase: partiesOrAdmins,
    VerifySameLineCertificate: 'public',
    SearchListings: 'public',
    GetSigningKeys: 'public',
  },
  start: () => seededService(sameLineService),
});

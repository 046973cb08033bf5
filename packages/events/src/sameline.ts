import {
  CaseCertified,
  CaseDeclared,
  CaseExpired,
  CaseFiled,
  CaseRejected,
  CaseReinstated,
  CaseSuspended,
  CaseWithdrawn,
} from '@pinzhi/contracts/pinzhi/sameline/v1/events';
import { defineStream } from './stream.js';

/**
 * Same line, same standard, same quality (三同): cases filed, declared or certified, and
 * everything that happens to the statement afterwards, keyed by case id so one case's
 * history stays in order.
 */
export const sameLineStream = defineStream({
  topic: 'pinzhi.sameline.cases.v1',
  source: '/pinzhi/same-line',
  messages: {
    filed: CaseFiled,
    declared: CaseDeclared,
    certified: CaseCertified,
    rejected: CaseRejected,
    suspended: CaseSuspended,
    reinstated: CaseReinstated,
    withdrawn: CaseWithdrawn,
    expired: CaseExpired,
  },
  typeOf: (verb) => `pinzhi.sameline.case.${verb}.v1`,
});

export type SameLineVerb = keyof typeof sameLineStream.types;

import {
  ApplicationEvaluated,
  ApplicationRejected,
  ApplicationSubmitted,
  ApplicationWithdrawn,
  ValuationFlaggedForReview,
  ValuationPublished,
} from '@pinzhi/contracts/pinzhi/brand/v1/events';
import { defineStream } from './stream.js';

const aggregateOf = {
  submitted: 'application',
  evaluated: 'application',
  rejected: 'application',
  withdrawn: 'application',
  published: 'valuation',
  flagged: 'valuation',
} as const;

/**
 * Brand-value evaluation: applications moving through review and the valuations published,
 * keyed by brand id so one brand's history stays in order.
 */
export const valuationStream = defineStream({
  topic: 'pinzhi.brand.valuations.v1',
  source: '/pinzhi/brand-valuation',
  messages: {
    submitted: ApplicationSubmitted,
    evaluated: ApplicationEvaluated,
    rejected: ApplicationRejected,
    withdrawn: ApplicationWithdrawn,
    published: ValuationPublished,
    flagged: ValuationFlaggedForReview,
  },
  typeOf: (verb) => `pinzhi.brand.${aggregateOf[verb]}.${verb}.v1`,
});

export type ValuationVerb = keyof typeof valuationStream.types;

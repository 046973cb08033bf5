import { valuationStream } from '@pinzhi/events';
import type { NewOutboxEntry } from '@pinzhi/platform';
import type { ValuationEvent } from '../../app/ports.js';
import { applicationToMessage, methodToMessage, moneyToMessage, valuationToMessage } from '../proto/brand-mapping.js';

/** The event a workflow step causes, keyed by brand so one brand's history stays in order. */
export function encodeValuationEvent(event: ValuationEvent): NewOutboxEntry {
  const a = event.application;
  const at = { key: a.brandId, subject: `applications/${a._id}` };
  const application = applicationToMessage(a);
  switch (event.verb) {
    case 'submitted':
      return valuationStream.event('submitted', { application }, at);
    case 'evaluated': {
      const report = a.evaluation!.report;
      return valuationStream.event(
        'evaluated',
        {
          application,
          value: moneyToMessage(report.value),
          valueDecimal: report.value.amount,
          method: methodToMessage(report.headlineMethod),
          bsi: Number(report.brandStrength.index),
        },
        at,
      );
    }
    case 'rejected':
      return valuationStream.event('rejected', { application, reasons: event.reasons }, at);
    case 'withdrawn':
      return valuationStream.event('withdrawn', { application, reason: event.reason }, at);
    case 'published': {
      const valuation = valuationToMessage(a);
      return valuationStream.event(
        'published',
        {
          valuation,
          value: valuation.value,
          valueDecimal: valuation.valueDecimal,
          currencyCode: valuation.value!.currencyCode,
          method: valuation.method,
          valuationDate: valuation.valuationDate,
          bsi: valuation.bsi,
          evaluator: valuation.evaluator,
          brand: valuation.brand,
          supersedes: '',
        },
        { key: a.brandId, subject: valuation.name },
      );
    }
    case 'flagged':
      return valuationStream.event(
        'flagged',
        {
          brand: `brands/${a.brandId}`,
          valuation: `valuations/${a._id}`,
          reason: event.flag.reason,
          causeEventId: event.flag.causeEventId,
          causeEventType: event.flag.causeEventType,
          application: `applications/${a._id}`,
        },
        { key: a.brandId, subject: `valuations/${a._id}` },
      );
  }
}

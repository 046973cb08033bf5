import { SampleReported } from '@pinzhi/contracts/pinzhi/supervision/v1/events';
import { defineStream } from './stream.js';

/** Regulators' supervision-sampling (抽检) results, keyed by product (GTIN-14). */
export const supervisionStream = defineStream({
  topic: 'pinzhi.supervision.samples.v1',
  source: '/pinzhi/supervision',
  messages: { reported: SampleReported },
  typeOf: () => 'pinzhi.supervision.sample.reported.v1',
});

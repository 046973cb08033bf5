import { normaliseGtin, parseStandardCode } from '@pinzhi/catalogue-reader';
import { SampleReported } from '@pinzhi/contracts/pinzhi/supervision/v1/events';
import { InvalidArgumentError, type EventHandler, type Logger } from '@pinzhi/platform';
import type { GradingUseCases } from '../../app/grading-use-cases.js';
import { reportFromMessage } from '../grpc/grading-mapping.js';

export const SUPERVISION_TOPIC = 'pinzhi.supervision.samples.v1';
export const SAMPLE_REPORTED_TYPE = 'pinzhi.supervision.sample.reported.v1';

/**
 * Regulators' supervision-sampling (抽检) results. A failed sample re-grades the product's
 * live grades; anything unreadable is rejected (and so dead-lettered by the consumer) rather
 * than skipped.
 */
export function supervisionSampleHandler(useCases: GradingUseCases, logger: Logger): EventHandler {
  return async (event) => {
    if (event.type !== SAMPLE_REPORTED_TYPE) {
      throw new InvalidArgumentError(`unexpected event type ${event.type} on ${SUPERVISION_TOPIC}`);
    }
    const sample = SampleReported.decode(event.data);
    const gtin = normaliseGtin(sample.product.replace(/^products\//, ''), 'product');
    const standard = parseStandardCode(sample.standardCode, 'standard_code');
    const violations = [...(gtin.ok ? [] : gtin.violations), ...(standard.ok ? [] : standard.violations)];
    if (sample.sampleId.trim() === '') violations.push({ field: 'sample_id', reason: 'REQUIRED', description: 'the sample id is required' });
    if (violations.length > 0) throw new InvalidArgumentError('invalid supervision sample', violations);
    const changed = await useCases.applySupervisionSample({
      sampleId: sample.sampleId,
      productId: (gtin as { value: string }).value,
      standardCode: (standard as { value: { canonical: string } }).value.canonical,
      passed: sample.passed,
      report: reportFromMessage(sample.report),
    });
    logger.info({ sampleId: sample.sampleId, passed: sample.passed, changed: changed.map((g) => `${g._id}:${g.state}:${g.level}`) }, 'supervision sample applied');
  };
}

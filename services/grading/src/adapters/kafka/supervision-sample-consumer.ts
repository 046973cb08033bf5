import { normaliseGtin, parseResourceName, parseStandardCode } from '@pinzhi/catalogue-reader';
import { supervisionStream } from '@pinzhi/events';
import { InvalidArgumentError, type EventHandler, type Logger } from '@pinzhi/platform';
import type { GradingUseCases } from '../../app/grading-use-cases.js';
import { reportFromMessage } from '../proto/grading-mapping.js';

/**
 * Regulators' supervision-sampling (抽检) results. A failed sample re-grades the product's
 * live grades; anything unreadable is rejected (and so dead-lettered by the consumer) rather
 * than skipped.
 */
export function supervisionSampleHandler(useCases: GradingUseCases, logger: Logger): EventHandler {
  return async (event) => {
    const decoded = supervisionStream.decode(event);
    if (decoded.kind === 'unknown-type') throw new InvalidArgumentError(`unexpected event type ${event.type} on ${supervisionStream.topic}`);
    if (decoded.kind === 'malformed') throw new InvalidArgumentError(decoded.reason);
    const sample = decoded.payload;
    const id = parseResourceName('products', sample.product, 'product');
    const gtin = id.ok ? normaliseGtin(id.value, 'product') : id;
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
    logger.info(
      { sampleId: sample.sampleId, passed: sample.passed, changed: changed.map((g) => `${g._id}:${g.state}:${g.level}`) },
      'supervision sample applied',
    );
  };
}

/**
 * Same line (同线): the domestic product and its export twin are made on the same registered
 * production line(s). Every line the case names must exist, belong to the enterprise that
 * owns both products, be active, be registered for the products' category, and list both
 * products; a case that names no line (and whose products share none) fails.
 */
import type { ProductCategory, ProductionLine } from '@pinzhi/catalogue-reader/model';
import { gap, outcomeOf, pass, type CheckItem, type CheckOutcome } from './check-item.js';

export type LineUnderCheck = { id: string; line: Pick<ProductionLine, 'enterpriseId' | 'state' | 'categories'> | null };

export type SameLineInput = {
  enterpriseId: string;
  category: ProductCategory;
  lines: readonly LineUnderCheck[];
  domestic: { gtin14: string; productionLineIds: readonly string[] };
  export: { gtin14: string; productionLineIds: readonly string[] };
};

const FIELD = 'production_lines';

export function checkSameLine(input: SameLineInput): CheckOutcome {
  if (input.lines.length === 0) {
    return outcomeOf([
      gap('production_lines', FIELD, 'NO_SHARED_LINE', `products ${input.domestic.gtin14} and ${input.export.gtin14} share no registered production line`),
    ]);
  }
  return outcomeOf(input.lines.map((l, i) => checkLine(l, input, `${FIELD}[${i}]`)));
}

function checkLine({ id, line }: LineUnderCheck, input: SameLineInput, field: string): CheckItem {
  const subject = `productionLines/${id}`;
  if (!line) return gap(subject, field, 'LINE_NOT_FOUND', `${subject} is not registered in the catalogue`);
  if (line.enterpriseId !== input.enterpriseId) {
    return gap(
      subject,
      field,
      'LINE_OF_ANOTHER_ENTERPRISE',
      `${subject} belongs to enterprises/${line.enterpriseId}, not to the products' owner enterprises/${input.enterpriseId}`,
    );
  }
  if (line.state !== 'active') return gap(subject, field, 'LINE_INACTIVE', `${subject} is ${line.state}`);
  if (!line.categories.includes(input.category)) {
    return gap(subject, field, 'LINE_NOT_FOR_CATEGORY', `${subject} is registered for ${line.categories.join(', ')}, not for ${input.category}`);
  }
  const domesticOn = input.domestic.productionLineIds.includes(id);
  const exportOn = input.export.productionLineIds.includes(id);
  if (!domesticOn) return gap(subject, field, 'DOMESTIC_PRODUCT_NOT_ON_LINE', `domestic product ${input.domestic.gtin14} is not registered on ${subject}`);
  if (!exportOn) return gap(subject, field, 'EXPORT_PRODUCT_NOT_ON_LINE', `export product ${input.export.gtin14} is not registered on ${subject}`);
  return pass(
    subject,
    field,
    `both ${input.domestic.gtin14} and ${input.export.gtin14} are made on ${subject}, an active ${input.category} line of the enterprise`,
  );
}

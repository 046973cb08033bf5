/**
 * A problem with one input field, named by its snake_case path as the gRPC request will spell
 * it (`historical_years[2].net_profit`), so an adapter can pass it on as a field violation
 * unchanged.
 */
export type FieldViolation = {
  field: string;
  /** A sentence for the applicant or evaluator; says what was expected where that helps. */
  description: string;
};

export * from './field-violation.js';
export * from './money.js';
export * from './brand-strength.js';
export * from './valuation-input.js';
export * from './eligibility.js';
export * from './valuation-engine.js';
// valuation-engine-float.ts stays out of the barrel: it is a benchmark floor, and an adapter
// importing from here should not be able to value a brand in doubles by accident.

export * from './categories.js';
export * from './cnas-number.js';
export * from './credit-code.js';
export * from './gtin.js';
export * from './standard-code.js';
export * from './standard.js';
export * from './violation.js';
export * from './records.js';

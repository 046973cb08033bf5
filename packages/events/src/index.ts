export * from './stream.js';
export * from './catalogue.js';
export * from './grading.js';
export * from './supervision.js';
export * from './brand.js';
export * from './sameline.js';
export * from './webhook.js';

export * from './measurement.js';
export * from './grading-engine.js';

// What other packages' tests and benchmarks may use of grading.
export { gradingService } from './grading-service.js';
export { compileStandard } from './domain/grading-engine.js';
export { superiorMeasurements } from './test-fixtures.js';

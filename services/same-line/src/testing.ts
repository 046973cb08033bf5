// What other packages' tests and benchmarks may use of the same-line service.
export { sameLineService } from './same-line-service.js';
export { loadSameLineSeeds, readSameLineSeeds } from './seed.js';

// What other packages' tests and benchmarks may use of brand valuation.
export { brandValuationService } from './brand-valuation-service.js';
export { loadValuationSeeds, readValuationSeeds } from './seed.js';
export { benchEngine, type EngineBenchResult } from './domain/engine-bench.js';

// What other packages' tests and benchmarks may use of the catalogue: its seeds.
export { catalogueService } from './catalogue-service.js';
export { collectionOf } from './adapters/mongo/mongo-catalogue-store.js';
export { loadSeeds, readSeeds } from './seed.js';

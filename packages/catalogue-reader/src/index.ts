// Adapters and composition roots take both halves from here. Domain code imports
// `@pinzhi/catalogue-reader/model` (src/domain) alone, which never loads the MongoDB driver.
export * from './domain/index.js';
export * from './reader.js';
export * from './acting-body.js';

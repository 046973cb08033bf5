export * from './domain/index.js';
export * from './reader.js';
export * from './catalogue-events.js';

export * from './domain/index.js';
export * from './reader.js';

export { MongoBytesSigner, MongoKeyStore } from './mongo-key-store.js';

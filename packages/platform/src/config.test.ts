import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commonSettings, loadConfig } from './config.js';
import { ConfigError } from './errors.js';

const schema = z.object({
  GRPC_PORT: commonSettings.GRPC_PORT,
  MONGO_URL: commonSettings.MONGO_URL,
  KAFKA_BROKERS: commonSettings.KAFKA_BROKERS,
  LOG_LEVEL: commonSettings.LOG_LEVEL,
});

describe('loadConfig', () => {
  it('parses and types a good environment, applying defaults', () => {
    const config = loadConfig(schema, {
      GRPC_PORT: '50051',
      MONGO_URL: 'mongodb://127.0.0.1:27017',
      KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.2:9092',
    });
    expect(config).toEqual({
      GRPC_PORT: 50051,
      MONGO_URL: 'mongodb://127.0.0.1:27017',
      KAFKA_BROKERS: ['127.0.0.1:9092', '127.0.0.2:9092'],
      LOG_LEVEL: 'info',
    });
  });

  it('names every bad variable at once, with the value it got', () => {
    const error = (() => {
      try {
        loadConfig(schema, { GRPC_PORT: 'abc', MONGO_URL: 'postgres://x', KAFKA_BROKERS: 'nohostport' });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.settings).toEqual(['GRPC_PORT', 'MONGO_URL', 'KAFKA_BROKERS']);
    expect(error?.message).toContain('MONGO_URL: must be a mongodb:// or mongodb+srv:// connection string (got "postgres://x")');
    expect(error?.message).toContain('KAFKA_BROKERS');
  });

  it('says when a required variable is missing', () => {
    expect(() => loadConfig(schema, { GRPC_PORT: '1', KAFKA_BROKERS: 'a:1' })).toThrow(/MONGO_URL: must be set \(not set\)/);
  });

  it('never echoes a secret, only its length', () => {
    const secret = 'almost-the-real-key-0123456789';
    const error = (() => {
      try {
        loadConfig(z.object({ JWT_SECRET: commonSettings.JWT_SECRET }), { JWT_SECRET: secret });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error?.message).toBe('invalid configuration:\n  JWT_SECRET: must be at least 32 characters (HS256 key) (got 30 characters)');
    expect(error?.message).not.toContain(secret);
  });
});

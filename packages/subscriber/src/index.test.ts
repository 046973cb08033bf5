import { describe, expect, it } from 'vitest';
import * as subscriber from './index.js';

describe('@pinzhi/subscriber', () => {
  it('exports exactly the public API (no kafkajs in it)', () => {
    expect(Object.keys(subscriber).sort()).toEqual([
      'CURRENT_GRADE_TYPE',
      'certificateFieldsOf',
      'createGradeSubscriber',
      'createSignatureCheck',
      'decodeGradeEvent',
      'defaultGradeTopics',
      'memoryProcessedEvents',
      'publicKeyFromMessage',
      'signingKeysFromGrading',
    ]);
  });
});

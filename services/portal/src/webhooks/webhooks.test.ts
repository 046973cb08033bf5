import { describe, expect, it } from 'vitest';
import { classifyAddress, isAllowedAddress } from './address-policy.js';
import { nextAttempt, retryDelayMs } from './backoff.js';
import { matchesFilter, refsOf } from './event-matching.js';
import { signatureOf, webhookHeaders } from './signature.js';

describe('Standard Webhooks signature', () => {
  it('matches the specification’s test vector', () => {
    // From the Standard Webhooks reference libraries' tests (standard-webhooks/standard-webhooks).
    expect(signatureOf('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('signs with every live secret during a rotation, space-separated', () => {
    const headers = webhookHeaders(['whsec_AAAA', 'whsec_BBBB'], 'msg_1', 1, '{}');
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(headers).toMatchObject({ 'webhook-id': 'msg_1', 'webhook-timestamp': '1' });
  });
});

describe('retry back-off', () => {
  const policy = { baseMs: 5_000, maxMs: 2 * 3600_000, giveUpAfterMs: 24 * 3600_000 };

  it('doubles from the base to the cap, never below half a step', () => {
    expect([1, 2, 3].map((n) => retryDelayMs(n, policy, () => 0))).toEqual([2_500, 5_000, 10_000]);
    expect(retryDelayMs(1, policy, () => 1)).toBe(5_000);
    expect(retryDelayMs(40, policy, () => 1)).toBe(policy.maxMs);
  });

  it('dead-letters once the next attempt would fall past the give-up window', () => {
    const first = new Date(0);
    expect(nextAttempt(first, new Date(1_000), 1, policy, () => 0)).toEqual(new Date(3_500));
    expect(nextAttempt(first, new Date(policy.giveUpAfterMs - 1_000), 30, policy, () => 0)).toBe('dead-letter');
  });
});

describe('address policy (SSRF)', () => {
  it.each([
    ['10.1.2.3', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['100.64.0.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fd12:3456::1', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['0.0.0.0', 'reserved'],
    ['8.8.8.8', 'public'],
    ['2001:4860:4860::8888', 'public'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it('allows loopback only with the development setting, private never', () => {
    expect(isAllowedAddress('127.0.0.1', false)).toBe(false);
    expect(isAllowedAddress('127.0.0.1', true)).toBe(true);
    expect(isAllowedAddress('10.0.0.1', true)).toBe(false);
    expect(isAllowedAddress('93.184.216.34', false)).toBe(true);
  });
});

describe('subscription filters', () => {
  const refs = refsOf({ grade: { brand: 'brands/a', enterprise: 'enterprises/E', category: 'down-garment' } });

  it('match when every listed kind names one of the event’s values; an empty list matches anything', () => {
    expect(matchesFilter({ brands: [], enterprises: [], categories: [] }, refs)).toBe(true);
    expect(matchesFilter({ brands: ['brands/a', 'brands/b'], enterprises: [], categories: ['down-garment'] }, refs)).toBe(true);
    expect(matchesFilter({ brands: ['brands/b'], enterprises: [], categories: [] }, refs)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import * as certificates from './index.js';

describe('@pinzhi/certificates', () => {
  it('exports exactly the public API', () => {
    expect(Object.keys(certificates).sort()).toEqual([
      'KeyRing',
      'canonicalCertificateBytes',
      'certificateFieldsOf',
      'generateSigningKey',
      'publicKeyOf',
      'signBytes',
      'signCertificate',
      'verifyBytes',
      'verifyCertificate',
    ]);
  });
});

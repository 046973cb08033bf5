export { canonicalCertificateBytes, certificateFieldsOf, type CertificateContent, type CertificateFields } from './canonical-bytes.js';
export {
  signBytes,
  signCertificate,
  verifyBytes,
  verifyCertificate,
  type CertificateSignatureValue,
  type VerificationResult,
} from './certificate-signature.js';
export { KeyRing } from './key-ring.js';
export { generateSigningKey, publicKeyOf, type PublicSigningKey, type SigningKeyMaterial } from './signing-key.js';

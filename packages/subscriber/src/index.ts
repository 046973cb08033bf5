export { createGradeSubscriber, CURRENT_GRADE_TYPE, type CurrentGradeInfo, type GradeSubscriber, type GradeSubscriberOptions } from './grade-subscriber.js';
export { decodeGradeEvent, defaultGradeTopics, type GradeEventType, type TypedGradeEvent } from './grade-event.js';
export { memoryProcessedEvents, type ProcessedEvents } from './processed-event-ids.js';
export {
  certificateFieldsOf,
  createSignatureCheck,
  type SignatureCheck,
  type SignatureCheckOptions,
  type SignatureCheckResult,
  type SigningKeySource,
} from './signature-check.js';
export { publicKeyFromMessage, signingKeysFromGrading, type GradingSigningKeys } from './signing-keys.js';

export {
  createMessageClassifier,
  criticalThreshold,
  wantsHumanThreshold,
  type MessageClassifier,
  type MessageClassifierOptions,
} from './classifier.js';
export { decideEscalation, lowConfidenceThreshold, type EscalationFacts } from './rules.js';
export { isComplex } from './complexity.js';
export { headsCodeVersion, type HeadsCacheReport } from './heads-cache.js';

export {
  attributeSentences,
  createGroundingChecker,
  defaultCalibration,
  defaultThreshold,
  responseScore,
  summarize,
  type GroundingCalibration,
  type GroundingOptions,
} from './checker.js';
export { isClaim } from './claims.js';
export { extractFacts, type Fact } from './facts.js';
export { splitSentences, stripCitationMarkers } from './sentences.js';
export { contentStems } from './text.js';

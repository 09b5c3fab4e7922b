/** Text generators behind `TextGenerator` (core/contract/answer.ts): llama.cpp in process and OpenAI-compatible servers. */
export { type LlamaGenerator, type LlamaGeneratorOptions, loadLlamaGenerator } from './llama-generator.js';
export {
  chatCompletionsUrl,
  createOpenAiGenerator,
  type OpenAiGeneratorOptions,
} from './openai-generator.js';
export { type GeneratorManifest, type ResolvedGenerator, resolveGenerator } from './resolve-generator.js';

import type { GenerateResult, HistoryTurn, TextGenerator } from '../../contract/answer.js';
import type { ContextPassage } from '../context.js';
import { buildDraftPrompt } from '../prompts/build-prompt.js';
import type { PromptTemplate } from '../prompts/templates.js';

export interface LlmDraftInput {
  question: string;
  template: PromptTemplate;
  passages: ContextPassage[];
  history: HistoryTurn[];
  maxAnswerTokens: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  onToken?: (text: string) => void;
}

export interface LlmDraft {
  result: GenerateResult;
  /** The passages the prompt held: the only ones the draft may cite. */
  passages: ContextPassage[];
  promptTokens: number;
}

/**
 * A draft written by an LLM from the prompt templates. Low temperature: the same question over the same
 * knowledge should get the same draft, so an agent's review carries over.
 */
export async function composeWithLlm(generator: TextGenerator, input: LlmDraftInput): Promise<LlmDraft> {
  const prompt = buildDraftPrompt({
    template: input.template,
    question: input.question,
    passages: input.passages,
    history: input.history,
    countTokens: (text) => generator.countTokens(text),
    contextTokens: generator.contextTokens,
    maxAnswerTokens: input.maxAnswerTokens,
  });
  const result = await generator.generate({
    messages: prompt.messages,
    maxTokens: input.maxAnswerTokens,
    temperature: 0.1,
    ...(input.onToken ? { onToken: input.onToken } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
    ...(input.timeoutMs !== undefined ? { timeoutMs: input.timeoutMs } : {}),
  });
  return {
    result: { ...result, text: result.text.trim() },
    passages: prompt.passages,
    promptTokens: prompt.promptTokens,
  };
}

/** "[1]", "[2][3]", "[1, 2]" markers of a sentence, as numbers. */
export function citationMarkers(sentence: string): number[] {
  const out: number[] = [];
  for (const match of sentence.matchAll(/\[(\d+(?:\s*,\s*\d+)*)\]/g)) {
    for (const n of (match[1] ?? '').split(',')) out.push(Number(n.trim()));
  }
  return [...new Set(out)];
}

import type { ChatTurn, HistoryTurn } from '../../contract/answer.js';
import { passageLabel, type ContextPassage } from '../context.js';
import { asData } from './sanitize.js';
import { systemPrompt, type PromptTemplate } from './templates.js';

/** The generator's context window cannot hold even the rules, the question and an answer: a set-up problem. */
export class ContextTooSmall extends Error {
  override readonly name = 'ContextTooSmall';
}

export interface DraftPromptInput {
  template: PromptTemplate;
  question: string;
  passages: ContextPassage[];
  history: HistoryTurn[];
  countTokens: (text: string) => number;
  /** The model's context window; the prompt plus the answer must fit in it. */
  contextTokens: number;
  maxAnswerTokens: number;
  /** Most of the remaining budget goes to knowledge; history gets at most this share of it. */
  historyShare?: number;
}

export interface DraftPrompt {
  messages: ChatTurn[];
  /** The passages that fitted, in prompt order: only these may be cited. */
  passages: ContextPassage[];
  historyTurns: number;
  promptTokens: number;
}

/**
 * The chat messages for a draft. The system turn holds only our rules, so no data can reach it. The user turn
 * holds the data sections and then the question: passages best-first with "[n] [KB: Title]" labels, and the
 * newest conversation turns that fit a share of the budget. Passages that do not fit are dropped whole (a
 * half passage can cut a step list and invite a wrong answer).
 */
export function buildDraftPrompt(input: DraftPromptInput): DraftPrompt {
  const system = systemPrompt(input.template);
  const question = asData(input.question);
  const framing = 60; // tags, labels and instructions around the data
  let budget =
    input.contextTokens -
    input.maxAnswerTokens -
    input.countTokens(system) -
    input.countTokens(question) -
    framing;
  if (budget <= 0) {
    throw new ContextTooSmall(
      `the model's context (${input.contextTokens} tokens) is too small for the rules, the question and a ${input.maxAnswerTokens}-token answer`,
    );
  }

  const historyBudget = Math.floor(budget * (input.historyShare ?? 0.25));
  const historyLines: string[] = [];
  let historyUsed = 0;
  for (const turn of [...input.history].reverse()) {
    const line = `${turn.role === 'visitor' ? 'Customer' : 'Support'}: ${asData(turn.text)}`;
    const cost = input.countTokens(line) + 2;
    if (historyUsed + cost > historyBudget) break;
    historyLines.unshift(line);
    historyUsed += cost;
  }
  budget -= historyUsed;

  const used: ContextPassage[] = [];
  const blocks: string[] = [];
  for (const passage of [...input.passages].sort((a, b) => b.score - a.score)) {
    const block = `[${passage.marker}] ${passageLabel(passage)}\n${asData(passage.text)}`;
    const cost = input.countTokens(block) + 2;
    if (cost > budget) continue;
    used.push(passage);
    blocks.push(block);
    budget -= cost;
  }

  const sections = [`<knowledge>\n${blocks.join('\n\n') || '(no passages)'}\n</knowledge>`];
  if (historyLines.length > 0) sections.push(`<conversation>\n${historyLines.join('\n')}\n</conversation>`);
  sections.push(
    `<question>\n${question}\n</question>`,
    'Write the reply to the customer now, following the rules, with [n] markers.',
  );
  const user = sections.join('\n\n');
  return {
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: user },
    ],
    passages: used,
    historyTurns: historyLines.length,
    promptTokens: input.countTokens(system) + input.countTokens(user),
  };
}

/**
 * The answer engine's provider interfaces and result shapes. The embedded implementations are llama.cpp in
 * process and the extractive composer; the scale-out one is an OpenAI-compatible inference server. The draft
 * shape is what `airdesk ask --json` prints (SPEC.md) plus the detail the console shows.
 */
import type { EscalationReason, Priority } from './conversation.js';
import type { QueryType } from './retrieval.js';

// ---------------------------------------------------------------------------------------------------------------
// Text generation (LLMs)

export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface GenerateRequest {
  messages: ChatTurn[];
  maxTokens: number;
  /** 0 = greedy; drafts use a low temperature so a re-ask gives the same answer. */
  temperature?: number;
  /** A JSON schema the output must follow (llama.cpp grammar; `response_format` on a server). */
  jsonSchema?: Record<string, unknown>;
  /** Called with each piece of text as it is produced. */
  onToken?: (text: string) => void;
  signal?: AbortSignal;
  /** Whole-request limit; on expiry the text so far comes back with finish 'timeout'. */
  timeoutMs?: number;
}

export type FinishReason = 'stop' | 'length' | 'aborted' | 'timeout' | 'error';

export interface GenerateResult {
  text: string;
  finish: FinishReason;
  /** Tokens produced (or streamed pieces when the server does not count). */
  tokens: number;
  /** ms from the call to the first token; null when none came. */
  firstTokenMs: number | null;
  totalMs: number;
  /** What went wrong when finish is 'error' or 'timeout'. */
  error?: string;
}

/**
 * An LLM: llama.cpp in process or an OpenAI-compatible HTTP endpoint. A generation never throws for a model
 * failure mid-stream: it returns what it has with the finish reason, so a partial draft is kept and marked.
 */
export interface TextGenerator {
  /** e.g. "llama:gemma-3-270m-it-q4_k_m" or "openai:http://10.0.0.5:8000/v1#qwen2.5-7b". */
  readonly id: string;
  readonly kind: 'llama' | 'openai';
  /** Context window in tokens: prompts are fitted to it. */
  readonly contextTokens: number;
  /** Token count of a text with the model's tokenizer (an estimate for HTTP endpoints). */
  countTokens(text: string): number;
  generate(request: GenerateRequest): Promise<GenerateResult>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Grounding

export interface SentenceGrounding {
  sentence: string;
  supported: boolean;
  /** Support score 0..1 combining the signals below. */
  score: number;
  lexical: number;
  /** Cosine similarity to the best context sentence; null when no embedder is installed. */
  semantic: number | null;
  /** The LLM judge's verdict when a generator exists and was asked; null otherwise. */
  judge: boolean | null;
  /** Facts of the sentence (numbers, amounts, names) that appear in no context passage. */
  unmatchedFacts: string[];
  /** Indices into the context passages that support the sentence best, strongest first. */
  sources: number[];
  /** The context sentence that supports it best (a quote for the citation). */
  quote: string | null;
  /** Sentences without a claim (greetings, questions back) are not checked and count as supported. */
  claim: boolean;
}

export interface GroundingReport {
  /** Share of claim-bearing sentences that are supported, 0..1 (1 when there are none). */
  supported: number;
  unsupported: string[];
  sentences: SentenceGrounding[];
}

export interface GroundingChecker {
  check(context: string[], response: string, signal?: AbortSignal): Promise<GroundingReport>;
}

// ---------------------------------------------------------------------------------------------------------------
// Classification and escalation

export const sentiments = ['positive', 'neutral', 'negative', 'frustrated'] as const;
export type Sentiment = (typeof sentiments)[number];

export const criticalCategories = [
  'billing',
  'refund',
  'account_suspension',
  'legal',
  'security_incident',
] as const;
export type CriticalCategory = (typeof criticalCategories)[number];

export interface HistoryTurn {
  role: 'visitor' | 'assistant' | 'agent';
  text: string;
}

/** What the escalation engine looks at for one incoming message (SPEC `classify --batch` input, plus answer signals). */
export interface ConversationSignals {
  text: string;
  history?: HistoryTurn[];
  minutesElapsed?: number;
  failedAttempts?: number;
  /** The draft's confidence, when a draft was made. */
  confidence?: number;
  /** Corrective retrieval found nothing to answer from. */
  missingKnowledge?: boolean;
}

export interface EscalationDecision {
  escalate: boolean;
  priority: Priority | null;
  reasons: EscalationReason[];
}

export interface MessageClassification {
  queryType: QueryType;
  sentiment: Sentiment;
  /** Probability the visitor asks for a human, 0..1. */
  wantsHuman: number;
  critical: CriticalCategory | null;
  complex: boolean;
  escalation: EscalationDecision;
}

// ---------------------------------------------------------------------------------------------------------------
// Drafts

export interface DraftCitation {
  /** The number the draft's "[n]" markers use. */
  marker: number;
  /** 'kb' cites a knowledge-base chunk; 'answered_before' an approved answer from answer memory. */
  kind: 'kb' | 'answered_before';
  docId: string;
  /** The id the source gave the document (file path, page id); what `search` and `ask` print as docId. */
  externalId: string;
  chunkId: string | null;
  title: string;
  /** The document's web address (http/https) when its source has one, e.g. a Confluence page; else null. */
  url: string | null;
  quote: string;
}

export interface DraftSentence {
  text: string;
  /** Markers of the citations this sentence rests on. */
  citations: number[];
  supported: boolean;
}

export type RetrievalGrade = 'relevant' | 'ambiguous' | 'irrelevant';

export interface AnswerDraft {
  answer: string;
  citations: DraftCitation[];
  sentences: DraftSentence[];
  confidence: number;
  confidenceParts: { coverage: number; specificity: number; noHedging: number; grounding: number };
  escalation: EscalationDecision;
  grounding: { supported: number; unsupported: string[] };
  retrieval: { grade: RetrievalGrade; queries: string[]; hits: number };
  generator: { id: string; kind: 'llama' | 'openai' | 'extractive' };
  /** False when generation stopped early (timeout, cancel, model error): the text is what came before. */
  complete: boolean;
  /** Said to the agent: e.g. the generator model is missing and the extractive composer answered instead. */
  notices: string[];
  /** True when the engine declined to answer ("I don't have that in the knowledge base"). */
  abstained: boolean;
  timings: { retrievalMs: number; generationMs: number; totalMs: number };
}

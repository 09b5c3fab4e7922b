import type {
  AnswerDraft,
  DraftCitation,
  DraftSentence,
  GroundingChecker,
  GroundingReport,
  HistoryTurn,
  MessageClassification,
  TextGenerator,
} from '../contract/answer.js';
import { AppError } from '../contract/errors.js';
import type { AnswerMatch, RememberedAnswer } from '../contract/store.js';
import type { SearchAudience } from '../contract/retrieval.js';
import type { TenantId } from '../contract/tenant.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';
import { composeExtractive } from './compose/extractive.js';
import { citationMarkers, composeWithLlm, type LlmDraft } from './compose/llm-composer.js';
import { scoreConfidence } from './confidence.js';
import type { ContextPassage } from './context.js';
import type { MessageClassifier } from './escalation/index.js';
import { splitSentences, stripCitationMarkers } from './grounding/sentences.js';
import { ContextTooSmall } from './prompts/build-prompt.js';
import { looksLikeInjection } from './prompts/sanitize.js';
import { dontKnowAnswer, templateByQueryType } from './prompts/templates.js';
import { retrieveCorrectively, type CorrectiveRetrieval } from './retrieval/corrective.js';

/** Questions longer than this are refused with a clear error rather than silently cut. */
export const maxQuestionChars = 8_000;
/** An approved answer this close (question cosine) is offered as context with an "answered before" citation. */
export const answeredBeforeSimilarity = 0.85;
/** ...and this close, the extractive composer sends it as the draft: an approved answer outranks a composed one. */
export const reuseApprovedSimilarity = 0.92;

export interface AskInput {
  question: string;
  /** The conversation the draft is for; its hallucination detections are filed under it. */
  conversationId?: string;
  /**
   * Who the draft is for: an agent (its principals), the public widget, or an admin (default). Retrieval shows
   * each only the documents the source's permissions (or the admin's public flag) allow.
   */
  audience?: SearchAudience;
  history?: HistoryTurn[];
  minutesElapsed?: number;
  failedAttempts?: number;
  onToken?: (text: string) => void;
  signal?: AbortSignal;
}

export interface AnswerEngineOptions {
  kb: KnowledgeBase;
  classifier: MessageClassifier;
  grounding: GroundingChecker;
  /** null: the extractive composer writes every draft. */
  generator: TextGenerator | null;
  /** Said with every draft, e.g. that the configured generator model could not be loaded. */
  notices?: string[];
  maxAnswerTokens?: number;
  generationTimeoutMs?: number;
}

/**
 * Turns a question into a draft an agent can trust: corrective retrieval over the tenant's knowledge and its
 * answer memory, a draft from the LLM or the extractive composer, grounding of every sentence, citations,
 * confidence and the escalation decision. Every step is tenant-scoped through the knowledge base and store.
 */
export class AnswerEngine {
  constructor(private readonly options: AnswerEngineOptions) {}

  /** The tenant knowledge the engine answers from (the console's knowledge routes use it too). */
  get knowledge(): KnowledgeBase {
    return this.options.kb;
  }

  get generatorId(): string {
    return this.options.generator?.id ?? 'extractive';
  }

  async ask(tenant: TenantId, input: AskInput): Promise<AnswerDraft> {
    const started = performance.now();
    const asked = validateQuestion(input.question);
    if (
      input.conversationId &&
      !(await this.options.kb.store.conversations.get(tenant, input.conversationId))
    ) {
      throw new AppError(
        'not_found',
        `conversation ${input.conversationId} does not exist in tenant ${tenant}`,
      );
    }
    const notices = [...(this.options.notices ?? [])];
    // Orders addressed to the assistant inside a visitor's message are data, not part of the question: they
    // must not steer retrieval or the composer. What remains is what the customer asked.
    const question = withoutInstructions(asked).trim() || asked;
    if (question !== asked) {
      notices.push('the message contains instructions addressed to the assistant; they were ignored');
    }

    const retrievalStarted = performance.now();
    const [retrieval, remembered] = await Promise.all([
      retrieveCorrectively(this.options.kb, tenant, question, {
        ...(input.signal ? { signal: input.signal } : {}),
        ...(input.audience ? { audience: input.audience } : {}),
      }),
      // Answer memory is not permission-aware: an approved answer may quote a restricted document, so only
      // staff (agents and admins) get it, never the public widget.
      input.audience?.kind === 'public' ? Promise.resolve([]) : this.recall(tenant, question, 2),
    ]);
    if (retrieval.first.notice) notices.push(retrieval.first.notice);
    const passages = contextPassages(retrieval, remembered);
    const retrievalMs = performance.now() - retrievalStarted;

    const generationStarted = performance.now();
    const composed = await this.compose(question, retrieval, passages, remembered, input, notices);
    const generationMs = performance.now() - generationStarted;

    const used = composed.passages;
    const grounding = composed.abstained
      ? emptyGrounding()
      : await this.options.grounding.check(
          used.map((p) => p.text),
          composed.text,
          input.signal,
        );
    const { sentences, citations } = citeSentences(composed.text, used, grounding);
    await this.recordUnsupported(tenant, question, input.conversationId ?? null, composed, grounding);

    const { confidence, parts } = composed.abstained
      ? { confidence: 0, parts: { coverage: 0, specificity: 0, noHedging: 1, grounding: 0 } }
      : scoreConfidence({
          question,
          answer: composed.text,
          retrieval: {
            grade: retrieval.grade,
            topScores: retrieval.hits.map((h) => h.hit.score),
            coverage: Math.max(0, ...retrieval.hits.map((h) => h.coverage)),
          },
          grounding,
        });
    const classification = await this.classify({
      text: asked,
      ...(input.history ? { history: input.history } : {}),
      ...(input.minutesElapsed !== undefined ? { minutesElapsed: input.minutesElapsed } : {}),
      ...(input.failedAttempts !== undefined ? { failedAttempts: input.failedAttempts } : {}),
      confidence,
      missingKnowledge: composed.abstained,
    });

    return {
      answer: composed.text,
      citations,
      sentences,
      confidence,
      confidenceParts: parts,
      escalation: classification.escalation,
      grounding: { supported: grounding.supported, unsupported: grounding.unsupported },
      retrieval: { grade: retrieval.grade, queries: retrieval.queries, hits: retrieval.hits.length },
      generator: composed.generator,
      complete: composed.complete,
      notices,
      abstained: composed.abstained,
      timings: {
        retrievalMs: round(retrievalMs),
        generationMs: round(generationMs),
        totalMs: round(performance.now() - started),
      },
    };
  }

  classify(signals: Parameters<MessageClassifier['classify']>[0]): Promise<MessageClassification> {
    return this.options.classifier.classify(signals);
  }

  /**
   * Keeps a reply an agent approved or wrote, with its question's embedding, so a close question later gets it
   * as context. A later call for the same conversation replaces it (the agent corrected it).
   */
  async remember(
    tenant: TenantId,
    input: { question: string; answer: string; origin: RememberedAnswer['origin']; conversationId?: string },
  ): Promise<RememberedAnswer> {
    const embedder = this.options.kb.embedder;
    if (!embedder) {
      throw new AppError(
        'unavailable',
        'answer memory needs an embedding model; run "npm run setup:models" or import a model folder',
      );
    }
    const [embedding] = await embedder.embed([validateQuestion(input.question)], 'query');
    return this.options.kb.store.answers.remember(tenant, {
      question: input.question,
      answer: input.answer,
      origin: input.origin,
      embedding: embedding!,
      embeddingModel: embedder.modelId,
      ...(input.conversationId ? { conversationId: input.conversationId } : {}),
    });
  }

  /** Resolved questions close to this one, best first (the console's "similar resolved conversations"). */
  async recall(tenant: TenantId, question: string, limit = 5, minSimilarity = answeredBeforeSimilarity) {
    const embedder = this.options.kb.embedder;
    if (!embedder) return [];
    const [embedding] = await embedder.embed([question], 'query');
    return this.options.kb.store.answers.similar(tenant, embedding!, {
      embeddingModel: embedder.modelId,
      limit,
      minSimilarity,
    });
  }

  async close(): Promise<void> {
    await this.options.generator?.close();
  }

  /** Files each unsupported sentence as a hallucination detection, for QA review and the quality loop. */
  private async recordUnsupported(
    tenant: TenantId,
    question: string,
    conversationId: string | null,
    composed: Composed,
    grounding: GroundingReport,
  ): Promise<void> {
    const flagged = grounding.sentences.filter((s) => s.claim && !s.supported);
    if (flagged.length === 0) return;
    const docIds = [...new Set(composed.passages.map((p) => p.docId))];
    await this.options.kb.store.quality.recordHallucinations(
      tenant,
      flagged.map((s) => ({
        conversationId,
        question,
        sentence: s.sentence,
        score: Math.min(1, Math.max(0, s.score)),
        unmatchedFacts: s.unmatchedFacts,
        generator: composed.generator.id,
        docIds,
      })),
    );
  }

  private async compose(
    question: string,
    retrieval: CorrectiveRetrieval,
    passages: ContextPassage[],
    remembered: AnswerMatch[],
    input: AskInput,
    notices: string[],
  ): Promise<Composed> {
    const extractive = { id: 'extractive', kind: 'extractive' as const };
    const best = remembered[0];
    if (retrieval.grade === 'irrelevant' && !best) {
      return { text: dontKnowAnswer, passages: [], generator: extractive, complete: true, abstained: true };
    }

    const generator = this.options.generator;
    const draft = generator
      ? await this.llmDraft(generator, question, retrieval, passages, input, notices)
      : null;
    if (generator && draft) {
      const { result } = draft;
      const info = { id: generator.id, kind: generator.kind };
      if (result.text !== '') {
        if (result.finish !== 'stop' && result.finish !== 'length') {
          notices.push(
            `the generator stopped early (${result.finish}${result.error ? `: ${result.error}` : ''}); the draft is incomplete`,
          );
        }
        return {
          text: result.text,
          passages: draft.passages,
          generator: info,
          complete: result.finish === 'stop' || result.finish === 'length',
          abstained: result.text.startsWith(dontKnowAnswer.slice(0, 30)),
        };
      }
      if (result.finish === 'aborted') {
        return { text: '', passages: draft.passages, generator: info, complete: false, abstained: false };
      }
      notices.push(
        `the generator ${generator.id} produced nothing (${result.finish}${result.error ? `: ${result.error}` : ''}); the extractive composer answered instead`,
      );
    }

    if (best && best.similarity >= reuseApprovedSimilarity) {
      const passage = passages.find((p) => p.kind === 'answered_before')!;
      return {
        text: `${best.answer.answer} [${passage.marker}]`,
        passages: [passage],
        generator: extractive,
        complete: true,
        abstained: false,
      };
    }
    const kbPassages = passages
      .filter((p) => p.kind === 'kb')
      .map((p) => ({ ...p, text: withoutInstructions(p.text) }));
    const composed = composeExtractive({
      question,
      passages: kbPassages.map((p) => ({ ...p, chunkId: p.chunkId ?? '' })),
      queryType: retrieval.first.queryType,
    });
    if (composed.answer.trim() === '') {
      return { text: dontKnowAnswer, passages: [], generator: extractive, complete: true, abstained: true };
    }
    return {
      text: composed.answer,
      passages: kbPassages,
      generator: extractive,
      complete: true,
      abstained: false,
    };
  }

  /** The LLM's draft, or null when its context window cannot hold a prompt (a set-up problem, said as a notice). */
  private async llmDraft(
    generator: TextGenerator,
    question: string,
    retrieval: CorrectiveRetrieval,
    passages: ContextPassage[],
    input: AskInput,
    notices: string[],
  ): Promise<LlmDraft | null> {
    try {
      return await composeWithLlm(generator, {
        question,
        template: templateByQueryType[retrieval.first.queryType],
        passages,
        history: input.history ?? [],
        maxAnswerTokens: this.options.maxAnswerTokens ?? 320,
        ...(this.options.generationTimeoutMs !== undefined
          ? { timeoutMs: this.options.generationTimeoutMs }
          : {}),
        ...(input.signal ? { signal: input.signal } : {}),
        ...(input.onToken ? { onToken: input.onToken } : {}),
      });
    } catch (error) {
      if (!(error instanceof ContextTooSmall)) throw error;
      notices.push(
        `${error.message}; the extractive composer answered instead (raise AIRDESK_GENERATOR_CONTEXT)`,
      );
      return null;
    }
  }
}

interface Composed {
  text: string;
  passages: ContextPassage[];
  generator: AnswerDraft['generator'];
  complete: boolean;
  abstained: boolean;
}

/** The question trimmed; an empty or oversized one is refused with a message that says what to do. */
export function validateQuestion(question: string): string {
  const text = question.trim();
  if (text === '') throw new AppError('invalid_input', 'the question is empty; type what the customer asked');
  if (text.length > maxQuestionChars) {
    throw new AppError(
      'too_large',
      `the question is ${text.length.toLocaleString('en')} characters; the limit is ${maxQuestionChars.toLocaleString('en')}: paste the part that asks something (logs belong in an attachment)`,
    );
  }
  return text;
}

/** Answer memory first (an approved answer outranks a generated one), then the graded knowledge-base hits. */
function contextPassages(retrieval: CorrectiveRetrieval, remembered: AnswerMatch[]): ContextPassage[] {
  const passages: ContextPassage[] = [];
  for (const match of remembered) {
    passages.push({
      marker: passages.length + 1,
      kind: 'answered_before',
      docId: `answer:${match.answer.id}`,
      externalId: `answer:${match.answer.id}`,
      chunkId: null,
      title: match.answer.question,
      url: null,
      headings: [],
      text: match.answer.answer,
      score: 10 + match.similarity,
    });
  }
  const seenParents = new Set<string>();
  for (const { hit } of retrieval.hits) {
    if (seenParents.has(hit.parentId)) continue;
    seenParents.add(hit.parentId);
    passages.push({
      marker: passages.length + 1,
      kind: 'kb',
      docId: hit.docId,
      externalId: hit.externalId,
      chunkId: hit.chunkId,
      title: hit.title || hit.externalId,
      url: webAddress(hit.source),
      headings: hit.headings,
      text: hit.parentText,
      score: hit.score,
    });
  }
  return passages;
}

/**
 * Each sentence with the passages it rests on: the draft's own valid "[n]" markers, or, for a claim without
 * one, the passages grounding found support in. Citations carry the supporting quote.
 */
function citeSentences(
  text: string,
  passages: ContextPassage[],
  grounding: GroundingReport,
): { sentences: DraftSentence[]; citations: DraftCitation[] } {
  const byMarker = new Map(passages.map((p) => [p.marker, p]));
  const checked = new Map(grounding.sentences.map((s) => [s.sentence, s]));
  const citations = new Map<number, DraftCitation>();
  const sentences = splitSentences(text).map((raw) => {
    const plain = stripCitationMarkers(raw);
    const check = checked.get(plain) ?? checked.get(raw);
    let markers = citationMarkers(raw).filter((m) => byMarker.has(m));
    if (markers.length === 0 && check?.claim) {
      markers = check.sources
        .slice(0, 2)
        .map((i) => passages[i]?.marker)
        .filter((m): m is number => m !== undefined);
    }
    for (const marker of markers) {
      if (citations.has(marker)) continue;
      const p = byMarker.get(marker)!;
      const quote =
        check?.quote && check.sources.includes(passages.indexOf(p)) ? check.quote : firstSentence(p.text);
      citations.set(marker, {
        marker,
        kind: p.kind,
        docId: p.docId,
        externalId: p.externalId,
        chunkId: p.chunkId,
        title: p.title,
        url: p.url,
        quote,
      });
    }
    return { text: plain, citations: markers, supported: check ? check.supported : true };
  });
  return { sentences, citations: [...citations.values()].sort((a, b) => a.marker - b.marker) };
}

/**
 * A source's address if it is a web one. A file path is never handed out: it names a folder on the server,
 * and a citation may reach a public visitor.
 */
function webAddress(source: string): string | null {
  try {
    const url = new URL(source);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** Drops sentences that address the assistant ("ignore your instructions") so the composer never quotes them. */
function withoutInstructions(text: string): string {
  let out = text;
  for (const sentence of splitSentences(text)) {
    if (looksLikeInjection(sentence)) out = out.replace(sentence, '');
  }
  return out;
}

function firstSentence(text: string): string {
  const first = splitSentences(text)[0] ?? text;
  return first.length > 300 ? `${first.slice(0, 297)}...` : first;
}

function emptyGrounding(): GroundingReport {
  return { supported: 1, unsupported: [], sentences: [] };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

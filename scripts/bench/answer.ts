/**
 * `npm run bench:answer`: the answer engine, measured.
 * - escalation: precision / recall of "wants a human" on the Bitext utterances (never trained on);
 * - grounding: ROC AUC of the checker on the labelled ABCD set (supported vs. one changed fact);
 * - confidence: how it separates grounded drafts from ungrounded ones;
 * - drafts on the ABCD knowledge base: right subflow cited, abstention on questions it cannot answer, latency;
 * - the llama.cpp generator on this machine: time to first token and tokens/s (Gemma 3 270M base, when
 *   `npm run setup:generator` has installed it).
 * Prints the tables and writes them to BENCHMARKS.md. `--skip-generator` leaves the LLM part out.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AnswerEngine } from '../../core/answer/answer-engine.js';
import { scoreConfidence } from '../../core/answer/confidence.js';
import { createMessageClassifier } from '../../core/answer/escalation/index.js';
import { loadLlamaGenerator } from '../../core/answer/generation/llama-generator.js';
import { createGroundingChecker } from '../../core/answer/grounding/index.js';
import { buildDraftPrompt } from '../../core/answer/prompts/build-prompt.js';
import { retrieveCorrectively } from '../../core/answer/retrieval/corrective.js';
import type { AnswerDraft, GenerateResult } from '../../core/contract/answer.js';
import type { Embedder } from '../../core/contract/retrieval.js';
import {
  defaultEmbedderName,
  defaultModelDirs,
  loadEmbedder,
} from '../../core/knowledge/embedding/registry.js';
import { KnowledgeBase } from '../../core/knowledge/knowledge-base.js';
import { mean, percentile } from '../../core/quality/ir-metrics.js';
import { openSqliteStore } from '../../core/store/sqlite/sqlite-store.js';
import { packageRoot } from '../../core/package-root.js';
import { abcdGuidelinesPath, abcdQuestions, ingestAbcd } from './lib/abcd.js';
import { table, writeSection } from './lib/benchmarks-md.js';
import { evaluateEscalation, formatEscalationReport } from './lib/escalation-eval.js';
import { buildGroundingSet, flipNegation, measureGrounding, rocAuc } from './lib/grounding-set.js';
import { machineLine, peakRssMb, today } from './lib/machine.js';

const skipGenerator = process.argv.includes('--skip-generator');

/**
 * Questions a retail help desk gets that the ABCD guidelines do not answer (our own wording). A good engine
 * abstains on them rather than quoting the nearest procedure.
 */
const offTopicQuestions = [
  'Do you offer gift wrapping for birthday presents?',
  'What time does your Berlin store open on Sundays?',
  'Can I pay with Bitcoin?',
  'Is there a student discount?',
  'How do I connect my printer to the office wifi?',
  'Where is your head office located?',
  'Can I book a table for four people tonight?',
  'Do you sell replacement batteries for electric scooters?',
  'What is the warranty on the laptops you sell?',
  'Are your cotton shirts made from organic cotton?',
  'Do you have a loyalty app for Android phones?',
  'Can I pick up my order from a locker at the train station?',
  'Who is the CEO of your company?',
  'Do you ship to Antarctica?',
  'Is the winter sale going to start in December?',
  'Can I rent a tuxedo for a wedding?',
];

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'airdesk-bench-answer-'));
const store = openSqliteStore(path.join(home, 'data'));
let embedder: Embedder | null = null;
try {
  embedder = await loadEmbedder(defaultEmbedderName, defaultModelDirs(path.join(home, 'data')));
} catch (error) {
  console.error(`bench: ${(error as Error).message}; measuring without the embedder`);
}
const kb = new KnowledgeBase({ store, embedder });
const sections: string[] = [`Machine: ${machineLine()}. Date: ${today()}.`];
const print = (text: string) => {
  console.log(text);
  sections.push(text);
};

// ---------------------------------------------------------------------------------------------------------------
console.error('bench: escalation on Bitext');
const escalationRows: (string | number)[][] = [];
for (const e of embedder ? [null, embedder] : [null]) {
  const report = await evaluateEscalation({ embedder: e });
  console.error(formatEscalationReport(report));
  const pct = (x: number) => (100 * x).toFixed(1);
  for (const half of ['dev', 'test', 'all'] as const) {
    const s = report.wantsHuman[half];
    escalationRows.push([
      report.embedderId ?? 'n-grams only',
      half,
      s.n,
      pct(s.precision),
      pct(s.recall),
      pct(s.f1),
      half === 'all' ? `${report.confusion.flaggedHuman}/${report.confusion.rows}` : '',
      half === 'all' ? pct(report.complaintSentiment.unhappyShare) : '',
    ]);
  }
}
print(
  '### Escalation: "wants a human" on Bitext (contact_human_agent vs. the 26 other intents; target ≥ 95 / 95)\n\n' +
    'Trained only on our own authored examples (core/answer/escalation/training/); Bitext is split into a dev half ' +
    '(read for error analysis) and a test half.\n\n' +
    table(
      [
        'features',
        'half',
        'rows',
        'precision %',
        'recall %',
        'F1 %',
        'contact_customer_service flagged',
        'complaints negative/frustrated %',
      ],
      escalationRows,
    ),
);

// ---------------------------------------------------------------------------------------------------------------
console.error('bench: grounding on the ABCD set');
const groundingSet = buildGroundingSet(abcdGuidelinesPath);
const groundingRows: (string | number)[][] = [];
for (const e of embedder ? [null, embedder] : [null]) {
  for (const m of await measureGrounding(createGroundingChecker({ embedder: e }), groundingSet)) {
    groundingRows.push([
      e ? e.modelId : 'lexical + facts',
      m.split,
      m.examples,
      m.auc.toFixed(3),
      m.accuracy.toFixed(3),
      Object.entries(m.caughtByKind)
        .map(([k, v]) => `${k} ${(v * 100).toFixed(0)}%`)
        .join(', '),
      m.p95Ms.toFixed(1),
    ]);
  }
}
print(
  '### Grounding detection (ABCD: supported sentences vs. one changed number, entity, negation, or another flow; target AUC ≥ 0.90)\n\n' +
    table(
      ['checker', 'split', 'replies', 'ROC AUC', 'accuracy', 'unsupported caught', 'p95 ms'],
      groundingRows,
    ),
);

// ---------------------------------------------------------------------------------------------------------------
console.error('bench: drafts on the ABCD knowledge base');
const ingest = await ingestAbcd(kb, store, 'abcd', path.join(home, 'abcd-md'));
console.error(`bench: ABCD ingested: ${ingest.added} documents, ${ingest.chunks} chunks`);
const classifier = await createMessageClassifier({ embedder });
const grounding = createGroundingChecker({ embedder });
const engine = new AnswerEngine({ kb, classifier, grounding, generator: null });

const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
const citesSubflow = (draft: AnswerDraft, accepted: string[]) =>
  draft.citations.some((c) => accepted.some((s) => c.externalId.endsWith(`--${slug(s)}.md`)));

// Warm-up: the engine is a long-running process; the first call pays for JIT and index opening.
await engine.ask('abcd', { question: 'How do I reset my password?' });
const answerable: { q: (typeof abcdQuestions)[number]; draft: AnswerDraft }[] = [];
for (const q of abcdQuestions)
  answerable.push({ q, draft: await engine.ask('abcd', { question: q.question }) });
const offTopic: AnswerDraft[] = [];
for (const q of offTopicQuestions) offTopic.push(await engine.ask('abcd', { question: q }));

const answered = answerable.filter((a) => !a.draft.abstained);
const rightSubflow = answerable.filter((a) =>
  citesSubflow(a.draft, [a.q.subflow, ...(a.q.alsoAccept ?? [])]),
);
const keyStep = answerable.filter((a) => a.draft.answer.toLowerCase().includes(a.q.keyStep.toLowerCase()));
const latencies = [...answerable.map((a) => a.draft), ...offTopic].map((d) => d.timings.totalMs);
const retrievalMs = [...answerable.map((a) => a.draft), ...offTopic].map((d) => d.timings.retrievalMs);
const share = (n: number, of: number) => `${n}/${of} (${((100 * n) / of).toFixed(0)}%)`;
print(
  `### Drafts on the ABCD knowledge base (extractive composer, ${embedder ? `hybrid retrieval with ${embedder.modelId}` : 'BM25 only'})\n\n` +
    `${abcdQuestions.length} questions of our own that the guidelines answer, ${offTopicQuestions.length} they do not.\n\n` +
    table(
      ['measure', 'value'],
      [
        ['answerable: answered (not abstained)', share(answered.length, answerable.length)],
        ['answerable: the expected subflow cited', share(rightSubflow.length, answerable.length)],
        ['answerable: the key step in the answer', share(keyStep.length, answerable.length)],
        [
          'answerable: mean grounding (share of supported sentences)',
          mean(answered.map((a) => a.draft.grounding.supported)).toFixed(3),
        ],
        ['answerable: mean confidence', mean(answered.map((a) => a.draft.confidence)).toFixed(3)],
        [
          'off-topic: abstained ("I don\'t have that in the knowledge base")',
          share(offTopic.filter((d) => d.abstained).length, offTopic.length),
        ],
        [
          'off-topic: escalated with missing_knowledge',
          share(
            offTopic.filter((d) => d.escalation.reasons.includes('missing_knowledge')).length,
            offTopic.length,
          ),
        ],
        [
          'first draft latency p50 / p95 (ms, target p95 < 300)',
          `${percentile(latencies, 50).toFixed(1)} / ${percentile(latencies, 95).toFixed(1)}`,
        ],
        [
          'of which retrieval p50 / p95 (ms)',
          `${percentile(retrievalMs, 50).toFixed(1)} / ${percentile(retrievalMs, 95).toFixed(1)}`,
        ],
      ],
    ),
);

// ---------------------------------------------------------------------------------------------------------------
// Confidence on grounded vs. ungrounded drafts for the same question and context: the engine's grounded draft,
// and two ungrounded ones: another question's draft (drift) and the draft with a negation flipped.
console.error('bench: confidence separation');
const labels: (0 | 1)[] = [];
const scores: number[] = [];
const byLabel: Record<0 | 1, number[]> = { 0: [], 1: [] };
for (const [i, { q, draft }] of answered.entries()) {
  const retrieval = await retrieveCorrectively(kb, 'abcd', q.question);
  const context = retrieval.hits.map((h) => h.hit.parentText);
  const other = answered[(i + 7) % answered.length]!.draft.answer;
  const flipped = draft.answer
    .split('\n')
    .map((line) => flipNegation(line) ?? line)
    .join('\n');
  const variants: [string, 0 | 1][] = [
    [draft.answer, 1],
    [other, 0],
  ];
  if (flipped !== draft.answer) variants.push([flipped, 0]);
  for (const [answer, label] of variants) {
    const report = await grounding.check(context, answer);
    const { confidence } = scoreConfidence({
      question: q.question,
      answer,
      retrieval: { grade: retrieval.grade, coverage: Math.max(0, ...retrieval.hits.map((h) => h.coverage)) },
      grounding: report,
    });
    labels.push(label);
    scores.push(confidence);
    byLabel[label].push(confidence);
  }
}
const below = (xs: number[]) => share(xs.filter((x) => x < 0.5).length, xs.length);
print(
  '### Confidence: grounded vs. ungrounded drafts\n\n' +
    "For each answered ABCD question: the engine's draft (grounded), another question's draft and the draft with a negation flipped (ungrounded), scored against the same retrieved context.\n\n" +
    table(
      ['measure', 'grounded', 'ungrounded'],
      [
        ['drafts', byLabel[1].length, byLabel[0].length],
        ['mean confidence', mean(byLabel[1]).toFixed(3), mean(byLabel[0]).toFixed(3)],
        ['below 0.5 (escalation offered)', below(byLabel[1]), below(byLabel[0])],
        ['ROC AUC of confidence', rocAuc(scores, labels).toFixed(3), ''],
      ],
    ),
);

// ---------------------------------------------------------------------------------------------------------------
const gemma = path.join(packageRoot, 'models', 'gemma-3-270m-base', 'model.gguf');
if (skipGenerator) {
  console.error('bench: --skip-generator: the LLM part is not measured');
} else if (!fs.existsSync(gemma)) {
  print(`### llama.cpp generator\n\nNot measured: ${gemma} is missing (run \`npm run setup:generator\`).`);
} else {
  console.error('bench: llama.cpp generator (Gemma 3 270M base)');
  const rows: (string | number)[][] = [];
  for (const threads of [1, 2]) {
    const generator = await loadLlamaGenerator({ modelPath: gemma, threads, contextTokens: 2048 });
    const runs: GenerateResult[] = [];
    const promptTokens: number[] = [];
    for (const { q } of answerable.slice(0, 9)) {
      const retrieval = await retrieveCorrectively(kb, 'abcd', q.question);
      const prompt = buildDraftPrompt({
        template: 'base',
        question: q.question,
        passages: retrieval.hits.slice(0, 3).map((h, i) => ({
          marker: i + 1,
          kind: 'kb',
          docId: h.hit.docId,
          externalId: h.hit.externalId,
          chunkId: h.hit.chunkId,
          title: h.hit.title,
          url: null,
          headings: h.hit.headings,
          text: h.hit.parentText,
          score: h.hit.score,
        })),
        history: [],
        countTokens: (t) => generator.countTokens(t),
        contextTokens: generator.contextTokens,
        maxAnswerTokens: 128,
      });
      promptTokens.push(prompt.promptTokens);
      runs.push(await generator.generate({ messages: prompt.messages, maxTokens: 128, temperature: 0 }));
    }
    await generator.close();
    const measured = runs.slice(1); // the first run warms the context
    const ttft = measured.map((r) => r.firstTokenMs ?? r.totalMs);
    const rate = measured.map(
      (r) => (r.tokens - 1) / Math.max(1e-3, (r.totalMs - (r.firstTokenMs ?? 0)) / 1000),
    );
    rows.push([
      threads,
      measured.length,
      mean(promptTokens.slice(1)).toFixed(0),
      `${percentile(ttft, 50).toFixed(0)} / ${percentile(ttft, 95).toFixed(0)}`,
      mean(rate).toFixed(1),
      mean(measured.map((r) => r.tokens)).toFixed(0),
      `${percentile(
        measured.map((r) => r.totalMs),
        50,
      ).toFixed(0)}`,
    ]);
  }
  print(
    '### llama.cpp generator on this machine (Gemma 3 270M base, Q4_K_M; prompt: rules + 3 ABCD passages)\n\n' +
      'The PyPI package holds the pretrained base model, not the instruction-tuned one: it does not follow the ' +
      'prompt, so it is not the default generator (the extractive composer is). It measures what llama.cpp does ' +
      'with a 270M model on 2 cores; answer quality needs an instruct GGUF an admin copies in.\n\n' +
      table(
        [
          'threads',
          'drafts',
          'prompt tokens',
          'time to first token p50 / p95 (ms)',
          'tokens/s',
          'tokens',
          'total p50 (ms)',
        ],
        rows,
      ),
  );
}

print(`Peak RSS: ${peakRssMb().toFixed(0)} MB.`);
const file = writeSection('Answer engine (`npm run bench:answer`)', sections.join('\n\n'));
console.error(`bench: written to ${file}`);
await engine.close();
await kb.close();
await store.close();
fs.rmSync(home, { recursive: true, force: true });

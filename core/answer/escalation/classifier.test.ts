import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Embedder } from '../../contract/retrieval.js';
import { defaultEmbedderName, loadEmbedder } from '../../knowledge/embedding/registry.js';
import { packageRoot } from '../../package-root.js';
import { createMessageClassifier, type MessageClassifier } from './classifier.js';
import { criticalExamples } from './training/critical.js';
import { sentimentExamples } from './training/sentiment.js';
import { wantsHumanNegative, wantsHumanPositive } from './training/wants-human.js';

// Held out: none of these sentences is in the training files (checked below); they try paraphrase, typos,
// indirect requests and the look-alikes that must stay negative.
const asksForHuman = [
  'could somebody from your company pick this up personally?',
  'plz i want to tallk with a humann',
  'get me a real live person on the line',
  'Hello? Is there a living person who reads these messages?',
  'I am tired of this chatbot, hand me to one of your colleagues',
  'Would a staff member be able to message me directly?',
  'connect me to support staff immediately',
];
const doesNotAskForHuman = [
  'What number should I ring to reach your customer service team?',
  'On which days is your customer support line staffed?',
  'how can i change the password on my profile',
  'My package is three days late, where is it?',
  'Thanks, that answered my question!',
  'This product is awful and I regret buying it',
  'Do you deliver to Ireland?',
];
const heldOut = [...asksForHuman, ...doesNotAskForHuman];

function classifierSuite(name: string, make: () => Promise<MessageClassifier>) {
  describe(name, () => {
    let classifier: MessageClassifier;
    beforeAll(async () => {
      classifier = await make();
    });

    it('recognises hand-over requests in paraphrase, with typos and indirect', async () => {
      const results = await classifier.classifyBatch(asksForHuman.map((text) => ({ text })));
      expect(results.map((r, i) => [asksForHuman[i], r.wantsHuman >= 0.5])).toEqual(
        asksForHuman.map((t) => [t, true]),
      );
    });

    it('does not treat contact-detail questions, ordinary questions or complaints as hand-over requests', async () => {
      const results = await classifier.classifyBatch(doesNotAskForHuman.map((text) => ({ text })));
      expect(results.map((r, i) => [doesNotAskForHuman[i], r.wantsHuman >= 0.5])).toEqual(
        doesNotAskForHuman.map((t) => [t, false]),
      );
    });

    it('tells frustration from calm unhappiness and from satisfaction', async () => {
      const cases: [string, string][] = [
        ['I have now tried your fix four times and it STILL crashes, unbelievable', 'frustrated'],
        ['honestly this is hopeless, third chat today and nobody can sort it', 'frustrated'],
        ['The colour is a little different from the photo, which is a shame', 'negative'],
        ['Brilliant, everything is working again, many thanks', 'positive'],
        ['Which sizes does the jacket come in?', 'neutral'],
      ];
      const results = await classifier.classifyBatch(cases.map(([text]) => ({ text })));
      expect(results.map((r, i) => [cases[i]?.[0], r.sentiment])).toEqual(cases);
    });

    it('flags critical categories and leaves general questions alone', async () => {
      const cases: [string, string | null][] = [
        ['there are two identical charges from you on my credit card statement', 'billing'],
        ['my account was hacked and someone changed the password', 'security_incident'],
        ['your platform suspended my profile this morning without explanation', 'account_suspension'],
        ['how long do deliveries to Spain usually take?', null],
      ];
      const results = await classifier.classifyBatch(cases.map(([text]) => ({ text })));
      expect(results.map((r, i) => [cases[i]?.[0], r.critical])).toEqual(cases);
    });

    it('decides escalation from the message and the conversation counters', async () => {
      const human = await classifier.classify({ text: 'can I talk to a person please' });
      expect(human.escalation).toEqual({ escalate: true, priority: 'high', reasons: ['human_requested'] });
      const calm = await classifier.classify({ text: 'How do I export my contacts?', confidence: 0.9 });
      expect(calm.escalation).toEqual({ escalate: false, priority: null, reasons: [] });
      const long = await classifier.classify({
        text: 'Which file formats can I export to?',
        minutesElapsed: 25,
        failedAttempts: 2,
        confidence: 0.3,
        missingKnowledge: true,
      });
      expect(long.escalation.reasons).toEqual(['long_conversation', 'low_confidence', 'missing_knowledge']);
      expect(long.escalation.priority).toBe('medium');
      const empty = await classifier.classify({ text: '   ' });
      expect(empty).toMatchObject({ wantsHuman: 0, sentiment: 'neutral', critical: null });
    });
  });
}

describe('held-out sentences', () => {
  it('are not in the training files', () => {
    const training = new Set(
      [
        ...wantsHumanPositive,
        ...wantsHumanNegative,
        ...Object.values(sentimentExamples).flat(),
        ...Object.values(criticalExamples).flat(),
      ].map((t) => t.toLowerCase()),
    );
    expect(heldOut.filter((t) => training.has(t.toLowerCase()))).toEqual([]);
  });
});

classifierSuite('classifier without an embedder (n-gram features only)', () =>
  createMessageClassifier({ embedder: null }),
);

// The real model is build output; without it the embedding variant is skipped and says so.
const modelDir = path.join(packageRoot, 'models', defaultEmbedderName);
const hasModel = fs.existsSync(path.join(modelDir, 'manifest.json'));
if (!hasModel) console.warn(`SKIPPED classifier-with-embedder tests: no ${modelDir}`);
describe.skipIf(!hasModel)('with the MiniLM embedder', () => {
  let embedder: Embedder | null = null;
  afterAll(async () => embedder?.close());
  classifierSuite('classifier with MiniLM', async () => {
    embedder = await loadEmbedder(defaultEmbedderName, [path.join(packageRoot, 'models')]);
    return createMessageClassifier({ embedder });
  });
});

/**
 * The ABCD agent guidelines (Chen et al., NAACL 2021; MIT) as a help centre would hold them: one Markdown page
 * per subflow under its flow's heading, so the ordinary ingest pipeline reads them like any customer's docs.
 * Used by the extractive composer's tests and by benchmarks; the dataset is read in place, never copied.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Store } from '../../../core/contract/store.js';
import type { TenantId } from '../../../core/contract/tenant.js';
import type { KnowledgeBase } from '../../../core/knowledge/knowledge-base.js';
import type { IngestReport } from '../../../core/knowledge/pipeline/ingest-report.js';
import { runIngest } from '../../../core/knowledge/pipeline/ingest-run.js';
import { datasetsDir } from './beir.js';

export const abcdGuidelinesPath = path.join(datasetsDir, 'abcd-kb', 'guidelines.json');

interface AbcdAction {
  button: string;
  text: string;
  subtext: string[];
}

interface AbcdSubflow {
  instructions?: string[];
  actions?: AbcdAction[];
}

type AbcdGuidelines = Record<string, { description: string; subflows: Record<string, AbcdSubflow> }>;

/** The parsed guidelines.json (kb.json only lists each subflow's action names, which the guidelines hold too). */
export function loadAbcdGuidelines(file = abcdGuidelinesPath): AbcdGuidelines {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as AbcdGuidelines;
}

// ABCD nests options inside a step as "a > b > c"; Markdown nesting keeps them as separate list items.
function subtextLines(subtext: string): string[] {
  const [head, ...nested] = subtext.split(/\s+>\s+/);
  return [`   - ${head ?? ''}`, ...nested.map((n) => `     - ${n}`)];
}

/**
 * One subflow as a Markdown page: `# Flow (description)`, `## Subflow`, the intro, the numbered actions with
 * their details nested, and the closing note. A page per subflow, not per flow: search returns one hit per
 * document, and each subflow is its own answer.
 */
export function abcdSubflowMarkdown(
  flow: string,
  description: string,
  name: string,
  subflow: AbcdSubflow,
): string {
  const [intro, ...outro] = subflow.instructions ?? [];
  const lines = [`# ${flow} (${description})`, '', `## ${name}`, ''];
  if (intro) lines.push(intro, '');
  (subflow.actions ?? []).forEach((action, i) => {
    lines.push(`${i + 1}. ${action.text}`, ...action.subtext.flatMap(subtextLines));
  });
  lines.push('');
  for (const line of outro) lines.push(line, '');
  return lines.join('\n');
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** Writes one Markdown file per ABCD subflow (55) into `outDir`, created if missing; returns the file paths. */
export function writeAbcdMarkdown(outDir: string, guidelines = loadAbcdGuidelines()): string[] {
  fs.mkdirSync(outDir, { recursive: true });
  return Object.entries(guidelines).flatMap(([flow, body]) =>
    Object.entries(body.subflows).map(([name, subflow]) => {
      const file = path.join(outDir, `${slug(flow)}--${slug(name)}.md`);
      fs.writeFileSync(file, abcdSubflowMarkdown(flow, body.description, name, subflow));
      return file;
    }),
  );
}

/**
 * Writes the ABCD Markdown to a temporary folder and ingests it into `tenant` through the real pipeline
 * (`runIngest`, source "abcd"). `store` is the knowledge base's store; the tenant is created if missing.
 */
export async function ingestAbcd(
  kb: KnowledgeBase,
  store: Store,
  tenant: TenantId,
  workDir?: string,
): Promise<IngestReport> {
  if (!(await store.tenants.get(tenant))) await store.tenants.create({ id: tenant });
  const dir = workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'airdesk-abcd-'));
  try {
    writeAbcdMarkdown(dir);
    return await runIngest(kb, { tenant, paths: [dir], source: 'abcd' });
  } finally {
    if (!workDir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A customer question of our own, the subflow that answers it and a step the answer should contain. */
export interface AbcdQuestion {
  question: string;
  /** The `## Subflow` heading the answer should come from. */
  subflow: string;
  /** Subflows with the same guidance (ABCD repeats some word for word), accepted as well. */
  alsoAccept?: string[];
  /** A phrase (an action name or term) the answer's text should contain, case-insensitive. */
  keyStep: string;
}

const returns = ['Return Due to Stain', 'Return Due to Color', 'Return Due to Size'];
const others = (list: string[], one: string) => list.filter((s) => s !== one);

/**
 * Our evaluation set for the composer: questions written the way customers ask them (not taken from ABCD's
 * conversations), each with the subflow a good answer comes from.
 */
export const abcdQuestions: AbcdQuestion[] = [
  {
    question: 'I want a refund for the boots I ordered, how does that work?',
    subflow: 'Initiate Refund',
    keyStep: 'Offer Refund',
  },
  {
    question: 'How do I get my money back for a jacket I bought?',
    subflow: 'Initiate Refund',
    keyStep: 'Offer Refund',
  },
  {
    question: 'Can I add one more item to the refund I already asked for?',
    subflow: 'Update Refund',
    keyStep: 'Offer Refund',
  },
  { question: 'What is the status of my refund?', subflow: 'Refund Status', keyStep: 'status' },
  {
    question: 'The shirt arrived with a stain on it, how do I return it?',
    subflow: 'Return Due to Stain',
    alsoAccept: others(returns, 'Return Due to Stain'),
    keyStep: 'Update Order',
  },
  {
    question: "These jeans are the wrong size and don't fit, can I send them back?",
    subflow: 'Return Due to Size',
    alsoAccept: others(returns, 'Return Due to Size'),
    keyStep: 'Update Order',
  },
  {
    question: "There's a mystery fee on my order that I don't recognise",
    subflow: 'Status Mystery Fee',
    keyStep: 'Oracle',
  },
  {
    question: 'Can you change my delivery time from the morning to the evening?',
    subflow: 'Status Delivery Time',
    keyStep: 'Update Order',
  },
  {
    question: 'I want to upgrade my order to overnight shipping',
    subflow: 'Manage Upgrade',
    keyStep: 'Update Order',
  },
  {
    question: 'I accidentally ordered two of the same thing, can you cancel one?',
    subflow: 'Manage Cancel',
    keyStep: 'Offer Refund',
  },
  {
    question: 'I forgot my username, how can I recover it?',
    subflow: 'Recover Username',
    keyStep: 'Verify Identity',
  },
  {
    question: 'I forgot my password, how do I get a new one?',
    subflow: 'Recover Password',
    keyStep: 'Make Password',
  },
  {
    question: 'How do I reset two-factor authentication on my account?',
    subflow: 'Reset Two-Factor Auth',
    keyStep: 'email',
  },
  {
    question: 'My credit card keeps getting rejected as invalid at checkout',
    subflow: 'Invalid Credit Card',
    keyStep: 'Try Again',
  },
  {
    question: "I add things to my shopping cart but the cart isn't updating",
    subflow: 'Cart Not Updating',
    keyStep: 'Log Out/In',
  },
  {
    question: 'Search on your site shows no results found for everything I type',
    subflow: 'Search Not Working',
    keyStep: 'search',
  },
  {
    question: 'Your website is so slow it is unusable, what can I do?',
    subflow: 'Website Too Slow',
    keyStep: 'log out',
  },
  {
    question: "There's a service on my account that I never added",
    subflow: 'Status Service Added',
    keyStep: 'Oracle',
  },
  {
    question: 'Some credit is missing from my account',
    subflow: 'Status Credit Missing',
    keyStep: 'Promo Code',
  },
  {
    question: 'How do I change the address on my account?',
    subflow: 'Manage Change Address',
    keyStep: 'Update Account',
  },
  {
    question: 'I need to update the phone number on my account',
    subflow: 'Manage Change Phone',
    keyStep: 'Update Account',
  },
  {
    question: 'A competitor has a better price for the same item, can you do something?',
    subflow: 'Bad Price Competitor',
    keyStep: 'Promo Code',
  },
  {
    question: "My promo code isn't working, it says invalid",
    subflow: 'Promo Code Invalid',
    alsoAccept: ['Promo Code Out of Date'],
    keyStep: 'Promo Code',
  },
  {
    question: 'The promo code I got a few weeks ago is out of date now',
    subflow: 'Promo Code Out of Date',
    alsoAccept: ['Promo Code Invalid'],
    keyStep: 'Promo Code',
  },
  {
    question: "I'm being billed for something I never bought",
    subflow: 'Mistimed Billing Never Bought',
    keyStep: 'Oracle',
  },
  {
    question: 'I already returned the item but I was still billed for it',
    subflow: 'Mistimed Billing Already Returned',
    keyStep: 'Update Order',
  },
  {
    question: "My item never arrived and I don't know what happened to it",
    subflow: 'Missing Item',
    keyStep: 'Make Purchase',
  },
  {
    question: 'The shipping cost is too high, can you waive the fee?',
    subflow: 'Shipping Cost',
    keyStep: 'waive',
  },
  {
    question: 'Did my payment go through so my subscription is still active?',
    subflow: 'Status Active',
    keyStep: 'Subscription Status',
  },
  {
    question: "I can't pay for my premium subscription this month, can I get an extension?",
    subflow: 'Manage Extension',
    keyStep: 'extension',
  },
  {
    question: 'Something is wrong with my subscription bill, I think I was charged twice',
    subflow: 'Manage Dispute Bill',
    keyStep: 'Membership Privileges',
  },
  {
    question: 'The one item I want is out of stock, when will it be back?',
    subflow: 'Out-of-Stock One Item',
    keyStep: 'Notify Internal Team',
  },
];

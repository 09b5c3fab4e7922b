/**
 * `npm run bench:server`: the widget listener under load, on loopback.
 * The server (real DeskService + AnswerEngine, extractive composer, BM25 only) runs in this process over a temp
 * data folder with the ABCD guidelines ingested and public, replies on `auto`. The load client runs in a child
 * process (server-load-client.ts), so its work neither slows the server's event loop nor counts in its RSS.
 * 1. messages: open-loop POST /v1/conversations/:id/messages at a fixed rate (latency from the scheduled send
 *    time, so a stalled server cannot hide its queue), plus probe conversations timing the reply's
 *    `message.completed` on their event stream;
 * 2. event streams: many concurrent SSE sessions held open while a bounded number of messages is posted into a
 *    subset; every session's event ids are compared with the persisted event log; peak RSS of the server.
 * Rate limits are raised so they do not shape the measurement. `--quick`: 5 s / 100 sessions.
 * The desk drafts in an engine worker thread (WorkerDeskEngine), as `airdesk serve` does; `--in-process` drafts
 * on the server's event loop instead (the design before it, for comparison); `--engine-concurrency=N` sets the
 * questions the worker runs at once. As in `airdesk serve`, messages the engine refused while its backlog was full are
 * drafted by the desk's catch-up (DeskService.catchUp) when the engine reports it has caught up.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { AnswerEngine } from '../../core/answer/answer-engine.js';
import { createMessageClassifier } from '../../core/answer/escalation/index.js';
import { createGroundingChecker } from '../../core/answer/grounding/index.js';
import { WorkerDeskEngine } from '../../core/answer/worker/engine-client.js';
import { catchUpMaxAgeMs } from '../../core/desk/catch-up.js';
import type { CatchUpReport } from '../../core/desk/desk-service.js';
import { createWidgetKey, openDesk } from '../../core/desk/index.js';
import { KnowledgeBase } from '../../core/knowledge/knowledge-base.js';
import { mean, percentile } from '../../core/quality/ir-metrics.js';
import { startServer } from '../../core/server/server.js';
import { openSqliteStore } from '../../core/store/sqlite/sqlite-store.js';
import { abcdQuestions, ingestAbcd } from './lib/abcd.js';
import { table, writeSection } from './lib/benchmarks-md.js';
import {
  benchOrigin,
  type ClientConfig,
  type ClientResult,
  type ToChild,
  type ToParent,
} from './lib/load-protocol.js';
import { machineLine, peakRssMb, today } from './lib/machine.js';

const quick = process.argv.includes('--quick');
/** `--in-process`: the desk drafts on the server's event loop (the design before the engine worker). */
const inProcess = process.argv.includes('--in-process');
/** `--engine-concurrency=N`: questions the engine worker runs at once (default: WorkerDeskEngine's). */
const concurrencyArg = process.argv.find((a) => a.startsWith('--engine-concurrency='))?.split('=')[1];
const engineConcurrency = concurrencyArg === undefined ? undefined : Number(concurrencyArg);
const tenant = 'acme';
const origin = benchOrigin;

await runServer();

// =============================================================================================== server side

async function runServer(): Promise<void> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'airdesk-bench-server-'));
  const store = openSqliteStore(path.join(home, 'data'));
  await store.tenants.create({ id: tenant, name: 'Acme Retail' });
  const kb = new KnowledgeBase({ store, embedder: null });
  console.error('bench: ingesting the ABCD guidelines');
  const ingest = await ingestAbcd(kb, store, tenant, path.join(home, 'abcd-md'));
  for (const doc of await store.knowledge.listDocuments(tenant, { limit: 1000 })) {
    await kb.setPublic(tenant, doc.id, true);
  }
  const autoReplyThreshold = 0.5;
  await store.desk.updateSettings(tenant, { replyMode: 'auto', autoReplyThreshold });
  const engine = new AnswerEngine({
    kb,
    classifier: await createMessageClassifier({ embedder: null }),
    grounding: createGroundingChecker({ embedder: null }),
    generator: null,
  });
  // The load uses questions the desk answers itself (so every message leads to a reply and its events).
  const questions: string[] = [];
  const askMs: number[] = [];
  await engine.ask(tenant, { question: 'How do I reset my password?', audience: { kind: 'public' } }); // warm-up
  for (const q of abcdQuestions) {
    const askStart = performance.now();
    const d = await engine.ask(tenant, { question: q.question, audience: { kind: 'public' } });
    askMs.push(performance.now() - askStart);
    if (!d.escalation.escalate && !d.abstained && d.complete && d.confidence >= autoReplyThreshold) {
      questions.push(q.question);
    }
  }
  if (questions.length === 0) throw new Error('no ABCD question gets an automatic reply; nothing to measure');
  console.error(
    `bench: ${ingest.added} documents, ${ingest.chunks} chunks; ${questions.length}/${abcdQuestions.length} questions auto-reply`,
  );
  const { key } = await createWidgetKey(store, tenant, [origin]);
  const logger = pino({ level: 'silent' });
  // The desk drafts in an engine worker as `airdesk serve` does (off the HTTP event loop, bounded backlog), and
  // the worker's recovery (backlog under its limit again, or a restart after a crash) starts a catch-up sweep
  // of the messages it refused, as serve wires it (core/cli/answer-context.ts openDeskEngine).
  const overloads: { refused: number }[] = [];
  const stopCatchUp = new AbortController();
  const sweeps: Promise<CatchUpReport>[] = [];
  let catchUp = () => {};
  const deskEngine = inProcess
    ? engine
    : await WorkerDeskEngine.open({
        home: path.join(home, 'data'),
        embedder: null,
        generator: false,
        ...(engineConcurrency ? { concurrency: engineConcurrency } : {}),
        onOverload: (event) => {
          if (event.shedding) return;
          overloads.push({ refused: event.refused });
          catchUp();
        },
        onCrash: ({ error, restarting }) =>
          console.error(`bench: the engine worker crashed (${error.message}); restarting: ${restarting}`),
        onRestarted: () => catchUp(),
      });
  const widget = openDesk({ home: path.join(home, 'data'), store, engine: deskEngine, logger });
  catchUp = () => void sweeps.push(widget.desk.catchUp({ signal: stopCatchUp.signal }));
  /** The desk's runs and the catch-up sweeps they start (a sweep's own refusals can start another). */
  const settled = async () => {
    for (let seen = -1; seen < sweeps.length;) {
      seen = sweeps.length;
      await Promise.all(sweeps);
      await widget.desk.idle();
    }
  };
  const generous = { capacity: 1_000_000, refillPerSecond: 1_000_000 };
  const server = await startServer({
    store,
    logger,
    consolePort: 0,
    widgetPort: 0,
    widgetHost: '127.0.0.1',
    answers: { engine, memory: false },
    widget,
    widgetLimits: { perKey: generous, perVisitor: generous },
  });
  const base = server.listening.widget;
  console.error(`bench: widget listener on ${base}`);

  const config: ClientConfig = {
    base,
    key,
    questions,
    rate: 200,
    loadSeconds: quick ? 5 : 30,
    loadConversations: 200,
    probes: 20,
    sessions: quick ? 100 : 1000,
    holdSeconds: quick ? 5 : 60,
    postedSessions: quick ? 25 : 250,
    messagesPerSession: 2,
  };

  // RSS of this process (the server), sampled per phase.
  const peaks: Record<string, number> = {};
  let phase: 'load' | 'sse' | 'none' = 'none';
  const sampler = setInterval(() => {
    if (phase === 'none') return;
    peaks[phase] = Math.max(peaks[phase] ?? 0, process.memoryUsage().rss / 1024 ** 2);
  }, 100);
  const idleWaits: number[] = [];

  const child: ChildProcess = fork(path.join(import.meta.dirname, 'server-load-client.ts'), [], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const result = await new Promise<ClientResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`the load client exited with ${code} before reporting`)));
    child.on('message', (raw) => {
      const message = raw as ToParent;
      if (message.type === 'phase') phase = message.phase;
      else if (message.type === 'result') resolve(message.result);
      else if (message.what === 'idle') {
        const start = performance.now();
        void settled().then(() => {
          const idleMs = performance.now() - start;
          idleWaits.push(idleMs);
          child.send({ type: 'answer', seq: message.seq, idleMs } satisfies ToChild);
        });
      } else {
        void (async () => {
          const logs: Record<string, number[]> = {};
          for (const id of message.ids) {
            logs[id] = (await store.desk.events(tenant, id, { afterId: 0, limit: 100_000 })).map((e) => e.id);
          }
          child.send({ type: 'answer', seq: message.seq, logs } satisfies ToChild);
        })();
      }
    });
    child.send({ type: 'config', config } satisfies ToChild);
  });
  child.removeAllListeners('exit');
  await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)));
  clearInterval(sampler);

  await settled();
  const caughtUp = await Promise.all(sweeps);
  stopCatchUp.abort(new Error('the bench is stopping'));
  const closeStart = performance.now();
  await server.close();
  const closeMs = performance.now() - closeStart;
  const refusedAtEnd = deskEngine instanceof WorkerDeskEngine ? deskEngine.stats().refused : 0;
  if (deskEngine instanceof WorkerDeskEngine) await deskEngine.close();
  const refused = overloads.reduce((sum, o) => sum + o.refused, refusedAtEnd);
  await engine.close();
  await kb.close();
  await store.close();
  fs.rmSync(home, { recursive: true, force: true });

  // ------------------------------------------------------------------------------------------------- report
  const sum = (reports: CatchUpReport[], key: 'answered' | 'skipped' | 'failed') =>
    reports.reduce((total, r) => total + r[key], 0);
  const ms = (x: number) => x.toFixed(1);
  const mb = (x: number | undefined) => (x === undefined ? 'n/a' : x.toFixed(0));
  const { load, replies, sse } = result;
  const ok = load.outcomes['202'] ?? 0;
  const errors = load.scheduled - ok;
  const serverPeak = Math.max(peaks.load ?? 0, peaks.sse ?? 0);
  const lines: string[] = [];
  lines.push(`Machine: ${machineLine()}. Date: ${today()}.${quick ? ' **Quick run (`--quick`).**' : ''}`);
  lines.push(
    `Server in-process on 127.0.0.1 (Fastify widget listener, real DeskService + AnswerEngine: extractive composer, ` +
      `BM25 only, no embedder), ABCD guidelines (${ingest.added} documents) public, replyMode auto (threshold ` +
      `${autoReplyThreshold}); load client in a separate Node process (node:http, keep-alive agents). Rate limits ` +
      `raised to ${generous.capacity.toLocaleString('en')} burst / s per key and per visitor so they do not shape ` +
      `the measurement (defaults: 300 burst + 5/s per key, 20 + 0.5/s per visitor). Messages are the ` +
      `${questions.length} ABCD questions the desk auto-answers, so each one also runs the engine and emits events.`,
  );
  lines.push(
    `### Message POST, open loop at ${config.rate}/s for ${config.loadSeconds} s over ${config.loadConversations} ` +
      `conversations (target p99 < 250 ms)\n\nLatency is measured from each request's scheduled send time ` +
      `(no coordinated omission); "service" is from the actual send.\n\n` +
      table(
        [
          'scheduled',
          '202',
          'errors',
          'achieved /s',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'max ms',
          'service p99 ms',
        ],
        [
          [
            load.scheduled,
            ok,
            errors === 0 ? 0 : `${errors} (${JSON.stringify(load.outcomes)})`,
            load.achievedRate.toFixed(1),
            ms(load.latency.p50),
            ms(load.latency.p95),
            ms(load.latency.p99),
            ms(load.latency.max),
            ms(load.serviceLatency.p99),
          ],
        ],
      ) +
      `\n\nReply time (POST sent → the reply's \`message.completed\` on the SSE stream), ${config.probes} probe ` +
      `conversations posting one question at a time during the load:\n\n` +
      table(
        ['probes posted', 'replied', 'no reply in 15 s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
        [
          [
            replies.posted,
            replies.replied,
            replies.timeouts,
            ms(replies.latency.p50),
            ms(replies.latency.p95),
            ms(replies.latency.p99),
            ms(replies.latency.max),
          ],
        ],
      ) +
      `\n\nEngine backlog: the desk was idle ${ms((idleWaits[0] ?? 0) / 1000)} s after the last POST's 202. One ` +
      `\`engine.ask\` (extractive, BM25) takes ${ms(mean(askMs))} ms mean / ${ms(percentile(askMs, 95))} ms p95 ` +
      `unloaded on this machine, so one engine answers at most ~${(1000 / mean(askMs)).toFixed(0)} messages/s. ` +
      (inProcess
        ? `**\`--in-process\`**: the desk drafts on the server's event loop (the design before the engine worker).`
        : `The desk drafts in an engine worker thread (WorkerDeskEngine, 2 questions at a time, at most 50 ` +
          `waiting); ${refused} questions over the whole run found the backlog full and were refused at once ` +
          `(\`unavailable\`: the message is kept, without a draft, in the agents' inbox). As in \`airdesk serve\`, ` +
          `each time the engine caught up (backlog under half its limit) the desk's catch-up drafted the refused ` +
          `messages not older than ${catchUpMaxAgeMs / 60_000} min through the normal answer path (on \`auto\` a ` +
          `reply is sent): ${caughtUp.length} sweeps answered ${sum(caughtUp, 'answered')}, skipped ` +
          `${sum(caughtUp, 'skipped')} (answered meanwhile, or the visitor wrote again) and failed ` +
          `${sum(caughtUp, 'failed')}; those replies count in the probes' "replied" when they came within 15 s.`),
  );
  const dropped = sse.expectedEvents - sse.receivedEvents;
  lines.push(
    `### ${sse.sessions} concurrent SSE sessions held ${config.holdSeconds} s (target peak RSS < 1 GiB)\n\n` +
      `${sse.posted} messages posted into ${config.postedSessions} of the sessions (${config.messagesPerSession} each, ` +
      `spread over the hold); after the desk went idle each session's received event ids were compared with the ` +
      `persisted event log of its conversation (every id, in order, no duplicates).\n\n` +
      table(
        [
          'sessions open',
          'open failures',
          'ended early',
          'opening took s',
          'messages 202',
          'events expected',
          'events received',
          'dropped',
          'sessions exact',
          'mismatched',
        ],
        [
          [
            sse.opened,
            sse.openFailures,
            sse.endedEarly,
            sse.openSeconds.toFixed(1),
            sse.postOutcomes['202'] ?? 0,
            sse.expectedEvents,
            sse.receivedEvents,
            dropped,
            sse.sessionsComplete,
            sse.sessionsMismatched,
          ],
        ],
      ) +
      `\n\n` +
      table(
        [
          'server peak RSS MB (POST phase)',
          'server peak RSS MB (SSE phase)',
          'server maxRSS MB (whole run, incl. ingest)',
          'client peak RSS MB',
          'clean shutdown ms',
        ],
        [[mb(peaks.load), mb(peaks.sse), mb(peakRssMb()), mb(result.clientPeakRssMb), ms(closeMs)]],
      ),
  );
  const verdicts = [
    `POST p99 ${ms(load.latency.p99)} ms: ${load.latency.p99 < 250 && errors === 0 ? 'target met' : 'target NOT met'}`,
    `SSE: ${dropped === 0 && sse.sessionsMismatched === 0 && sse.endedEarly === 0 && sse.openFailures === 0 ? 'no dropped events' : 'events dropped or sessions lost'}`,
    `peak RSS ${mb(Math.max(serverPeak, peakRssMb()))} MB: ${Math.max(serverPeak, peakRssMb()) < 1024 ? 'target met' : 'target NOT met'}`,
  ];
  lines.push(`Verdict: ${verdicts.join('; ')}.`);
  const body = lines.join('\n\n');
  console.log(body);
  const file = writeSection('Widget server load (`npm run bench:server`)', body);
  console.error(`bench: wrote ${file}`);
}

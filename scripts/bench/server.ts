/**
 * `npm run bench:server`: the widget listener under load, on loopback.
 * The server (real DeskService + AnswerEngine, extractive composer, BM25 only) runs in this process over a temp
 * data folder with the ABCD guidelines ingested and public, replies on `auto`. The load client runs in a child
 * process (this file with `--client`), so its work neither slows the server's event loop nor counts in its RSS.
 * 1. messages: open-loop POST /v1/conversations/:id/messages at a fixed rate (latency from the scheduled send
 *    time, so a stalled server cannot hide its queue), plus probe conversations timing the reply's
 *    `message.completed` on their event stream;
 * 2. event streams: many concurrent SSE sessions held open while a bounded number of messages is posted into a
 *    subset; every session's event ids are compared with the persisted event log; peak RSS of the server.
 * Rate limits are raised so they do not shape the measurement. `--quick`: 5 s / 100 sessions.
 */
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { AnswerEngine } from '../../core/answer/answer-engine.js';
import { createMessageClassifier } from '../../core/answer/escalation/index.js';
import { createGroundingChecker } from '../../core/answer/grounding/index.js';
import { createWidgetKey, openDesk } from '../../core/desk/index.js';
import { KnowledgeBase } from '../../core/knowledge/knowledge-base.js';
import { mean, percentile } from '../../core/quality/ir-metrics.js';
import { startServer } from '../../core/server/server.js';
import { openSqliteStore } from '../../core/store/sqlite/sqlite-store.js';
import { abcdQuestions, ingestAbcd } from './lib/abcd.js';
import { table, writeSection } from './lib/benchmarks-md.js';
import { machineLine, peakRssMb, today } from './lib/machine.js';

const quick = process.argv.includes('--quick');
const tenant = 'acme';
const origin = 'http://bench.airdesk.invalid';

interface ClientConfig {
  base: string;
  key: string;
  questions: string[];
  rate: number;
  loadSeconds: number;
  loadConversations: number;
  probes: number;
  sessions: number;
  holdSeconds: number;
  /** Sessions that get messages during the hold, and how many each. */
  postedSessions: number;
  messagesPerSession: number;
}

interface LatencyStats {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

interface ClientResult {
  load: {
    scheduled: number;
    outcomes: Record<string, number>;
    latency: LatencyStats;
    serviceLatency: LatencyStats;
    achievedRate: number;
    sendLagMaxMs: number;
  };
  replies: { posted: number; replied: number; timeouts: number; latency: LatencyStats };
  sse: {
    sessions: number;
    opened: number;
    openFailures: number;
    endedEarly: number;
    posted: number;
    postOutcomes: Record<string, number>;
    expectedEvents: number;
    receivedEvents: number;
    sessionsComplete: number;
    sessionsMismatched: number;
    openSeconds: number;
  };
  clientPeakRssMb: number;
}

type ToParent =
  | { type: 'ask'; seq: number; what: 'idle' }
  | { type: 'ask'; seq: number; what: 'events'; ids: string[] }
  | { type: 'phase'; phase: 'load' | 'sse' | 'none' }
  | { type: 'result'; result: ClientResult };
type ToChild =
  | { type: 'config'; config: ClientConfig }
  | { type: 'answer'; seq: number; idleMs?: number; logs?: Record<string, number[]> };

if (process.argv.includes('--client')) await runClient();
else await runServer();

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
  const widget = openDesk({ home: path.join(home, 'data'), store, engine, logger });
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

  const child: ChildProcess = fork(import.meta.filename, ['--client'], {
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
        void widget.desk.idle().then(() => {
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

  const closeStart = performance.now();
  await server.close();
  const closeMs = performance.now() - closeStart;
  await engine.close();
  await kb.close();
  await store.close();
  fs.rmSync(home, { recursive: true, force: true });

  // ------------------------------------------------------------------------------------------------- report
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
      `unloaded on this machine, on the server's event loop, so one process answers at most ~` +
      `${(1000 / mean(askMs)).toFixed(0)} messages/s in the background.`,
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

// =============================================================================================== client side

async function runClient(): Promise<void> {
  const config = await new Promise<ClientConfig>((resolve) =>
    process.once('message', (m) => resolve((m as Extract<ToChild, { type: 'config' }>).config)),
  );
  let seq = 0;
  const waiting = new Map<number, (answer: Extract<ToChild, { type: 'answer' }>) => void>();
  process.on('message', (m) => {
    const message = m as ToChild;
    if (message.type === 'answer') waiting.get(message.seq)?.(message);
  });
  const send = (message: ToParent) => process.send!(message);
  const ask = (what: 'idle' | 'events', ids: string[] = []) =>
    new Promise<Extract<ToChild, { type: 'answer' }>>((resolve) => {
      seq += 1;
      waiting.set(seq, resolve);
      send(what === 'idle' ? { type: 'ask', seq, what } : { type: 'ask', seq, what, ids });
    });
  let clientPeak = 0;
  const rssTimer = setInterval(
    () => (clientPeak = Math.max(clientPeak, process.memoryUsage().rss / 1024 ** 2)),
    200,
  );

  const base = new URL(config.base);
  const postAgent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const sseAgent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const headers = (token?: string) => ({
    authorization: `Bearer ${config.key}`,
    origin,
    'content-type': 'application/json',
    ...(token ? { 'x-visitor-token': token } : {}),
  });

  /** One JSON request; resolves with the status (or an error name) and the body; never rejects. */
  function request(
    method: string,
    pathname: string,
    body: unknown,
    token?: string,
    timeoutMs = 10_000,
  ): Promise<{ status: string; json: unknown }> {
    return new Promise((resolve) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = http.request(
        {
          host: base.hostname,
          port: base.port,
          method,
          path: pathname,
          agent: postAgent,
          headers: {
            ...headers(token),
            ...(payload ? { 'content-length': Buffer.byteLength(payload) } : {}),
          },
        },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () => {
            const text = Buffer.concat(parts).toString('utf8');
            let json: unknown;
            try {
              json = text ? JSON.parse(text) : null;
            } catch {
              json = text;
            }
            resolve({ status: String(res.statusCode), json });
          });
          res.on('error', () => resolve({ status: 'response-error', json: null }));
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
      req.on('error', (e) =>
        resolve({ status: e.message === 'timeout' ? 'timeout' : 'socket-error', json: null }),
      );
      req.end(payload);
    });
  }

  async function startConversations(n: number): Promise<{ id: string; token: string }[]> {
    const out: { id: string; token: string }[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < n) {
          next += 1;
          const r = await request('POST', '/v1/conversations', {});
          if (r.status !== '201')
            throw new Error(`POST /v1/conversations: ${r.status} ${JSON.stringify(r.json)}`);
          const j = r.json as { conversationId: string; visitorToken: string };
          out.push({ id: j.conversationId, token: j.visitorToken });
        }
      }),
    );
    return out;
  }

  interface Session {
    id: string;
    ids: number[];
    ended: boolean;
    onEvent?: (type: string, data: string) => void;
    close(): void;
  }

  /** An SSE session on its own socket; resolves once the 200 arrived (or with null if it failed). */
  function openSession(conversation: { id: string; token: string }): Promise<Session | null> {
    return new Promise((resolve) => {
      const session: Session = { id: conversation.id, ids: [], ended: false, close: () => req.destroy() };
      const req = http.request(
        {
          host: base.hostname,
          port: base.port,
          method: 'GET',
          path: `/v1/conversations/${conversation.id}/events`,
          agent: sseAgent,
          headers: { ...headers(conversation.token), accept: 'text/event-stream' },
        },
        (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            resolve(null);
            return;
          }
          res.setEncoding('utf8');
          let buffer = '';
          res.on('data', (chunk: string) => {
            buffer += chunk;
            let end: number;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              let id: number | null = null;
              let type = 'message';
              let data = '';
              for (const line of block.split('\n')) {
                if (line.startsWith('id: ')) id = Number(line.slice(4));
                else if (line.startsWith('event: ')) type = line.slice(7);
                else if (line.startsWith('data: ')) data += line.slice(6);
              }
              if (id !== null) {
                session.ids.push(id);
                session.onEvent?.(type, data);
              }
            }
          });
          const ended = () => (session.ended = true);
          res.on('end', ended);
          res.on('close', ended);
          res.on('error', ended);
          resolve(session);
        },
      );
      req.on('error', () => {
        session.ended = true;
        resolve(null);
      });
      req.end();
    });
  }

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const stats = (xs: number[]): LatencyStats => ({
    n: xs.length,
    p50: xs.length ? percentile(xs, 50) : NaN,
    p95: xs.length ? percentile(xs, 95) : NaN,
    p99: xs.length ? percentile(xs, 99) : NaN,
    max: xs.length ? Math.max(...xs) : NaN,
  });

  /** Open loop: request i is due at start + i / rate, sent then whatever is still in flight; all counted. */
  async function openLoop(
    total: number,
    rate: number,
    target: (i: number) => { conversation: { id: string; token: string }; text: string },
  ) {
    const outcomes: Record<string, number> = {};
    const latencies: number[] = [];
    const service: number[] = [];
    const inFlight: Promise<void>[] = [];
    let sendLagMax = 0;
    const start = performance.now();
    let i = 0;
    while (i < total) {
      const now = performance.now();
      while (i < total && start + (i * 1000) / rate <= now) {
        const due = start + (i * 1000) / rate;
        sendLagMax = Math.max(sendLagMax, now - due);
        const { conversation, text } = target(i);
        const sent = performance.now();
        inFlight.push(
          request('POST', `/v1/conversations/${conversation.id}/messages`, { text }, conversation.token).then(
            (r) => {
              const done = performance.now();
              outcomes[r.status] = (outcomes[r.status] ?? 0) + 1;
              if (r.status === '202') {
                latencies.push(done - due);
                service.push(done - sent);
              }
            },
          ),
        );
        i += 1;
      }
      if (i < total) await sleep(Math.max(0, start + (i * 1000) / rate - performance.now()));
    }
    const lastDue = start + ((total - 1) * 1000) / rate;
    await Promise.all(inFlight);
    const elapsed = (Math.max(performance.now(), lastDue) - start) / 1000;
    return { outcomes, latencies, service, sendLagMax, elapsed };
  }

  // --------------------------------------------------------------------------------- phase 1: message POSTs
  console.error(`bench client: phase 1, ${config.rate}/s for ${config.loadSeconds} s`);
  const loadConversations = await startConversations(config.loadConversations);
  const probeConversations = await startConversations(config.probes);
  const probeSessions = (await Promise.all(probeConversations.map(openSession))).map((s, i) => {
    if (!s) throw new Error(`probe session ${probeConversations[i]!.id} did not open`);
    return s;
  });
  send({ type: 'phase', phase: 'load' });
  const total = config.rate * config.loadSeconds;
  const replyTimes: number[] = [];
  let probePosted = 0;
  let probeTimeouts = 0;
  let loadRunning = true;
  const probing = probeSessions.map(async (session, p) => {
    const conversation = probeConversations[p]!;
    await sleep((p * 1000) / config.probes); // spread the probes over the first second
    for (let k = 0; loadRunning; k++) {
      const text = config.questions[(p + k) % config.questions.length]!;
      const reply = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 15_000);
        session.onEvent = (type, data) => {
          const role = type === 'message.completed' ? (JSON.parse(data) as { role: string }).role : null;
          if (role === 'assistant' || role === 'system') {
            clearTimeout(timer);
            resolve(true);
          }
        };
      });
      const sent = performance.now();
      probePosted += 1;
      const r = await request(
        'POST',
        `/v1/conversations/${conversation.id}/messages`,
        { text },
        conversation.token,
      );
      if (r.status !== '202' || !(await reply)) probeTimeouts += 1;
      else replyTimes.push(performance.now() - sent);
      session.onEvent = undefined;
      await sleep(1000);
    }
  });
  const load = await openLoop(total, config.rate, (i) => ({
    conversation: loadConversations[i % loadConversations.length]!,
    text: config.questions[i % config.questions.length]!,
  }));
  loadRunning = false;
  await ask('idle'); // the engine's backlog: how long after the last POST the replies were all out
  await Promise.all(probing);
  for (const s of probeSessions) s.close();
  send({ type: 'phase', phase: 'none' });

  // ------------------------------------------------------------------------------------ phase 2: SSE sessions
  console.error(`bench client: phase 2, ${config.sessions} SSE sessions for ${config.holdSeconds} s`);
  const sseConversations = await startConversations(config.sessions);
  send({ type: 'phase', phase: 'sse' });
  const openStart = performance.now();
  const sessions: (Session | null)[] = new Array<Session | null>(sseConversations.length).fill(null);
  let nextOpen = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (nextOpen < sseConversations.length) {
        const index = nextOpen++;
        sessions[index] = await openSession(sseConversations[index]!);
      }
    }),
  );
  const openSeconds = (performance.now() - openStart) / 1000;
  const holdStart = performance.now();
  const posted = config.postedSessions * config.messagesPerSession;
  // The messages go out at a fixed rate over the first 3/4 of the hold, so their replies land within it.
  const postRate = posted / (config.holdSeconds * 0.75);
  const ssePosts = await openLoop(posted, postRate, (i) => ({
    conversation: sseConversations[i % config.postedSessions]!,
    text: config.questions[i % config.questions.length]!,
  }));
  await sleep(Math.max(0, config.holdSeconds * 1000 - (performance.now() - holdStart)));
  await ask('idle');
  const ids = sseConversations.map((c) => c.id);
  const { logs = {} } = await ask('events', ids);
  // Events stored before idle were written to the sockets already; give the last bytes a moment to arrive.
  const expectedOf = (s: Session) => logs[s.id] ?? [];
  const settleStart = performance.now();
  while (performance.now() - settleStart < 10_000) {
    const behind = sessions.some((s) => s && !s.ended && s.ids.length < expectedOf(s).length);
    if (!behind) break;
    await sleep(50);
  }
  let expectedEvents = 0;
  let receivedEvents = 0;
  let complete = 0;
  let mismatched = 0;
  for (let i = 0; i < sseConversations.length; i++) {
    const expected = logs[sseConversations[i]!.id] ?? [];
    expectedEvents += expected.length;
    const got = sessions[i]?.ids ?? [];
    const exact = got.length === expected.length && got.every((id, k) => id === expected[k]);
    receivedEvents += got.filter((id) => expected.includes(id)).length;
    if (exact) complete += 1;
    else mismatched += 1;
  }
  const endedEarly = sessions.filter((s) => s?.ended).length;
  for (const s of sessions) s?.close();
  send({ type: 'phase', phase: 'none' });
  clearInterval(rssTimer);
  postAgent.destroy();
  sseAgent.destroy();

  const ok = load.outcomes['202'] ?? 0;
  send({
    type: 'result',
    result: {
      load: {
        scheduled: total,
        outcomes: load.outcomes,
        latency: stats(load.latencies),
        serviceLatency: stats(load.service),
        achievedRate: ok / load.elapsed,
        sendLagMaxMs: load.sendLagMax,
      },
      replies: {
        posted: probePosted,
        replied: replyTimes.length,
        timeouts: probeTimeouts,
        latency: stats(replyTimes),
      },
      sse: {
        sessions: config.sessions,
        opened: sessions.filter(Boolean).length,
        openFailures: sessions.filter((s) => !s).length,
        endedEarly,
        posted,
        postOutcomes: ssePosts.outcomes,
        expectedEvents,
        receivedEvents,
        sessionsComplete: complete,
        sessionsMismatched: mismatched,
        openSeconds,
      },
      clientPeakRssMb: Math.max(clientPeak, peakRssMb()),
    },
  });
  process.disconnect();
}

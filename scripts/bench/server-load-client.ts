/**
 * The load client of `npm run bench:server`, forked by it as a child process so its work neither slows the
 * server's event loop nor counts in the server's RSS. It receives its configuration over IPC, drives the widget
 * API on loopback (bounded in count and time), and reports a ClientResult.
 */
import http from 'node:http';
import { percentile } from '../../core/quality/ir-metrics.js';
import {
  benchOrigin,
  type ClientConfig,
  type LatencyStats,
  type ToChild,
  type ToParent,
} from './lib/load-protocol.js';
import { peakRssMb } from './lib/machine.js';

const origin = benchOrigin;

await runClient();

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

/**
 * What `npm run bench:server` and its load client (a child process) tell each other over IPC, and the
 * results the client reports.
 */

/** The Origin the load client sends and the widget key allows: a reserved name, never resolved. */
export const benchOrigin = 'http://bench.airdesk.invalid';

export interface ClientConfig {
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

export interface LatencyStats {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface ClientResult {
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

export type ToParent =
  | { type: 'ask'; seq: number; what: 'idle' }
  | { type: 'ask'; seq: number; what: 'events'; ids: string[] }
  | { type: 'phase'; phase: 'load' | 'sse' | 'none' }
  | { type: 'result'; result: ClientResult };
export type ToChild =
  | { type: 'config'; config: ClientConfig }
  | { type: 'answer'; seq: number; idleMs?: number; logs?: Record<string, number[]> };

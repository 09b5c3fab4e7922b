import os from 'node:os';
import type { SyncRunLease } from '../contract/store.js';

/** Runs this process is executing now; a run recorded under this process's owner but not here is abandoned. */
const activeRuns = new Set<string>();

export const thisOwner = `${os.hostname()}:${process.pid}`;

/** A heartbeat older than this means the run's process is gone (another host, or a reused pid). */
export const defaultStaleAfterMs = 2 * 60_000;

export function markActive(runId: string): void {
  activeRuns.add(runId);
}

export function markDone(runId: string): void {
  activeRuns.delete(runId);
}

/**
 * Whether a run recorded as running has lost its process: on this host, its pid is gone (or is us and we do not
 * run it); anywhere, its heartbeat is stale. A process killed with SIGKILL is thus resumed at once, not minutes
 * later, while a live `airdesk serve` keeps its run.
 */
export function isAbandoned(
  lease: SyncRunLease,
  staleAfterMs = defaultStaleAfterMs,
  now = Date.now(),
): boolean {
  if (now - Date.parse(lease.heartbeatAt) > staleAfterMs) return true;
  if (lease.owner === null) return false;
  const at = lease.owner.lastIndexOf(':');
  const host = lease.owner.slice(0, at);
  const pid = Number(lease.owner.slice(at + 1));
  if (host !== os.hostname() || !Number.isInteger(pid)) return false;
  if (pid === process.pid) return !activeRuns.has(lease.runId);
  return !processAlive(pid);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

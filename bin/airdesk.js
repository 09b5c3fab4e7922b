#!/usr/bin/env node
// The `airdesk` command. The CLI is TypeScript compiled to dist/ by `npm run build` (run by `npm install`).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/core/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('airdesk: the CLI is not built; run "npm run build" in the airdesk folder\n');
  process.exit(1);
}
process.env.LANCEDB_LOG ??= 'error';
const { runCli } = await import(entry.href);
process.exitCode = await runCli(process.argv.slice(2));

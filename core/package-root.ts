import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding airdesk's package.json. Found by walking up from this file, so it is the same whether the
 * code runs from `core/` (tests) or `dist/core/` (the built CLI) or inside a packaged app.
 */
export const packageRoot: string = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string };
      if (pkg.name === 'airdesk') return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error('airdesk package.json not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
})();

export const packageVersion: string = (
  JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }
).version;

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../testing/temp-home.js';
import { createFileLogger, redactUrl } from './logging.js';

describe('logs', () => {
  it('strips credentials from URLs', () => {
    expect(redactUrl('/?token=abc&x=1')).toBe('/?token=[redacted]&x=1');
    expect(redactUrl('/v1/a?key=pk_live_1#top')).toBe('/v1/a?key=[redacted]#top');
    expect(redactUrl('/inbox')).toBe('/inbox');
  });

  it('writes JSON lines to AIRDESK_HOME/logs, with secrets redacted, and rotates by size', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { logger, close } = createFileLogger({ home: dir, rotateSize: '1K', maxFiles: 3 });
      for (let i = 0; i < 60; i++) logger.info({ i, filler: 'x'.repeat(40) }, 'line');
      logger.info({
        req: { method: 'GET', url: '/?token=hunter2', headers: { authorization: 'Bearer hunter2' } },
      });
      await close();
      const files = fs.readdirSync(path.join(dir, 'logs'));
      expect(files).toContain('airdesk.log');
      expect(files.length).toBeGreaterThan(1);
      const all = files.map((f) => fs.readFileSync(path.join(dir, 'logs', f), 'utf8')).join('');
      expect(all).not.toContain('hunter2');
      const first = all.split('\n').find((l) => l.includes('"req"'));
      expect(JSON.parse(first ?? '{}')).toMatchObject({ req: { url: '/?token=[redacted]' } });
    } finally {
      cleanup();
    }
  });
});

import fs from 'node:fs';
import pino, { type Logger } from 'pino';
import { createStream } from 'rotating-file-stream';
import { homeLayout } from '../home/data-folder.js';

export type { Logger };

/** Query parameters and headers that carry credentials; they never reach a log line. */
const secretParams = /([?&](?:token|key|secret|password)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(secretParams, '$1[redacted]');
}

export interface LogOptions {
  home: string;
  level?: string;
  /** Size at which the log file rotates, and how many rotated files are kept. */
  rotateSize?: string;
  maxFiles?: number;
}

/**
 * Structured JSON logs in `AIRDESK_HOME/logs/airdesk.log`, rotated by size so a busy desk never fills a disk.
 * Returns the logger and a close function that flushes the file.
 */
export function createFileLogger(options: LogOptions): { logger: Logger; close: () => Promise<void> } {
  const dir = homeLayout.logsDir(options.home);
  fs.mkdirSync(dir, { recursive: true });
  const stream = createStream('airdesk.log', {
    path: dir,
    size: options.rotateSize ?? '10M',
    maxFiles: options.maxFiles ?? 10,
  });
  const logger = pino(
    {
      level: options.level ?? process.env.AIRDESK_LOG_LEVEL ?? 'info',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'res.headers["set-cookie"]',
          '*.token',
          '*.secret',
        ],
        censor: '[redacted]',
      },
      serializers: {
        req: (req: { method: string; url: string; ip?: string }) => ({
          method: req.method,
          url: redactUrl(req.url),
          ip: req.ip,
        }),
      },
    },
    stream,
  );
  const close = () =>
    new Promise<void>((resolve) => {
      logger.flush();
      stream.end(() => resolve());
    });
  return { logger, close };
}

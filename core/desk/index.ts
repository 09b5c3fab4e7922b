import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '../contract/store.js';
import { DeskService, type DeskEngine } from './desk-service.js';
import { loadVisitorSecret, VisitorTokens } from './visitor-tokens.js';

export { DeskService, handoffText, type DeskEngine } from './desk-service.js';
export type { DeskEventListener } from './desk-events.js';
export { VisitorTokens, loadVisitorSecret } from './visitor-tokens.js';
export { createWidgetKey, hashWidgetKey, normalizeOrigin } from './widget-keys.js';

/** The desk and the visitor-token signer of a data folder, as `airdesk serve` gives them to the widget listener. */
export function openDesk(options: {
  home: string;
  store: Store;
  engine: DeskEngine;
  logger?: FastifyBaseLogger;
  tokenTtlMs?: number;
}): { desk: DeskService; tokens: VisitorTokens } {
  const desk = new DeskService({
    store: options.store,
    engine: options.engine,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return { desk, tokens: new VisitorTokens(loadVisitorSecret(options.home), options.tokenTtlMs) };
}

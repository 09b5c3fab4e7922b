/**
 * Connector syncs: the registry of connector kinds (loaded lazily from connectors/index.ts), adding a
 * connector (settings, secrets, validation), the page-by-page runner with checkpoints and pruning, the retrying
 * fetch connectors get, and the cron scheduler the server runs.
 */
export { addConnector, connectorFileSchema } from './add-connector.js';
export type { AddConnectorRequest, ConnectorFile } from './add-connector.js';
export { readSecretsFromEnv, resolveSecrets, secretRefsOf, storeSecrets } from './connector-secrets.js';
export { pruneConnectorDocuments, removeConnectorData } from './prune.js';
export { connectorKinds, loadConnector, shippedRegistry } from './registry.js';
export type { ConnectorRegistry } from './registry.js';
export { backoff, retryAfterMs, retryingFetch } from './retrying-fetch.js';
export type { RetryOptions } from './retrying-fetch.js';
export { runSync } from './run-sync.js';
export type { SyncProgress, SyncRequest } from './run-sync.js';
export { SyncScheduler, validateSchedule } from './scheduler.js';
export type { SyncSchedulerOptions } from './scheduler.js';
export { toParsedDocument } from './to-parsed-document.js';

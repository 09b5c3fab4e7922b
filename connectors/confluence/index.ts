import type { ConnectorDefinition } from '../../core/contract/index.js';
import type { ConfluenceSettings } from './settings.js';
import { confluenceSettingsSchema } from './settings.js';
import { ConfluenceSource } from './source.js';

/**
 * Confluence Server / Data Center (7.9+, personal access tokens): the pages of the configured spaces with their
 * storage-format body as HTML, their place under space and ancestors, and their view restrictions as principals.
 * Retries on 429 and 5xx are the runner's (it wraps `context.fetch` with backoff); this connector makes one attempt
 * per request and reports what it got.
 */
const confluence: ConnectorDefinition<ConfluenceSettings> = {
  kind: 'confluence',
  displayName: 'Confluence Server / Data Center',
  settingsSchema: confluenceSettingsSchema,
  secretFields: ['token'],
  capabilities: { listIds: true, permissions: true },
  create: (settings, context) => new ConfluenceSource(settings, context),
};

export default confluence;
export { confluenceSettingsSchema } from './settings.js';
export type { ConfluenceSettings, ConfluenceSettingsInput } from './settings.js';
export type { ConfluenceCheckpoint } from './checkpoint.js';

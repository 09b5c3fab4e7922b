import type { ConnectorDefinition } from '../../core/contract/connector.js';
import type { FolderSettings } from './settings.js';
import { folderSettingsSchema } from './settings.js';
import { createFolderSource } from './source.js';

export type { FolderSettings } from './settings.js';
export { watchFolder, type WatchOptions } from './watch.js';

/**
 * A folder or mounted network share: files selected by extension and exclusions, synced by modification time,
 * resumed by relative path, pruned by listing. Access is that of the account airdesk runs as, so there are no
 * secrets and no per-document permissions.
 */
const folderConnector: ConnectorDefinition<FolderSettings> = {
  kind: 'folder',
  displayName: 'Folder or network share',
  settingsSchema: folderSettingsSchema,
  secretFields: [],
  capabilities: { listIds: true, permissions: false },
  create: (settings, context) => createFolderSource(settings, context),
};

export default folderConnector;

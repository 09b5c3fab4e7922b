import type { ConnectorDefinition } from '../../core/contract/index.js';
import { GraphSource } from './graph-source.js';
import { ServerSource } from './server-source.js';
import { sharePointSettingsSchema, type SharePointSettings } from './settings.js';

/**
 * SharePoint document libraries (.docx, .pdf, .md, .txt, .html files) and, optionally, site pages: SharePoint
 * Server through its REST API (`mode: 'server'`), SharePoint Online through Microsoft Graph (`mode: 'graph'`).
 */
const sharePoint: ConnectorDefinition<SharePointSettings> = {
  kind: 'sharepoint',
  displayName: 'SharePoint',
  settingsSchema: sharePointSettingsSchema,
  secretFields: ['token'],
  capabilities: {
    listIds: true,
    // Not yet: SharePoint permissions are per item with inheritance breaks, so reading them costs extra calls per
    // item (role assignments, or Graph's /permissions) and group expansion. Until then documents carry none and
    // are visible to the tenant's agents only, never to the widget (the contract's safe default).
    permissions: false,
  },
  create(settings, context) {
    return settings.mode === 'server'
      ? new ServerSource(settings, context)
      : new GraphSource(settings, context);
  },
};

export default sharePoint;
export type { SharePointSettings, SharePointSettingsInput } from './settings.js';

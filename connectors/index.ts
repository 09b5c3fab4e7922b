import type { ConnectorDefinition } from '../core/contract/connector.js';

/** Loads one connector's module; its default export is the connector's definition. */
export type ConnectorLoader = () => Promise<{ default: ConnectorDefinition }>;

/**
 * Every connector kind the product ships, each loaded only when a connector of that kind is added or synced,
 * so a connector whose module (or client library) is broken stops only itself, never the app. The core reaches
 * this file by a computed URL (core/sync/registry.ts): core may not import connectors/ statically.
 */
export const connectorRegistry: Readonly<Record<string, ConnectorLoader>> = {
  confluence: () => import('./confluence/index.js'),
  sharepoint: () => import('./sharepoint/index.js'),
  jira: () => import('./jira/index.js'),
  notion: () => import('./notion/index.js'),
  folder: () => import('./folder/index.js'),
};

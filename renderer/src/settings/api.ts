import {
  createdWidgetKeySchema,
  deskRoutes,
  deskSettingsViewSchema,
  widgetKeyListSchema,
  widgetKeyViewSchema,
  type CreatedWidgetKey,
  type DeskSettingsView,
  type WidgetKeyView,
} from '../../../core/contract/desk-api.js';
import { request } from '../api.js';

/** The Settings page's calls: the tenant's desk settings and its widget keys (core/contract/desk-api.ts). */

function route(template: string, tenant: string, key?: string): string {
  const path = template.replace(':tenant', encodeURIComponent(tenant));
  return key === undefined ? path : path.replace(':key', encodeURIComponent(key));
}

export async function getDeskSettings(tenant: string): Promise<DeskSettingsView> {
  return deskSettingsViewSchema.parse(await request('GET', route(deskRoutes.settings, tenant)));
}

export async function saveDeskSettings(
  tenant: string,
  settings: DeskSettingsView,
): Promise<DeskSettingsView> {
  return deskSettingsViewSchema.parse(await request('PUT', route(deskRoutes.settings, tenant), settings));
}

export async function listWidgetKeys(tenant: string): Promise<WidgetKeyView[]> {
  return widgetKeyListSchema.parse(await request('GET', route(deskRoutes.widgetKeys, tenant))).keys;
}

/** A new key for these origins; the answer is the only time the key itself is seen. */
export async function createWidgetKey(tenant: string, origins: string[]): Promise<CreatedWidgetKey> {
  return createdWidgetKeySchema.parse(
    await request('POST', route(deskRoutes.widgetKeys, tenant), { origins }),
  );
}

export async function saveWidgetKeyOrigins(
  tenant: string,
  id: string,
  origins: string[],
): Promise<WidgetKeyView> {
  return widgetKeyViewSchema.parse(
    await request('PUT', route(deskRoutes.widgetKeyOrigins, tenant, id), { origins }),
  );
}

/** Revokes a key: pages embedding it stop getting answers. */
export async function revokeWidgetKey(tenant: string, id: string): Promise<void> {
  await request('DELETE', route(deskRoutes.widgetKey, tenant, id));
}

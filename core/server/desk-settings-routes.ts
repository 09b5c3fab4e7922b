import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  createWidgetKeyRequestSchema,
  deskRoutes,
  updateDeskSettingsSchema,
  updateWidgetKeyOriginsSchema,
  type CreatedWidgetKey,
  type DeskSettingsView,
  type WidgetKeyView,
} from '../contract/desk-api.js';
import { AppError } from '../contract/errors.js';
import type { Store, WidgetKeyRecord } from '../contract/store.js';
import { tenantIdSchema, type TenantId } from '../contract/tenant.js';
import { createWidgetKey, normalizeOrigin } from '../desk/widget-keys.js';
import { actorOf } from './console-auth.js';
import { deskTenantOf } from './desk-routes.js';

const keyParamsSchema = z.object({ tenant: tenantIdSchema, key: z.string().min(1).max(200) });

/** A key as the console shows it: never the key itself nor its hash. */
const keyView = (k: WidgetKeyRecord): WidgetKeyView => ({
  id: k.id,
  origins: k.origins,
  createdAt: k.createdAt,
  revokedAt: k.revokedAt,
});

/** Normalised origins, duplicates dropped; a bad one names its position. @throws AppError `invalid_input`. */
function origins(values: string[]): string[] {
  return [
    ...new Set(
      values.map((value, i) => {
        try {
          return normalizeOrigin(value);
        } catch (error) {
          throw new AppError('invalid_input', `origins.${i}: ${(error as Error).message}`);
        }
      }),
    ),
  ];
}

/**
 * The Settings page's desk routes: reply mode, auto-reply threshold and handoff reasons, and the tenant's
 * publishable widget keys (a new key is shown once; only its hash is kept). Changes are audited.
 */
export function registerDeskSettingsRoutes(app: FastifyInstance, options: { store: Store }): void {
  const { store } = options;

  async function keyOf(tenant: TenantId, id: string): Promise<WidgetKeyRecord> {
    // Keys live in the global database: one of another tenant is "not found" here, like an unknown one.
    const key = (await store.widgetKeys.list({ tenantId: tenant })).find((k) => k.id === id);
    if (!key) throw new AppError('not_found', `widget key ${id} does not exist in tenant "${tenant}"`);
    return key;
  }

  app.get(deskRoutes.settings, async (request): Promise<DeskSettingsView> => {
    const tenant = await deskTenantOf(store, request);
    return store.desk.settings(tenant);
  });

  app.put(deskRoutes.settings, async (request): Promise<DeskSettingsView> => {
    const tenant = await deskTenantOf(store, request);
    const patch = updateDeskSettingsSchema.parse(request.body);
    const settings = await store.desk.updateSettings(tenant, patch);
    await store.audit.append({
      actor: actorOf(request.principal),
      tenantId: tenant,
      action: 'desk.settings',
      target: tenant,
      details: { ...patch },
    });
    return settings;
  });

  app.get(deskRoutes.widgetKeys, async (request) => {
    const tenant = await deskTenantOf(store, request);
    return { keys: (await store.widgetKeys.list({ tenantId: tenant })).map(keyView) };
  });

  app.post(deskRoutes.widgetKeys, async (request, reply) => {
    const tenant = await deskTenantOf(store, request);
    const body = createWidgetKeyRequestSchema.parse(request.body);
    const { key, record } = await createWidgetKey(store, tenant, origins(body.origins));
    await store.audit.append({
      actor: actorOf(request.principal),
      tenantId: tenant,
      action: 'widget_key.create',
      target: record.id,
      details: { origins: record.origins },
    });
    const created: CreatedWidgetKey = { ...keyView(record), key };
    return reply.status(201).header('Cache-Control', 'no-store').send(created);
  });

  app.put(deskRoutes.widgetKeyOrigins, async (request): Promise<WidgetKeyView> => {
    const { key: id } = keyParamsSchema.parse(request.params);
    const tenant = await deskTenantOf(store, request);
    const body = updateWidgetKeyOriginsSchema.parse(request.body);
    await keyOf(tenant, id);
    const updated = await store.widgetKeys.setOrigins(id, origins(body.origins));
    if (!updated) throw new AppError('not_found', `widget key ${id} does not exist in tenant "${tenant}"`);
    await store.audit.append({
      actor: actorOf(request.principal),
      tenantId: tenant,
      action: 'widget_key.origins',
      target: id,
      details: { origins: updated.origins },
    });
    return keyView(updated);
  });

  app.delete(deskRoutes.widgetKey, async (request, reply) => {
    const { key: id } = keyParamsSchema.parse(request.params);
    const tenant = await deskTenantOf(store, request);
    const key = await keyOf(tenant, id);
    if (key.revokedAt === null) {
      await store.widgetKeys.revoke(id);
      await store.audit.append({
        actor: actorOf(request.principal),
        tenantId: tenant,
        action: 'widget_key.revoke',
        target: id,
        details: {},
      });
    }
    return reply.status(204).send();
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ConnectorConfig, ConnectorDefinition, SyncRun } from '../contract/connector.js';
import {
  addConnectorRequestSchema,
  consoleRoutes,
  syncConnectorRequestSchema,
  syncRunsQuerySchema,
  testConnectorRequestSchema,
  testNewConnectorRequestSchema,
  updateConnectorRequestSchema,
  type ConnectionTestResult,
  type ConnectorView,
  type SyncStarted,
} from '../contract/console-api.js';
import { AppError } from '../contract/errors.js';
import type { Store } from '../contract/store.js';
import { tenantIdSchema, type TenantId } from '../contract/tenant.js';
import { secretRefsOf, storeSecrets } from '../sync/connector-secrets.js';
import { removeConnectorData } from '../sync/prune.js';
import { loadConnector } from '../sync/registry.js';
import { validateSchedule } from '../sync/scheduler.js';
import { withTenantIndex } from '../sync/tenant-lock.js';
import { clientLeft } from './answer-routes.js';
import { registerConnectorEvents } from './connector-events-route.js';
import type { ConnectorDesk } from './connector-desk.js';
import {
  listKinds,
  parseSettings,
  publicSettings,
  splitFormSecrets,
  storedSecretFields,
  storedSecretValues,
  testConnection,
} from './connector-settings.js';
import { actorOf } from './console-auth.js';
import type { SyncEvent } from './sync-events.js';

export interface ConnectorRoutesOptions {
  store: Store;
  connectors: ConnectorDesk;
  /** Aborted when the server stops waiting for requests in flight. */
  shutdown: AbortSignal;
}

type Definition = ConnectorDefinition<unknown>;

const tenantParamsSchema = z.object({ tenant: tenantIdSchema });
const connectorParamsSchema = z.object({ tenant: tenantIdSchema, connector: z.string().min(1).max(100) });

/** Longest a connection test may take before the console is told the source did not answer. */
const testTimeoutMs = 30_000;

/**
 * Connector administration on the console API: the kinds there are, add / edit / delete, test a connection,
 * run now, cancel, history and live progress. Every route is tenant-scoped and behind the console's auth
 * hook; changes are audited with ids only. Secrets typed into the form go straight to the secret store.
 */
export function registerConnectorRoutes(app: FastifyInstance, options: ConnectorRoutesOptions): void {
  const { store, connectors: desk, shutdown } = options;
  const { scheduler, events, registry } = desk;
  const definitionOf = (kind: string) => loadConnector(kind, registry);

  async function tenantOf(request: FastifyRequest): Promise<TenantId> {
    const { tenant } = tenantParamsSchema.parse(request.params);
    if (!(await store.tenants.get(tenant))) {
      throw new AppError('not_found', `tenant "${tenant}" does not exist; create it first`);
    }
    return tenant;
  }

  async function connectorOf(
    request: FastifyRequest,
  ): Promise<{ tenant: TenantId; config: ConnectorConfig }> {
    const tenant = await tenantOf(request);
    const { connector } = connectorParamsSchema.parse(request.params);
    const config = await store.connectors.get(tenant, connector);
    if (!config) throw new AppError('not_found', `no connector ${connector} in tenant "${tenant}"`);
    return { tenant, config };
  }

  async function view(tenant: TenantId, config: ConnectorConfig): Promise<ConnectorView> {
    const definition = await definitionOf(config.kind).catch(() => null);
    const [lastRun] = await store.connectors.runs(tenant, config.id, 1);
    const next = scheduler.nextRuns().find((n) => n.tenant === tenant && n.connectorId === config.id);
    return {
      id: config.id,
      kind: config.kind,
      name: config.name,
      enabled: config.enabled,
      schedule: config.schedule ?? null,
      settings: publicSettings(definition, config.settings),
      storedSecrets: storedSecretFields(definition, config.settings),
      state: scheduler.status(tenant, config.id),
      lastRun: lastRun ?? null,
      nextRunAt: next?.at ? next.at.toISOString() : null,
      createdAt: config.createdAt,
      updatedAt: config.updatedAt,
    };
  }

  const audit = (request: FastifyRequest, tenant: TenantId, action: string, target: string, details = {}) =>
    store.audit.append({ actor: actorOf(request.principal), tenantId: tenant, action, target, details });

  const testSignal = (reply: FastifyReply) =>
    AbortSignal.any([clientLeft(reply), shutdown, AbortSignal.timeout(testTimeoutMs)]);

  /**
   * Settings from the form, checked, with the secrets the connector would run with: typed in, or (edit, test)
   * the stored ones for secrets left empty. `refs` maps kept secret fields to their stored references.
   */
  async function formSettings(
    tenant: TenantId,
    definition: Definition,
    settings: Record<string, unknown>,
    existing: ConnectorConfig | null,
  ) {
    const { plain, typed } = splitFormSecrets(definition, settings);
    const kept = existing
      ? storedSecretFields(definition, existing.settings).filter((f) => !(f in typed))
      : [];
    const parsed = parseSettings(definition, plain, [...Object.keys(typed), ...kept]);
    const keptSettings = Object.fromEntries(kept.map((f) => [f, existing?.settings[f]]));
    const keptValues = existing
      ? await storedSecretValues(definition, { ...existing, settings: keptSettings }, tenant, desk.secrets)
      : {};
    return { plain: { ...plain, ...keptSettings }, typed, parsed, values: { ...keptValues, ...typed } };
  }

  app.get(consoleRoutes.connectorKinds, async () => ({ kinds: await listKinds(registry) }));

  app.get(consoleRoutes.connectors, async (request) => {
    const tenant = await tenantOf(request);
    const configs = await store.connectors.list(tenant);
    return { connectors: await Promise.all(configs.map((c) => view(tenant, c))) };
  });

  app.post(consoleRoutes.connectors, async (request, reply) => {
    const tenant = await tenantOf(request);
    const body = addConnectorRequestSchema.parse(request.body);
    const definition = await definitionOf(body.kind);
    if (body.schedule) validateSchedule(body.schedule);
    if ((await store.connectors.list(tenant)).some((c) => c.name === body.name)) {
      throw new AppError('conflict', `a connector named "${body.name}" already exists; choose another name`);
    }
    const form = await formSettings(tenant, definition, body.settings, null);
    await testConnection(definition, form.parsed, form.values, testSignal(reply), desk.fetch);
    const stored = await storeSecrets(form.plain, form.typed, {
      tenant,
      connectorName: body.name,
      secrets: desk.secrets,
    });
    let config: ConnectorConfig;
    try {
      config = await store.connectors.add(tenant, {
        kind: body.kind,
        name: body.name,
        settings: stored.settings,
        schedule: body.schedule ?? null,
      });
    } catch (error) {
      for (const ref of stored.refs) await desk.secrets.delete(tenant, ref).catch(() => {});
      throw error;
    }
    await audit(request, tenant, 'connector.add', config.id, { kind: config.kind });
    await scheduler.refresh();
    return reply.status(201).send(await view(tenant, config));
  });

  app.patch(consoleRoutes.connector, async (request, reply) => {
    const { tenant, config } = await connectorOf(request);
    const body = updateConnectorRequestSchema.parse(request.body);
    if (body.name !== undefined && body.name !== config.name) {
      throw new AppError(
        'invalid_input',
        'name: a connector keeps its name (it names its knowledge source and stored secrets); add a new connector to use another name',
      );
    }
    const patch: { settings?: Record<string, unknown>; enabled?: boolean; schedule?: string | null } = {};
    let replacedRefs: string[] = [];
    if (body.settings !== undefined) {
      const definition = await definitionOf(config.kind);
      const form = await formSettings(tenant, definition, body.settings, config);
      await testConnection(definition, form.parsed, form.values, testSignal(reply), desk.fetch);
      const stored = await storeSecrets(form.plain, form.typed, {
        tenant,
        connectorName: config.name,
        secrets: desk.secrets,
      });
      patch.settings = stored.settings;
      const before = secretRefsOf(definition, config.settings);
      replacedRefs = before.filter((ref) => !secretRefsOf(definition, stored.settings).includes(ref));
    }
    if (body.schedule !== undefined) {
      if (body.schedule !== null) validateSchedule(body.schedule);
      patch.schedule = body.schedule;
    }
    if (body.enabled !== undefined) patch.enabled = body.enabled;
    const updated = await store.connectors.update(tenant, config.id, patch);
    for (const ref of replacedRefs) await desk.secrets.delete(tenant, ref).catch(() => {});
    if (body.enabled === false) await stopSync(tenant, config.id);
    await audit(request, tenant, 'connector.update', config.id, { changed: Object.keys(patch).sort() });
    await scheduler.refresh();
    return view(tenant, updated);
  });

  app.delete(consoleRoutes.connector, async (request, reply) => {
    const { tenant, config } = await connectorOf(request);
    await stopSync(tenant, config.id);
    const definition = await definitionOf(config.kind).catch(() => null);
    const refs = definition
      ? secretRefsOf(definition, config.settings)
      : storedSecretFields(null, config.settings).map(
          (f) => (config.settings[f] as { secretRef: string }).secretRef,
        );
    await withTenantIndex(tenant, () => removeConnectorData(desk.kb, tenant, config.id));
    for (const ref of refs) {
      await desk.secrets.delete(tenant, ref).catch((error: unknown) => {
        request.log.warn(
          { err: error, tenant, connectorId: config.id },
          'a connector secret was not deleted',
        );
      });
    }
    await audit(request, tenant, 'connector.delete', config.id, { kind: config.kind });
    await scheduler.refresh();
    return reply.status(204).send();
  });

  app.post(consoleRoutes.connectorTestNew, async (request, reply): Promise<ConnectionTestResult> => {
    const tenant = await tenantOf(request);
    const body = testNewConnectorRequestSchema.parse(request.body);
    const definition = await definitionOf(body.kind);
    const form = await formSettings(tenant, definition, body.settings, null);
    await testConnection(definition, form.parsed, form.values, testSignal(reply), desk.fetch);
    return connected(definition);
  });

  app.post(consoleRoutes.connectorTest, async (request, reply): Promise<ConnectionTestResult> => {
    const { tenant, config } = await connectorOf(request);
    const body = testConnectorRequestSchema.parse(request.body ?? {});
    const definition = await definitionOf(config.kind);
    const settings = body.settings ?? publicSettings(definition, config.settings);
    const form = await formSettings(tenant, definition, settings, config);
    await testConnection(definition, form.parsed, form.values, testSignal(reply), desk.fetch);
    return connected(definition);
  });

  app.post(consoleRoutes.connectorSync, async (request, reply) => {
    const { tenant, config } = await connectorOf(request);
    const { full } = syncConnectorRequestSchema.parse(request.body ?? {});
    if (!config.enabled) {
      throw new AppError('conflict', `connector "${config.name}" is disabled; enable it to sync`);
    }
    if (scheduler.status(tenant, config.id) !== 'idle') {
      throw new AppError(
        'conflict',
        `connector "${config.name}" is already syncing; wait for it or cancel it`,
      );
    }
    const started = await startSync(tenant, config.id, full === true);
    await audit(request, tenant, 'connector.sync', config.id, { runId: started.runId, full: full === true });
    return reply.status(202).send(started);
  });

  app.post(consoleRoutes.connectorCancel, async (request) => {
    const { tenant, config } = await connectorOf(request);
    const cancelled = scheduler.cancel(tenant, config.id);
    if (cancelled) await audit(request, tenant, 'connector.cancel', config.id);
    return { cancelled };
  });

  app.get(consoleRoutes.connectorRuns, async (request): Promise<{ runs: SyncRun[] }> => {
    const { tenant, config } = await connectorOf(request);
    const { limit } = syncRunsQuerySchema.parse(request.query);
    return { runs: await store.connectors.runs(tenant, config.id, limit) };
  });

  registerConnectorEvents(app, { desk, shutdown, connectorOf });

  /**
   * Starts a run now and answers with its id as soon as it has one: the scheduler announces the run when the
   * store starts it. When every slot is busy the run waits in the queue and has no id yet. A run that cannot
   * start (e.g. a sync of it is live in another process) is that error.
   */
  async function startSync(tenant: TenantId, connectorId: string, full: boolean): Promise<SyncStarted> {
    let onStart: (event: SyncEvent) => void = () => {};
    const started = new Promise<string>((resolve) => {
      onStart = (event) => {
        if (event.type === 'started') resolve(event.run.id);
      };
    });
    const unsubscribe = events.subscribe(tenant, connectorId, (event) => onStart(event));
    try {
      const done = scheduler.runNow(tenant, connectorId, { full });
      done.catch(() => {}); // the outcome reaches the console through the event stream and the history
      if (scheduler.status(tenant, connectorId) === 'queued') return { runId: null, state: 'queued' };
      const runId = await Promise.race([started, done.then((run) => run.id)]);
      return { runId, state: 'running' };
    } finally {
      unsubscribe?.();
    }
  }

  /** Cancels a queued or running sync of the connector and waits until it has stopped. */
  async function stopSync(tenant: TenantId, connectorId: string): Promise<void> {
    const state = scheduler.status(tenant, connectorId);
    if (state === 'idle') return;
    // runNow of a pending connector returns that run's promise instead of starting another.
    const pending = state === 'running' ? scheduler.runNow(tenant, connectorId) : Promise.resolve();
    scheduler.cancel(tenant, connectorId);
    await pending.catch(() => {});
  }
}

function connected(definition: Definition): ConnectionTestResult {
  return { ok: true, message: `${definition.displayName}: the connection works with these settings.` };
}

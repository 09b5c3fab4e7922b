import { z } from 'zod';
import type { ConnectorConfig } from '../contract/connector.js';
import { AppError } from '../contract/errors.js';
import type { SecretStore } from '../contract/secrets.js';
import type { Store } from '../contract/store.js';
import type { TenantId } from '../contract/tenant.js';
import { readSecretsFromEnv, storeSecrets } from './connector-secrets.js';
import { loadConnector, type ConnectorRegistry } from './registry.js';
import { retryingFetch } from './retrying-fetch.js';
import { validateSchedule } from './scheduler.js';

/**
 * A connector config file (`airdesk connectors add TYPE --config FILE.json`): a name unique in the tenant (it
 * names the knowledge source too), the connector's settings with secrets as `{"env": "VAR"}`, and an optional
 * cron schedule.
 */
export const connectorFileSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    settings: z.record(z.string(), z.unknown()),
    schedule: z.string().trim().min(1).optional(),
  })
  .strict();
export type ConnectorFile = z.infer<typeof connectorFileSchema>;

export interface AddConnectorRequest {
  store: Store;
  secrets: SecretStore;
  tenant: TenantId;
  kind: string;
  /** The parsed JSON of the config file; checked here. */
  file: unknown;
  signal: AbortSignal;
  env?: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  registry?: ConnectorRegistry;
}

/**
 * Adds a connector: checks the file and the settings against the connector's schema, reads `{env}` secrets once,
 * runs the connector's `validate()` with them (its error, e.g. a bad token, refuses the add), and only then puts
 * the secrets in the secret store and the config (holding `{secretRef}`s only) in the store.
 */
export async function addConnector(request: AddConnectorRequest): Promise<ConnectorConfig> {
  const { store, tenant, kind, signal } = request;
  const definition = await loadConnector(kind, request.registry);
  const file = connectorFileSchema.safeParse(request.file);
  if (!file.success) throw new AppError('invalid_input', `config file: ${describeIssue(file.error)}`);
  const { name, settings, schedule } = file.data;
  if (schedule !== undefined) validateSchedule(schedule);
  const parsed = definition.settingsSchema.safeParse(settings);
  if (!parsed.success)
    throw new AppError('invalid_input', `config file settings: ${describeIssue(parsed.error)}`);
  if (!(await store.tenants.get(tenant))) {
    throw new AppError('not_found', `tenant "${tenant}" does not exist (see "airdesk tenants list")`);
  }
  if ((await store.connectors.list(tenant)).some((c) => c.name === name)) {
    throw new AppError('conflict', `a connector named "${name}" already exists in tenant "${tenant}"`);
  }
  const values = readSecretsFromEnv(definition, settings, request.env);
  const source = definition.create(parsed.data, {
    secrets: values,
    fetch: retryingFetch(request.fetch ?? fetch, { signal, maxAttempts: 3 }),
  });
  try {
    await source.validate(signal);
  } catch (error) {
    if (signal.aborted) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new AppError(
      error instanceof AppError ? error.code : 'invalid_input',
      `the ${kind} connector "${name}" was not added: ${message}`,
      { cause: error },
    );
  }
  const stored = await storeSecrets(settings, values, {
    tenant,
    connectorName: name,
    secrets: request.secrets,
  });
  try {
    return await store.connectors.add(tenant, {
      kind,
      name,
      settings: stored.settings,
      schedule: schedule ?? null,
    });
  } catch (error) {
    for (const ref of stored.refs) await request.secrets.delete(tenant, ref).catch(() => {});
    throw error;
  }
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const where = issue.path.length > 0 ? issue.path.join('.') + ': ' : '';
  return `${where}${issue.message}`;
}

import fs from 'node:fs';
import type { Command } from 'commander';
import type { ConnectorConfig, SyncRun } from '../../contract/connector.js';
import { AppError } from '../../contract/errors.js';
import type { SecretStore } from '../../contract/secrets.js';
import type { Store } from '../../contract/store.js';
import type { TenantId } from '../../contract/tenant.js';
import { openSecretStore } from '../../secrets/index.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { addConnector } from '../../sync/add-connector.js';
import { connectorKinds } from '../../sync/registry.js';
import { formatTable, type Output } from '../output.js';
import type { CliContext } from '../program.js';
import { requireTenant } from './tenant-option.js';
import { UsageError } from '../usage-error.js';

/** The secret store the CLI uses; a keychain that is passed over is said once on stderr. */
export function openCliSecrets(home: string, output: Output): Promise<SecretStore> {
  return openSecretStore(home, { onFallback: (reason) => output.info(`airdesk: note: ${reason}`) });
}

export function registerConnectors(program: Command, context: () => CliContext): void {
  const connectors = program.command('connectors').description('configure knowledge connectors');

  connectors
    .command('add')
    .description(
      'add a connector from a config file: {"name", "settings", "schedule"?}; secrets as {"env": "VAR"}',
    )
    .argument('<type>', 'connector type: confluence, sharepoint, jira, notion or folder')
    .option('--tenant <id>', 'tenant the connector belongs to (required)')
    .option('--config <file>', 'JSON config file (required)')
    .action(async (type: string, opts: { tenant?: string; config?: string }) => {
      const { home, output } = context();
      const tenant = requireTenant(opts.tenant);
      if (opts.config === undefined) throw new UsageError('--config FILE.json is required');
      const file = readConfigFile(opts.config);
      const store = openSqliteStore(home);
      const abort = new AbortController();
      const onSignal = () => abort.abort();
      process.once('SIGINT', onSignal);
      try {
        const secrets = await openCliSecrets(home, output);
        const config = await addConnector({ store, secrets, tenant, kind: type, file, signal: abort.signal });
        await store.audit.append({
          actor: 'cli',
          tenantId: tenant,
          action: 'connector.add',
          target: config.id,
          details: { kind: config.kind, name: config.name },
        });
        output.info(
          `added ${config.kind} connector "${config.name}" to tenant ${tenant}; sync it with "airdesk sync ${config.id}"`,
        );
        output.result(config, config.id);
      } finally {
        process.off('SIGINT', onSignal);
        await store.close();
      }
    });

  connectors
    .command('list')
    .description('list connectors with their last sync')
    .option('--tenant <id>', 'only this tenant (default: every tenant)')
    .action(async (opts: { tenant?: string }) => {
      const { home, output } = context();
      const store = openSqliteStore(home);
      try {
        const listed = await listConnectors(
          store,
          opts.tenant === undefined ? undefined : requireTenant(opts.tenant),
        );
        const human =
          listed.length === 0
            ? `no connectors; add one with "airdesk connectors add TYPE --tenant ID --config FILE.json" (types: ${(await connectorKinds()).join(', ')})`
            : formatTable(
                ['TENANT', 'ID', 'TYPE', 'NAME', 'SCHEDULE', 'LAST SYNC'],
                listed.map((c) => [
                  c.tenant,
                  c.id,
                  c.kind,
                  c.enabled ? c.name : `${c.name} (disabled)`,
                  c.schedule ?? '-',
                  describeRun(c.lastRun),
                ]),
              );
        output.result(listed, human);
      } finally {
        await store.close();
      }
    });
}

export interface ListedConnector extends ConnectorConfig {
  tenant: TenantId;
  lastRun: SyncRun | null;
}

/** Connectors of one tenant or of all, each with its latest run. */
export async function listConnectors(store: Store, tenant?: TenantId): Promise<ListedConnector[]> {
  if (tenant !== undefined && !(await store.tenants.get(tenant))) {
    throw new AppError('not_found', `tenant "${tenant}" does not exist (see "airdesk tenants list")`);
  }
  const tenants = tenant !== undefined ? [tenant] : (await store.tenants.list()).map((t) => t.id);
  const out: ListedConnector[] = [];
  for (const t of tenants) {
    for (const c of await store.connectors.list(t)) {
      const [lastRun] = await store.connectors.runs(t, c.id, 1);
      out.push({ tenant: t, ...c, lastRun: lastRun ?? null });
    }
  }
  return out;
}

/** The tenant that holds a connector id, for `airdesk sync ID` without --tenant. */
export async function findConnectorTenant(store: Store, connectorId: string): Promise<TenantId> {
  for (const t of await store.tenants.list()) {
    if (await store.connectors.get(t.id, connectorId)) return t.id;
  }
  throw new AppError(
    'not_found',
    `no connector ${connectorId} in any tenant (see "airdesk connectors list")`,
  );
}

export function describeRun(run: SyncRun | null): string {
  if (!run) return 'never';
  const when = (run.finishedAt ?? run.startedAt).replace(/\.\d+Z$/, 'Z');
  const counts = `+${run.added} ~${run.updated} -${run.deleted}${run.failures.length ? ` !${run.failures.length}` : ''}`;
  return `${run.status} ${when} ${counts}${run.error ? ` (${run.error})` : ''}`;
}

function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new AppError(
      'invalid_input',
      `cannot read the config file ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new AppError(
      'invalid_input',
      `the config file ${file} is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

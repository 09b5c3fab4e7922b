import type { Command } from 'commander';
import { tenantIdSchema } from '../../contract/tenant.js';
import { UsageError } from '../usage-error.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import { tenantDir } from '../../store/sqlite/tenant-folders.js';
import { formatTable } from '../output.js';
import type { CliContext } from '../program.js';

export function registerTenants(program: Command, context: () => CliContext): void {
  const tenants = program.command('tenants').description('manage tenants (each has its own data folder)');

  tenants
    .command('create')
    .description('create a tenant')
    .argument('<id>', 'lowercase letters, digits and inner hyphens, e.g. acme or acme-eu')
    .option('--name <name>', 'display name (default: the id)')
    .action(async (id: string, opts: { name?: string }) => {
      const { home, output } = context();
      const valid = tenantIdSchema.safeParse(id);
      if (!valid.success)
        throw new UsageError(`"${id}" is not a valid tenant id: ${valid.error.issues[0]?.message}`);
      const store = openSqliteStore(home);
      try {
        const tenant = await store.tenants.create({ id, ...(opts.name ? { name: opts.name } : {}) });
        await store.audit.append({
          actor: 'cli',
          tenantId: tenant.id,
          action: 'tenant.create',
          target: tenant.id,
          details: {},
        });
        output.result(
          tenant,
          `created tenant ${tenant.id} (${tenant.name}) in ${tenantDir(home, tenant.id)}`,
        );
      } finally {
        await store.close();
      }
    });

  tenants
    .command('list')
    .description('list tenants')
    .action(async () => {
      const { home, output } = context();
      const store = openSqliteStore(home);
      try {
        const list = await store.tenants.list();
        const human =
          list.length === 0
            ? 'no tenants yet; create one with "airdesk tenants create ID"'
            : formatTable(
                ['ID', 'NAME', 'CREATED'],
                list.map((t) => [t.id, t.name, t.createdAt]),
              );
        output.result({ tenants: list }, human);
      } finally {
        await store.close();
      }
    });
}

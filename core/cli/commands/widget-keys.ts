import type { Command } from 'commander';
import { AppError } from '../../contract/errors.js';
import { tenantIdSchema } from '../../contract/tenant.js';
import { createWidgetKey } from '../../desk/widget-keys.js';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { CliContext } from '../program.js';
import { UsageError } from '../usage-error.js';

export function registerWidgetKeys(program: Command, context: () => CliContext): void {
  const keys = program.command('widget-keys').description('manage publishable keys of the web widget');
  keys
    .command('create')
    .description('create a publishable widget key bound to a tenant and the origins allowed to use it')
    .requiredOption('--tenant <id>', 'the tenant whose knowledge the widget answers from')
    .option(
      '--origin <url>',
      'a page origin allowed to use the key, e.g. http://intranet.local (repeatable)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .action(async (opts: { tenant: string; origin: string[] }) => {
      const { home, output } = context();
      const valid = tenantIdSchema.safeParse(opts.tenant);
      if (!valid.success) {
        throw new UsageError(`"${opts.tenant}" is not a valid tenant id: ${valid.error.issues[0]?.message}`);
      }
      const store = openSqliteStore(home);
      try {
        let created;
        try {
          created = await createWidgetKey(store, valid.data, opts.origin);
        } catch (error) {
          if (error instanceof AppError && error.code === 'invalid_input')
            throw new UsageError(error.message);
          throw error;
        }
        const { key, record } = created;
        await store.audit.append({
          actor: 'cli',
          tenantId: record.tenantId,
          action: 'widget_key.create',
          target: record.id,
          details: { origins: record.origins },
        });
        if (record.origins.length === 0) {
          output.info(
            'no --origin given: browsers cannot use this key; only calls without an Origin header can',
          );
        }
        output.result({ key, id: record.id, tenant: record.tenantId, origins: record.origins }, key);
      } finally {
        await store.close();
      }
    });
}

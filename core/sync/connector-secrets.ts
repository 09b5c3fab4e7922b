import { secretValueSchema, type ConnectorDefinition } from '../contract/connector.js';
import { AppError } from '../contract/errors.js';
import type { SecretStore } from '../contract/secrets.js';
import type { TenantId } from '../contract/tenant.js';

type SecretFields = Pick<ConnectorDefinition<unknown>, 'secretFields'>;

/**
 * `connectors add`: the value of every secret field written `{ env: "VAR" }`, read from the environment once.
 * A plain-text secret, a `secretRef` in a config file or an unset variable is refused (SPEC.md).
 */
export function readSecretsFromEnv(
  definition: SecretFields,
  settings: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of definition.secretFields) {
    if (settings[field] === undefined) continue;
    const parsed = secretValueSchema.safeParse(settings[field]);
    if (!parsed.success || !('env' in parsed.data)) {
      throw new AppError(
        'invalid_input',
        `settings.${field} is a secret: write it as {"env": "VARIABLE"} and set the variable, never as plain text`,
      );
    }
    const value = env[parsed.data.env];
    if (value === undefined || value === '') {
      throw new AppError(
        'invalid_input',
        `settings.${field} names the environment variable ${parsed.data.env}, which is not set; set it and run the command again`,
      );
    }
    values[field] = value;
  }
  return values;
}

/** Puts each secret in the secret store and returns the settings with `{ secretRef }` in place of `{ env }`. */
export async function storeSecrets(
  settings: Record<string, unknown>,
  values: Record<string, string>,
  input: { tenant: TenantId; connectorName: string; secrets: SecretStore },
): Promise<{ settings: Record<string, unknown>; refs: string[] }> {
  const out: Record<string, unknown> = { ...settings };
  const refs: string[] = [];
  for (const [field, value] of Object.entries(values)) {
    const ref = await input.secrets.put(input.tenant, `${input.connectorName}.${field}`, value);
    refs.push(ref);
    out[field] = { secretRef: ref };
  }
  return { settings: out, refs };
}

/** The secret references a connector's settings hold, e.g. to delete them with the connector. */
export function secretRefsOf(definition: SecretFields, settings: Record<string, unknown>): string[] {
  return definition.secretFields.flatMap((field) => {
    const parsed = secretValueSchema.safeParse(settings[field]);
    return parsed.success && 'secretRef' in parsed.data ? [parsed.data.secretRef] : [];
  });
}

/** Sync time: each secret field's `{ secretRef }` is read from the secret store into the connector's context. */
export async function resolveSecrets(
  definition: SecretFields,
  settings: Record<string, unknown>,
  input: { tenant: TenantId; connectorName: string; secrets: SecretStore },
): Promise<Record<string, string>> {
  const resolved: Record<string, string> = {};
  for (const field of definition.secretFields) {
    if (settings[field] === undefined) continue;
    const parsed = secretValueSchema.safeParse(settings[field]);
    if (!parsed.success || !('secretRef' in parsed.data)) {
      throw new AppError(
        'invalid_input',
        `connector "${input.connectorName}": settings.${field} holds no secret reference; add the connector again with {"env": "VARIABLE"}`,
      );
    }
    const value = await input.secrets.get(input.tenant, parsed.data.secretRef);
    if (value === null) {
      throw new AppError(
        'not_found',
        `connector "${input.connectorName}": its ${field} is gone from the secret store; remove the connector and add it again`,
      );
    }
    resolved[field] = value;
  }
  return resolved;
}

import { z } from 'zod';
import { secretValueSchema, type ConnectorConfig, type ConnectorDefinition } from '../contract/connector.js';
import { secretFieldMarker, type ConnectorKindInfo } from '../contract/console-api.js';
import { AppError, isAppError } from '../contract/errors.js';
import type { SecretStore } from '../contract/secrets.js';
import type { TenantId } from '../contract/tenant.js';
import { resolveSecrets } from '../sync/connector-secrets.js';
import { connectorKinds, loadConnector, type ConnectorRegistry } from '../sync/registry.js';
import { retryingFetch } from '../sync/retrying-fetch.js';

type Definition = ConnectorDefinition<unknown>;

/** Every kind with its settings as JSON Schema; a kind whose module is broken is listed with the reason. */
export async function listKinds(registry?: ConnectorRegistry): Promise<ConnectorKindInfo[]> {
  const kinds = await connectorKinds(registry);
  return Promise.all(
    kinds.map(async (kind): Promise<ConnectorKindInfo> => {
      try {
        return kindInfo(await loadConnector(kind, registry));
      } catch (error) {
        return {
          kind,
          displayName: kind,
          available: false,
          error: error instanceof Error ? error.message : String(error),
          capabilities: {},
          secretFields: [],
          settingsSchema: null,
        };
      }
    }),
  );
}

function kindInfo(definition: Definition): ConnectorKindInfo {
  const { $schema: _ignored, ...jsonSchema } = z.toJSONSchema(definition.settingsSchema, {
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  const properties = (jsonSchema.properties ?? {}) as Record<string, Record<string, unknown>>;
  for (const field of definition.secretFields) {
    const description = properties[field]?.description;
    // The form types the secret in; the stored `{secretRef}` shape is the server's business.
    properties[field] = {
      type: 'string',
      format: 'password',
      writeOnly: true,
      [secretFieldMarker]: true,
      ...(typeof description === 'string' ? { description } : {}),
    };
  }
  return {
    kind: definition.kind,
    displayName: definition.displayName,
    available: true,
    error: null,
    capabilities: { ...definition.capabilities },
    secretFields: [...definition.secretFields],
    settingsSchema: { ...jsonSchema, properties },
  };
}

/**
 * Splits the form's settings into the plain settings and the secrets typed in. A secret left empty or absent
 * is "not given" (on edit: keep the stored one). Anything but a string for a secret is refused, so an API
 * caller cannot make the server read its environment (`{env}`) or another connector's secret (`{secretRef}`).
 */
export function splitFormSecrets(
  definition: Definition,
  settings: Record<string, unknown>,
): { plain: Record<string, unknown>; typed: Record<string, string> } {
  const plain: Record<string, unknown> = { ...settings };
  const typed: Record<string, string> = {};
  for (const field of definition.secretFields) {
    const value = plain[field];
    delete plain[field];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') {
      throw new AppError(
        'invalid_input',
        `settings.${field}: a secret is typed in as plain text; it goes to the secret store, never to a file or log`,
      );
    }
    typed[field] = value;
  }
  return { plain, typed };
}

/**
 * Checks settings against the kind's schema, with each secret that will be there (typed in or already stored)
 * standing in as a reference. Returns the parsed settings the connector is created with.
 */
export function parseSettings(
  definition: Definition,
  plain: Record<string, unknown>,
  secretsPresent: Iterable<string>,
): unknown {
  const candidate: Record<string, unknown> = { ...plain };
  for (const field of secretsPresent) candidate[field] = { secretRef: 'pending' };
  const parsed = definition.settingsSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `settings.${issue.path.join('.')}` : 'settings';
    const missingSecret = issue?.path.length === 1 && definition.secretFields.includes(String(issue.path[0]));
    throw new AppError(
      'invalid_input',
      missingSecret ? `${where}: required; type it in` : `${where}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

/** The stored secrets of a connector's settings, by field, read from the secret store. */
export function storedSecretValues(
  definition: Definition,
  config: ConnectorConfig,
  tenant: TenantId,
  secrets: SecretStore,
): Promise<Record<string, string>> {
  return resolveSecrets(definition, config.settings, { tenant, connectorName: config.name, secrets });
}

/** Secret fields of stored settings that hold a reference. */
export function storedSecretFields(
  definition: Definition | null,
  settings: Record<string, unknown>,
): string[] {
  const fields = definition ? definition.secretFields : Object.keys(settings);
  return fields.filter((field) => {
    const parsed = secretValueSchema.safeParse(settings[field]);
    return parsed.success && 'secretRef' in parsed.data;
  });
}

/** The settings without secret fields (and without any secret reference), as the console shows them. */
export function publicSettings(
  definition: Definition | null,
  settings: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(settings)) {
    if (definition?.secretFields.includes(field)) continue;
    if (secretValueSchema.safeParse(value).success) continue;
    out[field] = value;
  }
  return out;
}

/**
 * Runs the connector's `validate()`. Its message is the point (what is wrong and what to do), so it is kept;
 * the code is mapped so that a source refusing a token never reads as the console session ending (401).
 */
export async function testConnection(
  definition: Definition,
  parsed: unknown,
  secrets: Record<string, string>,
  signal: AbortSignal,
  fetchImpl: typeof fetch = fetch,
): Promise<void> {
  const source = definition.create(parsed, {
    secrets,
    fetch: retryingFetch(fetchImpl, { signal, maxAttempts: 2 }),
  });
  try {
    await source.validate(signal);
  } catch (error) {
    if (signal.aborted) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const code = isAppError(error) && error.code === 'unavailable' ? 'unavailable' : 'invalid_input';
    throw new AppError(code, `Connection test failed: ${message}`, { cause: error });
  }
}

import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ConnectorDefinition } from '../contract/connector.js';
import { AppError } from '../contract/errors.js';

/** Kind → lazy loader of a connector module whose default export is its definition (connectors/index.ts). */
export type ConnectorRegistry = Readonly<
  Record<string, () => Promise<{ default: ConnectorDefinition<unknown> }>>
>;

/**
 * connectors/index.ts sits two folders above this file both in the source tree (run by tsx and vitest, where
 * only the .ts exists) and in dist/ (where tsc put the .js beside it). The URL is computed so the layering
 * rule, which forbids core from importing connectors/, still holds for every static import.
 */
function registryUrl(): URL {
  const built = new URL('../../connectors/index.js', import.meta.url);
  if (fs.existsSync(fileURLToPath(built))) return built;
  return new URL('../../connectors/index.ts', import.meta.url);
}

let shipped: Promise<ConnectorRegistry> | null = null;

/** The registry of the connectors the product ships, loaded once. */
export function shippedRegistry(): Promise<ConnectorRegistry> {
  shipped ??= (import(registryUrl().href) as Promise<{ connectorRegistry: ConnectorRegistry }>).then(
    (m) => m.connectorRegistry,
    (cause: unknown) => {
      shipped = null;
      throw new AppError(
        'unavailable',
        `the connector registry could not be loaded (${messageOf(cause)}); reinstall airdesk`,
        { cause },
      );
    },
  );
  return shipped;
}

/** The connector kinds a registry offers, sorted. */
export async function connectorKinds(registry?: ConnectorRegistry): Promise<string[]> {
  return Object.keys(registry ?? (await shippedRegistry())).sort();
}

/**
 * Loads one connector kind's definition. An unknown kind is `invalid_input` naming the kinds there are; a module
 * that fails to load or does not export a definition is `unavailable`, and only that kind is affected.
 * Tests pass their own `registry`.
 */
export async function loadConnector(
  kind: string,
  registry?: ConnectorRegistry,
): Promise<ConnectorDefinition<unknown>> {
  const kinds = registry ?? (await shippedRegistry());
  const load = Object.hasOwn(kinds, kind) ? kinds[kind] : undefined;
  if (!load) {
    throw new AppError(
      'invalid_input',
      `unknown connector type "${kind}"; available: ${Object.keys(kinds).sort().join(', ')}`,
    );
  }
  let definition: unknown;
  try {
    definition = (await load()).default;
  } catch (cause) {
    throw new AppError(
      'unavailable',
      `the ${kind} connector could not be loaded (${messageOf(cause)}); other connectors are unaffected — reinstall airdesk or report it`,
      { cause },
    );
  }
  if (!isDefinition(definition) || definition.kind !== kind) {
    throw new AppError(
      'unavailable',
      `the ${kind} connector module does not export a "${kind}" connector definition; reinstall airdesk or report it`,
    );
  }
  return definition;
}

function isDefinition(value: unknown): value is ConnectorDefinition<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const d = value as Partial<ConnectorDefinition<unknown>>;
  return (
    typeof d.kind === 'string' &&
    typeof d.create === 'function' &&
    typeof d.settingsSchema?.safeParse === 'function' &&
    Array.isArray(d.secretFields) &&
    typeof d.capabilities === 'object'
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : String(error);
}

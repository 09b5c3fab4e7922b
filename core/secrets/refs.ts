import { AppError } from '../contract/errors.js';
import { tenantIdSchema, type TenantId } from '../contract/tenant.js';

/** Every reference into the secret store starts with this; what follows is `<tenant>/<name>`. */
export const secretRefPrefix = 'airdesk-secret:';

/** Secret names: letters, digits and `. _ - : @ /`, e.g. `jira-main/apiToken`. Never a value. */
const namePattern = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,199}$/;

/** Large enough for a PEM private key or a service-account JSON, small enough to stay out of trouble. */
export const maxSecretBytes = 64 * 1024;

export function checkTenant(tenant: TenantId): void {
  if (!tenantIdSchema.safeParse(tenant).success) {
    throw new AppError('invalid_input', `"${String(tenant).slice(0, 80)}" is not a tenant id`);
  }
}

export function checkSecretName(name: string): void {
  if (typeof name !== 'string' || !namePattern.test(name)) {
    throw new AppError(
      'invalid_input',
      'a secret name is 1-200 letters, digits or . _ - : @ / and starts with a letter or digit (e.g. "jira-main/apiToken")',
    );
  }
}

/** Checks a value without ever putting it (or any part of it) in the message. */
export function checkSecretValue(value: string): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new AppError('invalid_input', 'a secret value must be a non-empty string');
  }
  if (Buffer.byteLength(value, 'utf8') > maxSecretBytes) {
    throw new AppError('too_large', `a secret value may be at most ${maxSecretBytes} bytes`);
  }
}

export function formatSecretRef(tenant: TenantId, name: string): string {
  return `${secretRefPrefix}${tenant}/${name}`;
}

/** Splits `airdesk-secret:<tenant>/<name>`; a malformed reference is invalid input (a reference is not a secret). */
export function parseSecretRef(ref: string): { tenant: TenantId; name: string } {
  const shown = typeof ref === 'string' ? JSON.stringify(ref.slice(0, 120)) : 'the value';
  if (typeof ref !== 'string' || !ref.startsWith(secretRefPrefix)) {
    throw new AppError(
      'invalid_input',
      `${shown} is not a secret reference (airdesk-secret:<tenant>/<name>)`,
    );
  }
  const rest = ref.slice(secretRefPrefix.length);
  const slash = rest.indexOf('/');
  const tenant = slash < 0 ? '' : rest.slice(0, slash);
  const name = slash < 0 ? '' : rest.slice(slash + 1);
  if (!tenantIdSchema.safeParse(tenant).success || !namePattern.test(name)) {
    throw new AppError(
      'invalid_input',
      `${shown} is not a secret reference (airdesk-secret:<tenant>/<name>)`,
    );
  }
  return { tenant, name };
}

/** The secret name a reference points at, refusing a reference that names another tenant. */
export function nameInTenant(tenant: TenantId, ref: string): string {
  checkTenant(tenant);
  const parsed = parseSecretRef(ref);
  if (parsed.tenant !== tenant) {
    throw new AppError(
      'forbidden',
      `secret reference ${JSON.stringify(ref)} belongs to another tenant; a tenant can read only its own secrets`,
    );
  }
  return parsed.name;
}

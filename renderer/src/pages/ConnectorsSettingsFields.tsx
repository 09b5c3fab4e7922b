import { useId } from 'react';
import { secretFieldMarker } from '../../../core/contract/console-api.js';

type JsonSchema = Record<string, unknown>;

/** One settings field of a connector kind, read from its JSON schema. */
export interface SettingsField {
  name: string;
  label: string;
  type: 'text' | 'number' | 'integer' | 'boolean' | 'list' | 'choice' | 'secret' | 'json';
  required: boolean;
  description: string | null;
  choices: string[];
  pattern: RegExp | null;
  minimum: number | null;
  maximum: number | null;
  /** The schema's default, as the form shows it. */
  initial: FieldValue;
}

/** What the form holds: text for text-like fields (a list is one item per line), a flag for booleans. */
export type FieldValue = string | boolean;

/** "maxFileBytes" → "Max file bytes"; "baseUrl" → "Base URL". */
function labelOf(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/\burl\b/g, 'URL')
    .replace(/\bid(s?)\b/g, 'ID$1');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function describe(name: string, schema: JsonSchema, required: boolean): SettingsField {
  const type = schema.type;
  const items = (schema.items ?? {}) as JsonSchema;
  const choices = Array.isArray(schema.enum) ? schema.enum.map(String) : [];
  const fieldType: SettingsField['type'] =
    schema[secretFieldMarker] === true
      ? 'secret'
      : choices.length > 0
        ? 'choice'
        : type === 'string'
          ? 'text'
          : type === 'integer'
            ? 'integer'
            : type === 'number'
              ? 'number'
              : type === 'boolean'
                ? 'boolean'
                : type === 'array' && items.type === 'string'
                  ? 'list'
                  : 'json';
  const initial = initialValue(fieldType, schema.default);
  let pattern: RegExp | null = null;
  const source = fieldType === 'list' ? items.pattern : schema.pattern;
  if (typeof source === 'string') {
    try {
      pattern = new RegExp(source);
    } catch {
      pattern = null; // a pattern this browser cannot read is left to the server
    }
  }
  return {
    name,
    label: labelOf(name),
    type: fieldType,
    required,
    description: typeof schema.description === 'string' ? schema.description : null,
    choices,
    pattern,
    minimum: typeof schema.minimum === 'number' ? schema.minimum : null,
    maximum: typeof schema.maximum === 'number' ? schema.maximum : null,
    initial,
  };
}

function initialValue(type: SettingsField['type'], value: unknown): FieldValue {
  if (type === 'boolean') return value === true;
  if (value === undefined) return '';
  if (type === 'list' && Array.isArray(value)) return value.map(String).join('\n');
  if (type === 'json') return JSON.stringify(value, null, 2);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The form fields of a kind's settings schema, in the schema's order. */
export function settingsFields(schema: JsonSchema | null): SettingsField[] {
  if (!schema) return [];
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  return Object.entries(properties).map(([name, property]) => describe(name, property, required.has(name)));
}

/** The form values of stored settings (secrets are never sent back, so they start empty). */
export function formValues(
  fields: SettingsField[],
  settings: Record<string, unknown> | null,
): Record<string, FieldValue> {
  return Object.fromEntries(
    fields.map((f) => [
      f.name,
      settings && f.name in settings && f.type !== 'secret'
        ? initialValue(f.type, settings[f.name])
        : f.initial,
    ]),
  );
}

/**
 * The settings the form's values make, or the first problem per field. Empty optional fields are left out so
 * the connector's defaults apply; a secret left empty on edit keeps the stored one (`storedSecrets`).
 */
export function readSettings(
  fields: SettingsField[],
  values: Record<string, FieldValue>,
  storedSecrets: string[],
): { settings: Record<string, unknown>; errors: Record<string, string> } {
  const settings: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const raw = values[f.name] ?? f.initial;
    if (f.type === 'boolean') {
      settings[f.name] = raw === true;
      continue;
    }
    const text = typeof raw === 'string' ? raw.trim() : '';
    if (text === '') {
      if (f.required && !(f.type === 'secret' && storedSecrets.includes(f.name)))
        errors[f.name] = 'Required.';
      continue;
    }
    const problem = check(f, text, settings);
    if (problem) errors[f.name] = problem;
  }
  return { settings, errors };
}

function check(f: SettingsField, text: string, out: Record<string, unknown>): string | null {
  switch (f.type) {
    case 'number':
    case 'integer': {
      const n = Number(text);
      if (!Number.isFinite(n) || (f.type === 'integer' && !Number.isInteger(n))) {
        return f.type === 'integer' ? 'A whole number.' : 'A number.';
      }
      if (f.minimum !== null && n < f.minimum) return `At least ${f.minimum}.`;
      if (f.maximum !== null && n > f.maximum) return `At most ${f.maximum}.`;
      out[f.name] = n;
      return null;
    }
    case 'list': {
      const items = text
        .split(/\r?\n|,/)
        .map((s) => s.trim())
        .filter((s) => s !== '');
      const bad = f.pattern ? items.find((item) => !f.pattern?.test(item)) : undefined;
      if (bad !== undefined) return `"${bad}" is not allowed here.`;
      out[f.name] = items;
      return null;
    }
    case 'json':
      try {
        out[f.name] = JSON.parse(text) as unknown;
        return null;
      } catch {
        return 'Valid JSON.';
      }
    default:
      if (f.pattern && f.type !== 'secret' && !f.pattern.test(text)) return 'Not in the expected format.';
      out[f.name] = text;
      return null;
  }
}

interface SettingsFieldInputProps {
  field: SettingsField;
  value: FieldValue;
  error: string | undefined;
  /** This secret has a stored value: leaving the field empty keeps it. */
  secretStored: boolean;
  onChange: (value: FieldValue) => void;
}

/** One labelled input for a settings field, with its help and its error announced to screen readers. */
export function SettingsFieldInput({ field, value, error, secretStored, onChange }: SettingsFieldInputProps) {
  const id = useId();
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  const help =
    field.type === 'secret'
      ? secretStored
        ? 'A value is stored. Leave empty to keep it; type a new one to replace it.'
        : 'Kept in the OS keychain or the encrypted secrets file, never shown again.'
      : field.type === 'list'
        ? 'One per line.'
        : field.type === 'json'
          ? 'JSON.'
          : null;
  const describedBy = [field.description || help ? helpId : null, error ? errorId : null]
    .filter(Boolean)
    .join(' ');
  const common = {
    id,
    name: field.name,
    'aria-invalid': error !== undefined,
    'aria-describedby': describedBy || undefined,
    'aria-required': field.required || undefined,
  };
  const label = `${field.label}${field.required ? '' : ' (optional)'}`;

  if (field.type === 'boolean') {
    return (
      <div className="field field-check">
        <label className="check">
          <input
            type="checkbox"
            {...common}
            checked={value === true}
            onChange={(event) => onChange(event.target.checked)}
          />
          <span className="field-label">{field.label}</span>
        </label>
        {field.description && (
          <span id={helpId} className="field-help">
            {field.description}
          </span>
        )}
      </div>
    );
  }
  const text = typeof value === 'string' ? value : '';
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {field.type === 'choice' ? (
        <select className="select" {...common} value={text} onChange={(e) => onChange(e.target.value)}>
          {!field.required && <option value="">(default)</option>}
          {field.choices.map((c) => (
            <option key={c} value={c}>
              {c}
            </option>
          ))}
        </select>
      ) : field.type === 'list' || field.type === 'json' ? (
        <textarea
          className="input textarea"
          {...common}
          rows={field.type === 'json' ? 4 : 3}
          spellCheck={false}
          value={text}
          onChange={(e) => onChange(e.target.value)}
        />
      ) : (
        <input
          className="input"
          {...common}
          type={field.type === 'secret' ? 'password' : 'text'}
          inputMode={field.type === 'number' || field.type === 'integer' ? 'decimal' : undefined}
          autoComplete={field.type === 'secret' ? 'new-password' : 'off'}
          spellCheck={false}
          placeholder={field.type === 'secret' && secretStored ? '•••••••• (stored)' : undefined}
          value={text}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
      {(field.description || help) && (
        <span id={helpId} className="field-help">
          {[field.description, help].filter(Boolean).join(' ')}
        </span>
      )}
      {error && (
        <span id={errorId} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}

import { useEffect, useState } from 'react';
import { AnsweringPanel } from './AnsweringPanel.js';
import { defaultTheme, defaultWidgetBase, type WidgetTheme } from './snippet.js';
import { ThemePanel } from './ThemePanel.js';
import { WidgetKeysPanel } from './WidgetKeysPanel.js';
import './settings.css';

const baseStorageKey = 'airdesk.settings.widgetBase';
const themeStorageKey = (tenant: string) => `airdesk.settings.widgetTheme.${tenant}`;

/** localStorage, when the browser allows it; the settings still work (unremembered) when it does not. */
function recall(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function keep(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Storage blocked: the choice lasts until the page reloads.
  }
}

function recallTheme(tenant: string): WidgetTheme {
  try {
    const stored = JSON.parse(recall(themeStorageKey(tenant)) ?? 'null') as Partial<WidgetTheme> | null;
    return { ...defaultTheme, ...(stored && typeof stored === 'object' ? stored : {}) };
  } catch {
    return defaultTheme;
  }
}

/**
 * One tenant's desk settings: widget keys, answering, and the widget's look. The widget server's address and the
 * look are not server settings (they only shape the embed snippet), so this browser remembers them.
 */
export function TenantSettings({ tenant }: { tenant: string }) {
  const [widgetBase, setWidgetBase] = useState(() => recall(baseStorageKey) ?? defaultWidgetBase);
  const [theme, setTheme] = useState(() => recallTheme(tenant));
  const [createdKey, setCreatedKey] = useState<string | null>(null);

  useEffect(() => keep(baseStorageKey, widgetBase), [widgetBase]);
  useEffect(() => keep(themeStorageKey(tenant), JSON.stringify(theme)), [tenant, theme]);

  return (
    <>
      <WidgetKeysPanel
        tenant={tenant}
        widgetBase={widgetBase}
        onWidgetBaseChange={setWidgetBase}
        theme={theme}
        onCreated={setCreatedKey}
      />
      <AnsweringPanel tenant={tenant} />
      <ThemePanel theme={theme} onChange={setTheme} widgetBase={widgetBase} widgetKey={createdKey} />
    </>
  );
}

import { useCallback, useEffect, useState } from 'react';
import type { CreateTenantInput, Tenant } from '../../core/contract/tenant.js';
import { createTenant, listTenants, messageOf } from './api.js';

const storageKey = 'airdesk.tenant';

function storedTenantId(): string | null {
  try {
    return window.localStorage.getItem(storageKey);
  } catch {
    return null; // storage disabled by policy: the choice is simply not remembered
  }
}

function storeTenantId(id: string): void {
  try {
    window.localStorage.setItem(storageKey, id);
  } catch {
    // storage disabled by policy: the choice lasts for this page only
  }
}

export interface TenantsState {
  status: 'loading' | 'ready' | 'error';
  tenants: Tenant[];
  /** Why the list could not be loaded, when status is 'error'. */
  error: string | null;
  /** The tenant the console works on: the remembered choice if it still exists, else the first one. */
  selected: Tenant | null;
  select: (id: string) => void;
  /** Creates a tenant and selects it; throws ApiError with the server's message when refused. */
  create: (input: CreateTenantInput) => Promise<Tenant>;
  reload: () => void;
}

/** The tenant list from the console API and the tenant chosen in the header's switcher. */
export function useTenants(): TenantsState {
  const [tenants, setTenants] = useState<Tenant[]>([]);
  const [status, setStatus] = useState<TenantsState['status']>('loading');
  const [error, setError] = useState<string | null>(null);
  const [chosenId, setChosenId] = useState<string | null>(storedTenantId);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let current = true;
    listTenants().then(
      (list) => {
        if (!current) return;
        setTenants(list);
        setStatus('ready');
        setError(null);
      },
      (failure: unknown) => {
        if (!current) return;
        setStatus('error');
        setError(messageOf(failure));
      },
    );
    return () => {
      current = false;
    };
  }, [generation]);

  const select = useCallback((id: string) => {
    setChosenId(id);
    storeTenantId(id);
  }, []);

  const create = useCallback(
    async (input: CreateTenantInput) => {
      const tenant = await createTenant(input);
      setTenants((list) => [...list.filter((t) => t.id !== tenant.id), tenant]);
      select(tenant.id);
      return tenant;
    },
    [select],
  );

  const reload = useCallback(() => {
    setStatus('loading');
    setGeneration((n) => n + 1);
  }, []);

  const selected = tenants.find((t) => t.id === chosenId) ?? tenants[0] ?? null;
  return { status, tenants, error, selected, select, create, reload };
}

import { useId, useState } from 'react';
import type { TenantsState } from '../useTenants.js';
import { CreateTenantForm } from './CreateTenantForm.js';

interface TenantSwitcherProps {
  tenants: TenantsState;
}

/** The header's tenant picker, with a panel to create a tenant. */
export function TenantSwitcher({ tenants }: TenantSwitcherProps) {
  const [creating, setCreating] = useState(false);
  const selectId = useId();
  const panelId = useId();
  const { status, selected } = tenants;

  return (
    <div className="tenant-switcher">
      <label className="tenant-label" htmlFor={selectId}>
        Tenant
      </label>
      <select
        id={selectId}
        className="select"
        value={selected?.id ?? ''}
        disabled={status !== 'ready' || tenants.tenants.length === 0}
        onChange={(event) => tenants.select(event.target.value)}
      >
        {status === 'loading' && <option value="">Loading tenants…</option>}
        {status === 'error' && <option value="">Tenants unavailable</option>}
        {status === 'ready' && tenants.tenants.length === 0 && <option value="">No tenants yet</option>}
        {tenants.tenants.map((tenant) => (
          <option key={tenant.id} value={tenant.id}>
            {tenant.name === tenant.id ? tenant.id : `${tenant.name} (${tenant.id})`}
          </option>
        ))}
      </select>
      {status === 'error' && (
        <button type="button" className="button" onClick={tenants.reload} title={tenants.error ?? undefined}>
          Retry
        </button>
      )}
      <button
        type="button"
        className="button"
        aria-expanded={creating}
        aria-controls={panelId}
        onClick={() => setCreating((open) => !open)}
      >
        New tenant
      </button>
      {creating && (
        <div
          id={panelId}
          className="popover"
          role="group"
          aria-label="Create a tenant"
          onKeyDown={(event) => {
            if (event.key === 'Escape') setCreating(false);
          }}
        >
          <CreateTenantForm onCreate={tenants.create} onDone={() => setCreating(false)} />
        </div>
      )}
    </div>
  );
}

import type { Tenant } from '../../../core/contract/tenant.js';

interface TenantTableProps {
  tenants: Tenant[];
  selectedId: string | undefined;
}

function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** The tenants of this installation. */
export function TenantTable({ tenants, selectedId }: TenantTableProps) {
  return (
    <table className="table">
      <caption className="visually-hidden">Tenants</caption>
      <thead>
        <tr>
          <th scope="col">Id</th>
          <th scope="col">Name</th>
          <th scope="col">Created</th>
        </tr>
      </thead>
      <tbody>
        {tenants.map((tenant) => (
          <tr key={tenant.id} aria-current={tenant.id === selectedId ? 'true' : undefined}>
            <td>
              <code>{tenant.id}</code>
              {tenant.id === selectedId && <span className="badge">selected</span>}
            </td>
            <td>{tenant.name}</td>
            <td>
              <time dateTime={tenant.createdAt}>{formatDate(tenant.createdAt)}</time>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

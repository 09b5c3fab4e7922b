import type { TenantsState } from '../useTenants.js';

/** What every section page receives from the app frame. */
export interface PageProps {
  tenants: TenantsState;
}

import { DeskEventsProvider } from '../desk/DeskEvents.js';
import type { SectionId } from '../navigation.js';
import { ConnectorsPage } from '../pages/ConnectorsPage.js';
import { EscalationsPage } from '../pages/EscalationsPage.js';
import { InboxPage } from '../pages/InboxPage.js';
import { KnowledgePage } from '../pages/KnowledgePage.js';
import { NotFoundPage } from '../pages/NotFoundPage.js';
import { QualityPage } from '../pages/QualityPage.js';
import { SettingsPage } from '../pages/SettingsPage.js';
import type { TenantsState } from '../useTenants.js';

interface CurrentPageProps {
  section: SectionId | null;
  tenants: TenantsState;
}

/**
 * The page for the current section. The desk's live event stream wraps every page, so a new escalation raises
 * a desktop notification whatever the agent is looking at, and moving between sections keeps one connection.
 */
export function CurrentPage({ section, tenants }: CurrentPageProps) {
  return (
    <DeskEventsProvider tenant={tenants.selected?.id ?? null}>
      <SectionPage section={section} tenants={tenants} />
    </DeskEventsProvider>
  );
}

function SectionPage({ section, tenants }: CurrentPageProps) {
  switch (section) {
    case 'inbox':
      return <InboxPage tenants={tenants} />;
    case 'escalations':
      return <EscalationsPage tenants={tenants} />;
    case 'knowledge':
      return <KnowledgePage tenants={tenants} />;
    case 'connectors':
      return <ConnectorsPage tenants={tenants} />;
    case 'quality':
      return <QualityPage tenants={tenants} />;
    case 'settings':
      return <SettingsPage tenants={tenants} />;
    case null:
      return <NotFoundPage />;
  }
}

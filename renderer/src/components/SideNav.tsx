import type { SessionInfo } from '../../../core/contract/console-api.js';
import { sections, type SectionId } from '../navigation.js';
import { Link } from './Link.js';

interface SideNavProps {
  current: SectionId | null;
  session: SessionInfo;
}

/** The left navigation between the console's sections. */
export function SideNav({ current, session }: SideNavProps) {
  return (
    <nav className="side-nav" aria-label="Console sections">
      <ul className="side-nav-list">
        {sections.map((section) => (
          <li key={section.id}>
            <Link
              to={section.path}
              className="side-nav-link"
              aria-current={section.id === current ? 'page' : undefined}
            >
              {section.label}
            </Link>
          </li>
        ))}
      </ul>
      <p className="side-nav-footer">
        airdesk {session.version}
        <br />
        {session.method === 'token' ? 'Signed in with the console token' : 'Signed in'}
      </p>
    </nav>
  );
}

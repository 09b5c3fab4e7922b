import { Link } from '../components/Link.js';
import { PageHeader } from '../components/PageHeader.js';

/** A console path that names no section. */
export function NotFoundPage() {
  return (
    <>
      <PageHeader title="Page not found" description="This address is not a page of the console." />
      <p>
        <Link to="/inbox">Go to the inbox</Link>
      </p>
    </>
  );
}

import { Link } from 'react-router';
import { PageHeader } from '../components/states.js';

export default function NotFoundPage() {
  return (
    <section>
      <PageHeader title="Page not found" />
      <p className="text-muted">
        Nothing lives at this address.{' '}
        <Link to="/workflows" className="text-accent underline">
          Go to workflows
        </Link>
        .
      </p>
    </section>
  );
}

import { useEffect, useRef, useState } from 'react';
import { API, API_BASE, fullPath } from '../../../contracts/index.js';
import { PageHeader } from '../../components/states.js';

const DOCUMENT_URL = fullPath(API.ops.openapi);

/**
 * The API reference, rendered by Swagger UI from /api/v1/openapi.json. The viewer is large, so it is its own chunk,
 * fetched only when this page opens (it is left out of the idle prefetch of the other pages).
 */
export default function ApiReferencePage() {
  const host = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let cancelled = false;
    import('./swagger-viewer.js')
      .then(({ mountSwaggerUi }) => {
        if (!cancelled && host.current) mountSwaggerUi(host.current, DOCUMENT_URL);
      })
      .catch(() => !cancelled && setFailed(true));
    return () => {
      cancelled = true;
    };
  }, []);
  return (
    <section>
      <PageHeader title="API reference" />
      <p className="mb-4 max-w-3xl text-sm text-muted">
        Every endpoint under <code>{API_BASE}</code>, who may call it and what it takes and answers, generated from the same declarations the server mounts.
        Scripts authenticate with <code>Authorization: Bearer &lt;API key&gt;</code>; the raw document is at{' '}
        <a className="text-accent underline" href={DOCUMENT_URL}>
          {DOCUMENT_URL}
        </a>
        .
      </p>
      {failed ? <p role="alert">The reference viewer could not be loaded; the document itself is at {DOCUMENT_URL}.</p> : null}
      <div ref={host} className="api-reference min-h-64 overflow-hidden rounded-lg border border-border bg-white" data-testid="api-reference" />
    </section>
  );
}

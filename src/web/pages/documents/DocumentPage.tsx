import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import type { DocumentMeta } from '../../../contracts/index.js';
import { ApiError } from '../../api/http.js';
import { queries } from '../../api/queries.js';
import { keys } from '../../api/query-keys.js';
import { useNames } from '../../api/use-names.js';
import { ErrorBoundary } from '../../components/ErrorBoundary.js';
import { RelativeTime } from '../../components/RelativeTime.js';
import { StaleBanner } from '../../components/StaleBanner.js';
import { ErrorState, Loading, PageHeader } from '../../components/states.js';
import { useStoryTitle } from '../stories/use-story-title.js';
import { DocumentVersions } from './DocumentVersions.js';
import { Superseded } from './Superseded.js';
import { fetchDocumentContent, formatBytes, kindLabel, versionOf, type ContentFallback, type DocumentContent } from './content.js';

// The viewers' React parts are small and come with this page; the libraries they drive (marked, DOMPurify,
// highlight.js, mermaid, pdf.js) are separate chunks, fetched only when a document of that type is opened.
import MarkdownView from '../../components/markdown/MarkdownView.js';
import CodeView from './viewers/CodeView.js';
import JsonTree from './viewers/JsonTree.js';
import PdfView from './viewers/PdfView.js';

function Fallback({ fallback }: { fallback: ContentFallback }) {
  return (
    <div data-testid="document-fallback" className="rounded-md border border-dashed border-border bg-surface px-4 py-8 text-center">
      <p className="font-medium">This document is not shown in the browser.</p>
      <p className="mt-1 text-sm text-muted" data-testid="fallback-reason">
        Reason: {fallback.reason}
      </p>
      <dl className="mx-auto mt-3 inline-grid grid-cols-[auto_auto] gap-x-3 gap-y-1 text-left text-sm">
        <dt className="text-muted">Type</dt>
        <dd data-testid="fallback-mime" className="break-all">
          {fallback.mimeType}
        </dd>
        <dt className="text-muted">Size</dt>
        <dd data-testid="fallback-size">{formatBytes(fallback.sizeBytes)}</dd>
      </dl>
    </div>
  );
}

function Viewer({ content }: { content: DocumentContent }) {
  switch (content.kind) {
    case 'markdown':
      return <MarkdownView source={content.text} />;
    case 'pdf':
      return <PdfView data={content.bytes} />;
    case 'json':
      return <JsonTree source={content.text} />;
    case 'yaml':
      return <CodeView source={content.text} language="yaml" />;
    case 'text':
      return <CodeView source={content.text} language={null} />;
    case 'fallback':
      return <Fallback fallback={content.fallback} />;
  }
}

function MetaItem({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs uppercase text-muted">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </div>
  );
}

/** The document's story by its title, linked to the story page, and a link to all the story's documents. */
function StoryOfDocument({ storyId }: { storyId: string }) {
  const title = useStoryTitle(storyId);
  return (
    <>
      <Link to={`/stories/${encodeURIComponent(storyId)}`} className="text-accent hover:underline" title={title} data-testid="document-story">
        {title ?? '…'}
      </Link>{' '}
      <Link to={`/documents?storyId=${encodeURIComponent(storyId)}`} className="whitespace-nowrap text-xs text-muted hover:underline">
        all its documents
      </Link>
    </>
  );
}

function DocumentMetaPanel({ d }: { d: DocumentMeta }) {
  const names = useNames();
  return (
    <dl
      className="mb-4 grid grid-cols-2 gap-3 rounded-md border border-border bg-surface p-4 text-sm sm:grid-cols-3 lg:grid-cols-6"
      data-testid="document-meta"
    >
      <MetaItem label="Kind">{d.kind ? kindLabel(d.kind) : <span className="text-muted">not given</span>}</MetaItem>
      <MetaItem label="Project">
        {d.projectId ? (
          <Link to={`/projects/${encodeURIComponent(d.projectId)}`} className="text-accent hover:underline">
            {names.project(d.projectId)}
          </Link>
        ) : (
          <span className="text-muted">none</span>
        )}
      </MetaItem>
      <MetaItem label="Story">{d.storyId ? <StoryOfDocument storyId={d.storyId} /> : <span className="text-muted">none</span>}</MetaItem>
      <MetaItem label="Type">
        <span className="break-all">{d.mimeType}</span>
        {d.sizeBytes !== null && d.sizeBytes !== undefined && <span className="text-muted"> · {formatBytes(d.sizeBytes)}</span>}
      </MetaItem>
      <MetaItem label="Updated">
        <RelativeTime value={d.updatedAt ?? d.createdAt} />
      </MetaItem>
      <MetaItem label="Checksum">
        {d.checksum ? (
          <code className="text-xs" title={d.checksum}>
            {d.checksum.replace(/^sha256:/, '').slice(0, 12)}…
          </code>
        ) : (
          <span className="text-muted">none</span>
        )}
      </MetaItem>
      {d.path && (
        <div className="col-span-2 min-w-0 sm:col-span-3 lg:col-span-6">
          <dt className="text-xs uppercase text-muted">File</dt>
          <dd className="break-all font-mono text-xs" data-testid="document-path">
            {d.root ? `${d.root}:` : ''}
            {d.path}
          </dd>
        </div>
      )}
    </dl>
  );
}

/** The document's content, read once its metadata is known. */
function useDocumentContent(id: string, meta: DocumentMeta | undefined) {
  const qc = useQueryClient();
  return useQuery({
    queryKey: keys.documentContent(id),
    // The metadata as the cache holds it now (a Reload re-reads it first), so the version recorded matches what is fetched.
    queryFn: ({ signal }) => fetchDocumentContent(qc.getQueryData<DocumentMeta>(keys.document(id)) ?? meta!, signal),
    enabled: meta !== undefined,
    // What someone is reading never changes under them: a newer version is offered, not swapped in.
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });
}

export default function DocumentPage() {
  const { id = '' } = useParams();
  const qc = useQueryClient();
  const meta = useQuery(queries.document(id));
  const content = useDocumentContent(id, meta.data);

  if (meta.isPending) return <Loading what="the document" />;
  const notFound = meta.error instanceof ApiError && meta.error.status === 404;
  if (!meta.data) {
    if (notFound) {
      return (
        <section>
          <PageHeader title="Document not found" />
          <p className="mb-2 text-muted">It may have been removed, or the link is wrong.</p>
          <Link to="/documents" className="text-accent underline">
            Back to documents
          </Link>
        </section>
      );
    }
    return <ErrorState error={meta.error} onRetry={() => void meta.refetch()} />;
  }
  const d = meta.data;
  const changed = content.data !== undefined && versionOf(d) !== content.data.version;
  const reload = async () => {
    await meta.refetch();
    await qc.refetchQueries({ queryKey: keys.documentContent(id), exact: true });
  };

  return (
    <section>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link to="/documents" className="text-accent underline">
          Documents
        </Link>{' '}
        / <span className="text-muted">{d.title}</span>
      </nav>
      <PageHeader title={d.title} />
      <StaleBanner modules={['document']} />
      {notFound && (
        <div role="status" data-testid="document-removed" className="mb-4 rounded-md border border-warn bg-warn-bg px-4 py-3 text-sm text-warn">
          <strong>This document has been removed</strong> since you opened it; what you see is the last version you loaded.
        </div>
      )}
      {changed && !notFound && (
        <div
          role="status"
          data-testid="document-changed"
          className="mb-4 flex flex-wrap items-center gap-3 rounded-md border border-info bg-info-bg px-4 py-3 text-sm text-info"
        >
          <span>
            <strong>This document changed since you opened it.</strong> You are reading the earlier version.
          </span>
          <button
            type="button"
            onClick={() => void reload()}
            disabled={content.isFetching}
            className="rounded border border-info px-3 py-1 font-medium hover:bg-surface disabled:opacity-60"
          >
            {content.isFetching ? 'Reloading…' : 'Reload'}
          </button>
        </div>
      )}
      {content.data?.mismatch && (
        <div role="status" data-testid="checksum-mismatch" className="mb-4 rounded-md border border-warn bg-warn-bg px-4 py-3 text-sm text-warn">
          <strong>The file on disk does not match its registered checksum.</strong> You are seeing the file as it is now; it may have changed since it was
          registered, or been altered.
        </div>
      )}
      {d.supersededBy && <Superseded d={{ ...d, supersededBy: d.supersededBy }} />}
      <DocumentMetaPanel d={d} />
      {d.versions && <DocumentVersions versions={d.versions} />}
      {content.isPending ? (
        <Loading what="the content" />
      ) : content.error && !content.data ? (
        <ErrorState error={content.error} onRetry={() => void content.refetch()} />
      ) : (
        <ErrorBoundary resetKey={`${id}:${content.dataUpdatedAt}`}>
          <div data-testid="document-viewer" data-kind={content.data.kind}>
            <Viewer content={content.data} />
          </div>
        </ErrorBoundary>
      )}
    </section>
  );
}

import { Link } from 'react-router';
import type { DocumentMeta } from '../../../../contracts/index.js';

/** A file of the project: a link to its document when one is registered at that path, else the path as code. */
export function FileRef({ file, documents, label }: { file: string; documents: readonly DocumentMeta[]; label?: string }) {
  const doc = documents.find((d) => d.path === file);
  if (doc) {
    return (
      <Link to={`/documents/${encodeURIComponent(doc.id)}`} className="break-all text-accent hover:underline" title={file}>
        {label ?? doc.title}
      </Link>
    );
  }
  return <code className="break-all text-xs">{file}</code>;
}

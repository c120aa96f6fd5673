import { useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import './document.css';
import type { Heading } from './render-markdown.js';
import { useDocumentTheme } from './use-document-theme.js';
import { useLazy } from './use-lazy.js';

const loadMarkdownLib = () => import('./markdown-lib.js');

/** Headings needed before a document gets a table of contents. */
const TOC_MIN_HEADINGS = 3;

export function TableOfContents({ headings }: { headings: Heading[] }) {
  const top = Math.min(...headings.map((h) => h.level));
  const list = (
    <ol className="space-y-1 text-sm">
      {headings.map((h) => (
        <li key={h.id} style={{ paddingLeft: `${(h.level - top) * 0.75}rem` }}>
          <a href={`#${h.id}`} className="block truncate text-muted hover:text-accent hover:underline" title={h.text}>
            {h.text || 'untitled'}
          </a>
        </li>
      ))}
    </ol>
  );
  return (
    <nav aria-label="Table of contents" data-testid="document-toc" className="min-w-0">
      <details className="rounded-md border border-border bg-surface p-3 lg:hidden">
        <summary className="cursor-pointer text-sm font-semibold">Contents ({headings.length})</summary>
        <div className="mt-2">{list}</div>
      </details>
      <div className="sticky top-4 hidden max-h-[calc(100vh-2rem)] overflow-y-auto rounded-md border border-border bg-surface p-3 lg:block">
        <p className="mb-2 text-xs font-semibold uppercase text-muted">Contents</p>
        {list}
      </div>
    </nav>
  );
}

/**
 * A markdown document: GFM, highlighted code, mermaid diagrams, a table of contents when it is long. The markup is
 * sanitised by markdown-lib before it reaches the page (see sanitize.ts for what is allowed).
 */
export default function MarkdownView({ source }: { source: string }) {
  const { mod: lib, error } = useLazy(loadMarkdownLib);
  const rendered = useMemo(() => lib?.renderMarkdown(source), [lib, source]);
  const bodyRef = useRef<HTMLElement>(null);
  const diagrams = useRef(new Map<HTMLElement, string>());
  const theme = useDocumentTheme();

  useLayoutEffect(() => {
    const el = bodyRef.current;
    if (!el || !lib || !rendered) return;
    // Sanitised by renderMarkdown; set here rather than through React so decorate() can lay it out.
    el.innerHTML = rendered.html;
    diagrams.current = lib.decorate(el);
  }, [lib, rendered]);

  useEffect(() => {
    const slots = [...diagrams.current];
    if (!lib || slots.length === 0) return;
    let cancelled = false;
    void lib.drawDiagrams(slots, theme, () => cancelled);
    return () => {
      cancelled = true;
    };
  }, [lib, rendered, theme]);

  const frontMatter = useMemo(() => (lib && rendered?.frontMatter ? lib.highlightSafe(rendered.frontMatter, 'yaml') : null), [lib, rendered]);

  if (error) {
    return (
      <p role="alert" className="rounded-md border border-danger bg-danger-bg px-4 py-3 text-sm text-danger">
        The markdown viewer could not be loaded. The server may be unreachable.
      </p>
    );
  }
  if (!rendered) {
    return (
      <p role="status" className="py-8 text-center text-muted">
        Loading the viewer…
      </p>
    );
  }
  const toc = rendered.headings.length >= TOC_MIN_HEADINGS;
  return (
    <div className={toc ? 'flex flex-col gap-4 lg:grid lg:grid-cols-[minmax(0,1fr)_15rem] lg:items-start lg:gap-6' : ''}>
      {toc && (
        <div className="lg:order-2">
          <TableOfContents headings={rendered.headings} />
        </div>
      )}
      <div className="min-w-0 rounded-md border border-border bg-surface p-4 sm:p-6 lg:order-1">
        {frontMatter !== null && (
          <details className="mb-4 rounded-md border border-border p-3 text-sm" data-testid="front-matter">
            <summary className="cursor-pointer font-semibold">Front matter</summary>
            <pre className="doc-code mt-2" tabIndex={0}>
              <code dangerouslySetInnerHTML={{ __html: frontMatter }} />
            </pre>
          </details>
        )}
        <article ref={bodyRef} className="doc-prose" data-testid="markdown-body" />
      </div>
    </div>
  );
}

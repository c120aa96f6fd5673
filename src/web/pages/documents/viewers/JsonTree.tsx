import { useMemo, useState } from 'react';
import '../../../components/markdown/document.css';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Levels open when the document is first shown; deeper ones open on demand. */
const OPEN_DEPTH = 2;
/** Children listed before "show more": a 50 000-item array must not become 50 000 DOM rows at once. */
const CHUNK = 200;

function Scalar({ value }: { value: Json }) {
  if (value === null) return <span className="b">null</span>;
  if (typeof value === 'string') return <span className="s">{JSON.stringify(value)}</span>;
  if (typeof value === 'number') return <span className="n">{String(value)}</span>;
  return <span className="b">{String(value)}</span>;
}

const isBranch = (v: Json): v is Json[] | { [k: string]: Json } => v !== null && typeof v === 'object';
const summary = (v: Json[] | { [k: string]: Json }) =>
  Array.isArray(v) ? `[${v.length} ${v.length === 1 ? 'item' : 'items'}]` : `{${Object.keys(v).length} ${Object.keys(v).length === 1 ? 'key' : 'keys'}}`;

function Node({ name, value, depth, path }: { name: string | null; value: Json; depth: number; path: string }) {
  const [open, setOpen] = useState(depth < OPEN_DEPTH);
  const [shown, setShown] = useState(CHUNK);
  const label = name === null ? null : <span className="k">{name}</span>;
  if (!isBranch(value)) {
    return (
      <li data-json-path={path}>
        {label}
        {label && ': '}
        <Scalar value={value} />
      </li>
    );
  }
  const entries: [string, Json][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  const empty = entries.length === 0;
  return (
    <li data-json-path={path}>
      {empty ? (
        <span className="ml-[1.1rem]">
          {label}
          {label && ': '}
          <span className="text-muted">{Array.isArray(value) ? '[]' : '{}'}</span>
        </span>
      ) : (
        <button
          type="button"
          aria-expanded={open}
          onClick={() => setOpen(!open)}
          className="rounded px-0.5 text-left hover:bg-surface-2"
          data-testid="json-toggle"
        >
          <span aria-hidden="true" className="inline-block w-4 text-muted">
            {open ? '▾' : '▸'}
          </span>
          {label ?? <span className="text-muted">root</span>}
          {': '}
          <span className="text-muted">{summary(value)}</span>
        </button>
      )}
      {open && !empty && (
        <ul>
          {entries.slice(0, shown).map(([k, v]) => (
            <Node key={k} name={Array.isArray(value) ? k : JSON.stringify(k)} value={v} depth={depth + 1} path={`${path}/${k}`} />
          ))}
          {entries.length > shown && (
            <li>
              <button type="button" className="text-accent underline" onClick={() => setShown(shown + CHUNK)}>
                Show {Math.min(CHUNK, entries.length - shown)} more of {entries.length - shown} remaining
              </button>
            </li>
          )}
        </ul>
      )}
    </li>
  );
}

/** JSON as a collapsible tree; text that does not parse is said to be invalid and shown as it is. */
export default function JsonTree({ source }: { source: string }) {
  const parsed = useMemo((): { ok: true; value: Json } | { ok: false; error: string } => {
    try {
      return { ok: true, value: JSON.parse(source) as Json };
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
  }, [source]);
  if (!parsed.ok) {
    return (
      <div>
        <p role="alert" className="mb-2 rounded-md border border-warn bg-warn-bg px-3 py-2 text-sm text-warn">
          This file is not valid JSON ({parsed.error}); it is shown as text.
        </p>
        <pre className="doc-code whitespace-pre-wrap" tabIndex={0}>
          {source}
        </pre>
      </div>
    );
  }
  return (
    <div className="doc-json rounded-md border border-border bg-surface p-3" tabIndex={0} data-testid="json-tree">
      <ul className="doc-json-root">
        <Node name={null} value={parsed.value} depth={0} path="" />
      </ul>
    </div>
  );
}

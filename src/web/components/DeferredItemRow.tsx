import type { DeferredItem } from '../../contracts/index.js';

/** One item left for later: its severity and summary, then the file and where it came from (a review, a spec). */
export function DeferredItemRow({ item: d }: { item: DeferredItem }) {
  return (
    <li className="py-1.5" data-testid="deferred-item">
      <p className="break-words">
        {d.severity && <span className="mr-1.5 rounded bg-surface-2 px-1.5 py-0.5 text-xs">{d.severity}</span>}
        {d.summary}
      </p>
      {(d.file || d.origin) && (
        <p className="break-words text-xs text-muted">
          {d.file && <code className="break-all">{d.file}</code>}
          {d.file && d.origin && ' · '}
          {d.origin}
        </p>
      )}
    </li>
  );
}

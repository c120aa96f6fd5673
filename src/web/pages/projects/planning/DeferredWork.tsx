import { useId, useState } from 'react';
import type { DeferredItem } from '../../../../contracts/index.js';
import { DeferredItemRow } from '../../../components/DeferredItemRow.js';
import { Panel } from '../../../components/Panel.js';

const SHOWN = 5;

/** Work a build or review left for later (deferred-work.md): the first few, the rest one click (or key) away. */
export function DeferredWork({ items }: { items: readonly DeferredItem[] }) {
  const [all, setAll] = useState(false);
  const listId = useId();
  const shown = all ? items : items.slice(0, SHOWN);
  return (
    <Panel title="Deferred work" id="project-deferred" count={items.length}>
      {items.length === 0 ? (
        <p className="text-sm text-muted">Nothing deferred.</p>
      ) : (
        <>
          <ul id={listId} className="divide-y divide-border text-sm" data-testid="deferred-list">
            {shown.map((d, i) => (
              <DeferredItemRow key={`${d.summary}:${i}`} item={d} />
            ))}
          </ul>
          {items.length > SHOWN && (
            <button
              type="button"
              aria-expanded={all}
              aria-controls={listId}
              onClick={() => setAll(!all)}
              className="mt-2 rounded border border-border px-3 py-1 text-sm hover:bg-surface-2"
              data-testid="deferred-toggle"
            >
              {all ? 'Show fewer' : `Show all ${items.length}`}
            </button>
          )}
        </>
      )}
    </Panel>
  );
}

import type { ActionItem, DocumentMeta } from '../../../../contracts/index.js';
import { Panel } from '../../../components/Panel.js';
import { FileRef } from './doc-link.js';

/** open | in-progress | done as BMAD writes them (any case, spaces or underscores); anything else is shown as written. */
const normal = (s: string | null | undefined) =>
  (s ?? '')
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
const STATE: Record<string, { label: string; tone: string; icon: string }> = {
  open: { label: 'Open', tone: 'bg-neutral-bg text-neutral', icon: '○' },
  'in-progress': { label: 'In progress', tone: 'bg-info-bg text-info', icon: '◐' },
  done: { label: 'Done', tone: 'bg-ok-bg text-ok', icon: '✓' },
};

function ItemStatus({ status }: { status: string | null | undefined }) {
  const s = STATE[normal(status)];
  if (!s) return <span className="whitespace-nowrap rounded bg-neutral-bg px-2 py-0.5 text-xs text-muted">{status ?? 'no status'}</span>;
  return (
    <span className={`inline-flex items-center gap-1 whitespace-nowrap rounded px-2 py-0.5 text-xs font-medium ${s.tone}`}>
      <span aria-hidden="true">{s.icon}</span>
      {s.label}
    </span>
  );
}

/** What retrospectives left to do (sprint-status.yaml action_items): each with its status and owner; open ones first. */
export function ActionItems({ items, documents }: { items: readonly ActionItem[]; documents: readonly DocumentMeta[] }) {
  const order = (a: ActionItem) => ({ open: 0, 'in-progress': 1, done: 3 })[normal(a.status)] ?? 2;
  const sorted = [...items].sort((a, b) => order(a) - order(b));
  const open = items.filter((a) => normal(a.status) !== 'done').length;
  return (
    <Panel title="Action items" id="project-action-items" count={items.length}>
      {items.length === 0 ? (
        <p className="text-sm text-muted">No action items recorded.</p>
      ) : (
        <>
          <p className="mb-1 text-xs text-muted">{open === 0 ? 'All done.' : `${open} not done yet.`}</p>
          <ul className="divide-y divide-border text-sm">
            {sorted.map((a, i) => (
              <li key={`${a.id ?? ''}:${a.action}:${i}`} className="py-2" data-testid="action-item" data-status={normal(a.status)} data-owner={a.owner ?? ''}>
                <div className="flex items-start justify-between gap-2">
                  <p className={`min-w-0 break-words ${normal(a.status) === 'done' ? 'text-muted' : ''}`} data-testid="action-text">
                    {a.action}
                  </p>
                  <ItemStatus status={a.status} />
                </div>
                <p className="mt-0.5 flex flex-wrap gap-x-3 text-xs text-muted">
                  <span>
                    owner{' '}
                    <span className="text-fg" data-testid="action-owner">
                      {a.owner ?? 'nobody named'}
                    </span>
                  </span>
                  {a.epic && <span>epic {a.epic}</span>}
                  {a.ref && <FileRef file={a.ref} documents={documents} />}
                </p>
              </li>
            ))}
          </ul>
        </>
      )}
    </Panel>
  );
}

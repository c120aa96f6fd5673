import type { Status } from '../../contracts/index.js';

const LABEL: Record<Status, string> = {
  queued: 'Queued',
  in_progress: 'In progress',
  blocked: 'Blocked',
  failed: 'Failed',
  done: 'Done',
  canceled: 'Canceled',
};

const TONE: Record<Status, string> = {
  queued: 'bg-neutral-bg text-neutral',
  in_progress: 'bg-info-bg text-info',
  blocked: 'bg-warn-bg text-warn',
  failed: 'bg-danger-bg text-danger',
  done: 'bg-ok-bg text-ok',
  canceled: 'bg-neutral-bg text-muted',
};

const ICON: Record<Status, string> = { queued: '○', in_progress: '◐', blocked: '■', failed: '✕', done: '✓', canceled: '–' };

export const statusLabel = (s: Status | null) => (s ? LABEL[s] : 'Unknown');

/** Colour is never the only signal: each status has its own glyph and word. */
export function StatusBadge({ status }: { status: Status | null }) {
  if (!status) return <span className="inline-flex items-center gap-1 rounded px-2 py-0.5 text-xs font-medium bg-neutral-bg text-muted">? Unknown</span>;
  return (
    <span className={`inline-flex items-center gap-1 whitespace-nowrap rounded px-2 py-0.5 text-xs font-medium ${TONE[status]}`} data-status={status}>
      <span aria-hidden="true">{ICON[status]}</span>
      {LABEL[status]}
    </span>
  );
}

export const isAlarming = (s: Status | null) => s === 'blocked' || s === 'failed';

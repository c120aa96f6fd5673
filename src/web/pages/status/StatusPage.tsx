import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { formatExact, RelativeTime } from '../../components/RelativeTime.js';
import { ErrorState, Loading, PageHeader } from '../../components/states.js';
import { useLive } from '../../live/live-context.js';
import type { StatusResponse, StatusWindow } from '../../../contracts/index.js';
import { Cards } from './StatusCards.js';
import { SloSummary } from './SloSummary.js';
import { statusQuery } from './status-queries.js';
import { useLiveStatus } from './use-live-status.js';

const WINDOWS: { value: StatusWindow; label: string }[] = [
  { value: '15m', label: 'Last 15 minutes' },
  { value: '24h', label: 'Last 24 hours' },
];

function WindowSwitch({ value, onChange }: { value: StatusWindow; onChange: (w: StatusWindow) => void }) {
  return (
    <div role="group" aria-label="Time window" className="inline-flex rounded border border-border bg-surface p-0.5 text-sm">
      {WINDOWS.map((w) => (
        <button
          key={w.value}
          type="button"
          aria-pressed={value === w.value}
          onClick={() => onChange(w.value)}
          className={`rounded px-3 py-1 ${value === w.value ? 'bg-accent font-semibold text-accent-fg' : 'text-fg hover:bg-surface-2'}`}
          data-testid={`window-${w.value}`}
        >
          {w.label}
        </button>
      ))}
    </div>
  );
}

/** Re-rendered every few seconds, so "stale" is said even when no notice arrives to say anything. */
function useTicker(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

/** How current the numbers are: the sampling, and a warning when samples or live updates have stopped. */
function Sampling({ data }: { data: StatusResponse }) {
  const now = useTicker(5000);
  const { state } = useLive();
  const last = data.lastSampleAt ? Date.parse(data.lastSampleAt) : null;
  const stale = data.sampleStale || (last !== null && Math.max(now, Date.now()) - last > 3 * data.sampleIntervalMs + 2000);
  const paused = state.everLive && state.connection !== 'live';
  return (
    <>
      <p className="mb-3 text-sm text-muted" data-testid="sampling">
        Sampled every {Math.round(data.sampleIntervalMs / 100) / 10} s from the server&apos;s own metrics (the numbers /metrics exports) · last sample{' '}
        <RelativeTime value={data.lastSampleAt} missing="not taken yet" /> · counters since the server started <RelativeTime value={data.serverStartedAt} />
      </p>
      {(stale || paused) && (
        <div role="status" className="mb-4 rounded-md border border-warn bg-warn-bg px-4 py-3 text-sm text-warn" data-testid="status-stale">
          <strong>The values below may be out of date.</strong>{' '}
          {stale && last !== null ? `No new sample since ${formatExact(last)}.` : stale ? 'No sample has been taken yet.' : ''}
          {paused ? ' Live updates are paused until the connection is back.' : ''}
        </div>
      )}
    </>
  );
}

export default function StatusPage() {
  const [params, setParams] = useSearchParams();
  const win: StatusWindow = params.get('window') === '24h' ? '24h' : '15m';
  const q = useQuery({ ...statusQuery(win), placeholderData: keepPreviousData });
  useLiveStatus();
  const choose = (w: StatusWindow) =>
    setParams(
      (p) => {
        const next = new URLSearchParams(p);
        if (w === '15m') next.delete('window');
        else next.set('window', w);
        return next;
      },
      { replace: true },
    );
  return (
    <div>
      <PageHeader title="Status">
        <WindowSwitch value={win} onChange={choose} />
      </PageHeader>
      {q.isPending ? (
        <Loading what="the status" />
      ) : q.isError && !q.data ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : q.data ? (
        <div data-testid="status-ready" data-window={q.data.window} data-sampled-at={q.data.lastSampleAt ?? ''} aria-busy={q.isPlaceholderData}>
          <Sampling data={q.data} />
          <SloSummary slos={q.data.slos} />
          <Cards data={q.data} />
        </div>
      ) : null}
    </div>
  );
}

import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { AUDIT_ACTIONS, type AuditEntryView } from '../../../contracts/index.js';
import type { AuditFilters } from '../../api/query-params.js';
import { useNames } from '../../api/use-names.js';
import { Field } from '../../components/Field.js';
import { SelectFilter, useParamSetter } from '../../components/filters.js';
import { buttonClass } from '../../components/Modal.js';
import { formatExact, RelativeTime } from '../../components/RelativeTime.js';
import { Empty, ErrorState, Loading, PageHeader } from '../../components/states.js';
import { adminQueries } from './admin-api.js';
import { ACTION_GROUPS, actionLabel, actorLabel, detailsSummary } from './audit-labels.js';
import { FormAlert } from '../../components/FormAlert.js';

const COLS = 'md:grid md:grid-cols-[7.5rem_minmax(0,1.3fr)_minmax(0,1.3fr)_minmax(0,1.3fr)_5.5rem_minmax(0,2fr)_7.5rem] md:items-center md:gap-3';
const DAY = /^\d{4}-\d{2}-\d{2}$/;

interface UrlFilters {
  action?: string | undefined;
  outcome?: 'success' | 'failure' | undefined;
  actorId?: string | undefined;
  targetId?: string | undefined;
  /** Local days (YYYY-MM-DD), as the date inputs give them. */
  fromDay?: string | undefined;
  toDay?: string | undefined;
}

function filtersFrom(params: URLSearchParams): UrlFilters {
  const outcome = params.get('outcome');
  const day = (k: string) => {
    const v = params.get(k);
    return v && DAY.test(v) ? v : undefined;
  };
  return {
    action: params.get('action') ?? undefined,
    outcome: outcome === 'success' || outcome === 'failure' ? outcome : undefined,
    actorId: params.get('actorId') ?? undefined,
    targetId: params.get('targetId') ?? undefined,
    fromDay: day('from'),
    toDay: day('to'),
  };
}

/** The chosen days cover whole local days: from the first one's midnight to the end of the last. */
function toQuery(f: UrlFilters): AuditFilters {
  return {
    action: f.action,
    outcome: f.outcome,
    actorId: f.actorId,
    targetId: f.targetId,
    from: f.fromDay ? new Date(`${f.fromDay}T00:00:00`).toISOString() : undefined,
    to: f.toDay ? new Date(`${f.toDay}T23:59:59.999`).toISOString() : undefined,
  };
}

function DayInput({
  label,
  name,
  value,
  onChange,
  invalid,
}: {
  label: string;
  name: string;
  value: string | undefined;
  onChange: (v: string | undefined) => void;
  invalid?: boolean;
}) {
  return (
    <label className="flex items-center gap-1.5 text-sm">
      <span className="text-muted">{label}</span>
      <input
        type="date"
        name={name}
        value={value ?? ''}
        onChange={(e) => onChange(e.target.value || undefined)}
        aria-invalid={invalid || undefined}
        className="rounded border border-border bg-surface px-2 py-1 text-fg"
      />
    </label>
  );
}

function Outcome({ outcome }: { outcome: AuditEntryView['outcome'] }) {
  return outcome === 'success' ? (
    <span className="rounded bg-ok-bg px-1.5 py-0.5 text-xs font-medium text-ok">Success</span>
  ) : (
    <span className="rounded bg-danger-bg px-1.5 py-0.5 text-xs font-medium text-danger">Failed</span>
  );
}

function AuditRow({ e, projectName }: { e: AuditEntryView; projectName: (id: string) => string | null }) {
  const who = actorLabel(e.actor);
  // Names where the log knows them; an id only for something that never had a name (or no longer exists).
  const target = e.targetId === null ? null : (e.targetName ?? `${e.targetType ?? 'item'} ${e.targetId}`);
  const details = detailsSummary(e, projectName);
  return (
    <li data-testid="audit-row" data-action={e.action} className="border-b border-border px-3 py-2.5">
      {/* A phone reads an entry as a sentence, in three short lines; from md up the same entry lines up in columns. */}
      <div className="space-y-1 text-sm md:hidden">
        <div className="flex items-baseline justify-between gap-3">
          <span className="min-w-0 font-medium wrap-anywhere">{actionLabel(e.action)}</span>
          <span className="shrink-0 text-xs text-muted">
            <RelativeTime value={e.occurredAt} />
          </span>
        </div>
        <div className="flex flex-wrap items-baseline gap-x-1.5 gap-y-1 text-muted">
          <Outcome outcome={e.outcome} />
          <span className="wrap-anywhere">
            by <span className="text-fg">{who}</span>
            {target && e.targetId !== e.actor.id && (
              <>
                {' '}
                on <span className="text-fg">{target}</span>
              </>
            )}
          </span>
        </div>
        {(details || e.ip) && (
          <div className="text-xs text-muted wrap-anywhere">
            {details}
            {details && e.ip ? ' · ' : ''}
            {e.ip && `from ${e.ip}`}
          </div>
        )}
      </div>
      <div className={`hidden ${COLS}`}>
        <Field label="When">
          <RelativeTime value={e.occurredAt} />
        </Field>
        <Field label="Who" title={who}>
          {who}
        </Field>
        <Field label="Action" title={e.action}>
          <span className="font-medium">{actionLabel(e.action)}</span>
        </Field>
        <Field label="Target" title={target ?? undefined}>
          {target ?? <span className="text-muted">—</span>}
        </Field>
        <Field label="Outcome">
          <Outcome outcome={e.outcome} />
        </Field>
        <Field label="Details" title={details || undefined}>
          {details || <span className="text-muted">—</span>}
        </Field>
        <Field label="From" title={e.ip ?? undefined}>
          {e.ip ?? <span className="text-muted">—</span>}
        </Field>
      </div>
    </li>
  );
}

/** The audit log's use of the query: one page at a time, the previous results kept while a new filter loads. */
function useAuditLog(filters: UrlFilters, rangeBackwards: boolean) {
  return useInfiniteQuery({ ...adminQueries.audit(toQuery(filters)), enabled: !rangeBackwards, placeholderData: keepPreviousData });
}

/** The entries found, as a table on wide screens, and the way to older ones. */
function AuditEntries({
  entries,
  log,
  projectName,
}: {
  entries: AuditEntryView[];
  log: ReturnType<typeof useAuditLog>;
  projectName: (id: string) => string | null;
}) {
  return (
    <>
      <div className="overflow-hidden rounded-md border border-border bg-surface">
        <div aria-hidden="true" className={`${COLS} hidden border-b border-border bg-surface-2 px-3 py-2 text-xs font-semibold uppercase text-muted md:grid`}>
          <span>When</span>
          <span>Who</span>
          <span>Action</span>
          <span>Target</span>
          <span>Outcome</span>
          <span>Details</span>
          <span>From address</span>
        </div>
        <ul aria-label="Audit entries" data-testid="audit-list">
          {entries.map((e) => (
            <AuditRow key={e.id} e={e} projectName={projectName} />
          ))}
        </ul>
      </div>
      <div className="mt-4 flex flex-wrap items-center justify-center gap-3 text-sm">
        {log.hasNextPage ? (
          <button type="button" onClick={() => void log.fetchNextPage()} disabled={log.isFetchingNextPage} className={buttonClass.secondary}>
            {log.isFetchingNextPage ? 'Loading…' : 'Show older entries'}
          </button>
        ) : (
          <span className="text-muted">That is everything{entries.length > 0 ? `, back to ${formatExact(entries[entries.length - 1]!.occurredAt)}` : ''}.</span>
        )}
      </div>
    </>
  );
}

export function AuditSection() {
  const [params] = useSearchParams();
  const set = useParamSetter();
  const filters = filtersFrom(params);
  const rangeBackwards = filters.fromDay !== undefined && filters.toDay !== undefined && filters.fromDay > filters.toDay;
  const names = useNames();
  const people = useQuery(adminQueries.users());
  const keys = useQuery(adminQueries.keys());
  const log = useAuditLog(filters, rangeBackwards);

  const accounts = people.data?.items ?? [];
  const targetName = filters.targetId
    ? (accounts.find((a) => a.id === filters.targetId)?.displayName ??
      accounts.find((a) => a.id === filters.targetId)?.email ??
      keys.data?.items.find((k) => k.id === filters.targetId)?.name ??
      log.data?.pages[0]?.items.find((e) => e.targetId === filters.targetId)?.targetName ??
      'this item')
    : null;
  const entries = log.data?.pages.flatMap((p) => p.items) ?? [];
  const actionOptions = [...ACTION_GROUPS.map((g) => ({ id: g.value, label: g.label })), ...AUDIT_ACTIONS.map((a) => ({ id: a, label: actionLabel(a) }))];

  return (
    <section>
      <PageHeader title="Audit log">
        {log.data && <span className="text-sm text-muted">{entries.length === 1 ? '1 entry' : `${entries.length}${log.hasNextPage ? '+' : ''} entries`}</span>}
      </PageHeader>
      <div className="mb-4 flex flex-wrap items-center gap-3" role="search" aria-label="Filter the audit log">
        <SelectFilter label="Action" name="action" value={filters.action} onChange={(v) => set({ action: v })} options={actionOptions} />
        <SelectFilter
          label="Outcome"
          name="outcome"
          value={filters.outcome}
          onChange={(v) => set({ outcome: v })}
          options={[
            { id: 'success', label: 'Success' },
            { id: 'failure', label: 'Failed' },
          ]}
        />
        <SelectFilter
          label="Who"
          name="actorId"
          value={filters.actorId}
          onChange={(v) => set({ actorId: v })}
          options={accounts.map((a) => ({ id: a.id, label: a.displayName ?? a.email }))}
        />
        <DayInput label="From" name="from" value={filters.fromDay} onChange={(v) => set({ from: v })} invalid={rangeBackwards} />
        <DayInput label="To" name="to" value={filters.toDay} onChange={(v) => set({ to: v })} invalid={rangeBackwards} />
        {targetName && (
          <span className="flex min-w-0 items-center gap-1 rounded-full border border-accent px-2.5 py-0.5 text-sm" data-testid="target-filter">
            <span className="min-w-0 truncate" title={targetName}>
              About {targetName}
            </span>
            <button
              type="button"
              onClick={() => set({ targetId: undefined })}
              className="text-muted hover:text-fg"
              aria-label={`Show entries about anything, not only ${targetName}`}
            >
              ×
            </button>
          </span>
        )}
      </div>
      {rangeBackwards ? (
        <FormAlert>The range ends before it starts: pick a “To” day on or after the “From” day.</FormAlert>
      ) : log.isPending ? (
        <Loading what="the audit log" />
      ) : log.error ? (
        <ErrorState error={log.error} onRetry={() => void log.refetch()} />
      ) : entries.length === 0 ? (
        <Empty>No audit entries match these filters.</Empty>
      ) : (
        <AuditEntries entries={entries} log={log} projectName={(id) => names.project(id)} />
      )}
    </section>
  );
}

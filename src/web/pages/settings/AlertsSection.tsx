import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { API, type AlertChannel, type AlertDelivery, type AlertRule } from '../../../contracts/index.js';
import { ApiError, call } from '../../api/http.js';
import { alertKeys } from '../../api/query-keys.js';
import { Field } from '../../components/Field.js';
import { buttonClass, ConfirmDialog } from '../../components/Modal.js';
import { RelativeTime } from '../../components/RelativeTime.js';
import { Empty, ErrorState, Loading, PageHeader } from '../../components/states.js';
import { toast } from '../../components/toasts.js';
import { conditionText, isServerWide, KIND_TEXT, timingText } from './alert-rule-text.js';
import { alertQueries } from './alerts-api.js';
import { ChannelDialog, SignatureNote } from './ChannelDialog.js';
import { RuleDialog } from './RuleDialog.js';

const RULE_COLS = 'md:grid md:grid-cols-[minmax(0,1.5fr)_minmax(0,1.3fr)_minmax(0,1.1fr)_minmax(0,1.2fr)_6.5rem_9.5rem] md:items-center md:gap-3';
const CHANNEL_COLS = 'md:grid md:grid-cols-[minmax(0,1.4fr)_minmax(0,1.2fr)_minmax(0,1.2fr)_minmax(0,1.6fr)_13rem] md:items-center md:gap-3';
const headClass = 'hidden border-b border-border bg-surface-2 px-3 py-2 text-xs font-semibold uppercase text-muted md:grid';

function Badge({ tone, children }: { tone: 'ok' | 'warn' | 'danger' | 'neutral'; children: string }) {
  const cls = { ok: 'bg-ok-bg text-ok', warn: 'bg-warn-bg text-warn', danger: 'bg-danger-bg text-danger', neutral: 'bg-neutral-bg text-neutral' }[tone];
  return <span className={`whitespace-nowrap rounded px-1.5 py-0.5 text-xs font-medium ${cls}`}>{children}</span>;
}

function RuleRow({ r, onEdit, onRemove }: { r: AlertRule; onEdit: () => void; onRemove: () => void }) {
  const tells = [...(r.inApp ? ['In the app'] : []), ...r.channels.map((c) => (c.enabled ? c.name : `${c.name} (off)`))].join(', ') || 'nobody';
  const scope = r.projectName ?? (r.projectId ? `${r.projectId} (not connected)` : isServerWide(r.condition.kind) ? 'this server' : 'every project');
  return (
    <li
      data-testid="rule-row"
      data-rule-name={r.name}
      className={`${RULE_COLS} space-y-1.5 border-b border-border px-3 py-3 md:space-y-0 ${r.enabled ? '' : 'text-muted'}`}
    >
      <div className="min-w-0">
        <span className="block truncate font-medium text-fg" title={r.name}>
          {r.name}
        </span>
        <span className="block truncate text-xs text-muted" title={KIND_TEXT[r.condition.kind].hint}>
          {KIND_TEXT[r.condition.kind].label}
        </span>
      </div>
      <Field label="Watches" title={`${conditionText(r.condition)} · ${scope}`}>
        {conditionText(r.condition)} · {scope}
      </Field>
      <Field label="Timing" title={timingText(r)}>
        {timingText(r)}
      </Field>
      <Field label="Tells" title={tells}>
        {tells}
      </Field>
      <Field label="State">
        {!r.enabled ? <Badge tone="neutral">Off</Badge> : r.firing > 0 ? <Badge tone="danger">{`${r.firing} firing`}</Badge> : <Badge tone="ok">On</Badge>}
      </Field>
      <div className="flex gap-2 pt-1 md:justify-end md:pt-0">
        <button type="button" onClick={onEdit} className={buttonClass.secondary} aria-label={`Edit rule ${r.name}`}>
          Edit
        </button>
        <button type="button" onClick={onRemove} className={buttonClass.secondary} aria-label={`Remove rule ${r.name}`}>
          Remove
        </button>
      </div>
    </li>
  );
}

function deliveryText(d: AlertDelivery): string {
  if (d.outcome === 'delivered') return `delivered${d.statusCode ? ` (${d.statusCode})` : ''}`;
  return `${d.outcome === 'retrying' ? 'failed, retried' : 'failed'}: ${d.error ?? 'no detail'}`;
}

function LastDelivery({ c }: { c: AlertChannel }) {
  const d = c.lastDelivery;
  if (!d) return <span className="text-muted">nothing sent yet</span>;
  const failedSince = c.lastError && c.lastError.id >= d.id;
  return (
    <span title={c.lastError ? `last error: ${deliveryText(c.lastError)}` : deliveryText(d)}>
      <Badge tone={d.outcome === 'delivered' ? 'ok' : d.outcome === 'retrying' ? 'warn' : 'danger'}>{d.outcome === 'delivered' ? 'Delivered' : 'Failed'}</Badge>{' '}
      <RelativeTime value={d.at} />
      {failedSince ? (
        <span className="block truncate text-xs text-danger">{deliveryText(d)}</span>
      ) : c.lastError ? (
        <span className="block truncate text-xs text-muted">last error {deliveryText(c.lastError)}</span>
      ) : null}
    </span>
  );
}

function ChannelRow({ c, onEdit, onRemove }: { c: AlertChannel; onEdit: () => void; onRemove: () => void }) {
  const qc = useQueryClient();
  const test = useMutation({
    mutationFn: () => call(API.alerts.testChannel, { params: { id: c.id } }),
    onSuccess: ({ delivery }) =>
      toast(
        delivery.outcome === 'delivered' ? `Test message delivered to “${c.name}”.` : `Test to “${c.name}” ${deliveryText(delivery)}`,
        delivery.outcome === 'delivered' ? 'info' : 'error',
      ),
    onError: (e) => toast(`Test to “${c.name}” not sent: ${e instanceof ApiError ? e.message : 'the server could not be reached'}`, 'error'),
    onSettled: () => qc.invalidateQueries({ queryKey: alertKeys.channels }),
  });
  const credentials = c.type === 'slack' ? 'URL set' : `URL set · secret ${c.secretSet ? 'set' : 'not set'}`;
  const usedBy = c.usedBy.map((r) => r.name).join(', ') || 'no rule yet';
  return (
    <li
      data-testid="channel-row"
      data-channel-name={c.name}
      className={`${CHANNEL_COLS} space-y-1.5 border-b border-border px-3 py-3 md:space-y-0 ${c.enabled ? '' : 'text-muted'}`}
    >
      <div className="min-w-0">
        <span className="block truncate font-medium text-fg" title={c.name}>
          {c.name}
        </span>
        <span className="block truncate text-xs text-muted">
          {c.type === 'slack' ? 'Slack' : 'Webhook'}
          {c.enabled ? '' : ' · off'}
        </span>
      </div>
      <Field label="Posts to" title={`${c.target} · ${credentials}`}>
        <span className="font-mono text-xs">{c.target}</span>
        <span className="block truncate text-xs text-muted">{credentials}</span>
      </Field>
      <Field label="Used by" title={usedBy}>
        {usedBy}
      </Field>
      <Field label="Last sent">
        <LastDelivery c={c} />
      </Field>
      <div className="flex flex-wrap gap-2 pt-1 md:justify-end md:pt-0">
        <button type="button" onClick={() => test.mutate()} disabled={test.isPending} className={buttonClass.secondary} aria-label={`Send a test to ${c.name}`}>
          {test.isPending ? 'Sending…' : 'Test'}
        </button>
        <button type="button" onClick={onEdit} className={buttonClass.secondary} aria-label={`Edit channel ${c.name}`}>
          Edit
        </button>
        <button type="button" onClick={onRemove} className={buttonClass.secondary} aria-label={`Remove channel ${c.name}`}>
          Remove
        </button>
      </div>
    </li>
  );
}

function Remove({
  what,
  name,
  endpoint,
  id,
  onClose,
  children,
}: {
  what: string;
  name: string;
  endpoint: typeof API.alerts.removeRule | typeof API.alerts.removeChannel;
  id: string;
  onClose: () => void;
  children: string;
}) {
  const qc = useQueryClient();
  const remove = useMutation({
    mutationFn: () => call(endpoint, { params: { id } }),
    onSuccess: () => {
      toast(`${what} “${name}” removed.`);
      onClose();
    },
    onSettled: () => qc.invalidateQueries({ queryKey: alertKeys.all }),
  });
  return (
    <ConfirmDialog
      title={`Remove “${name}”?`}
      confirmLabel={`Remove ${what.toLowerCase()}`}
      busy={remove.isPending}
      error={remove.error ? (remove.error instanceof ApiError ? remove.error.message : 'it could not be removed') : null}
      onConfirm={() => remove.mutate()}
      onClose={onClose}
    >
      <p>{children}</p>
    </ConfirmDialog>
  );
}

type Editing = { kind: 'rule'; rule: AlertRule | null } | { kind: 'channel'; channel: AlertChannel | null } | null;
type Removing = { kind: 'rule'; rule: AlertRule } | { kind: 'channel'; channel: AlertChannel } | null;

/** Settings → Alerts: the rules (what to watch, when, who hears) and the channels they post to. */
/** The open rule or channel dialog, or the confirmation of a removal. */
function AlertDialogs({
  editing,
  removing,
  onCloseEdit,
  onCloseRemove,
}: {
  editing: Editing;
  removing: Removing;
  onCloseEdit: () => void;
  onCloseRemove: () => void;
}) {
  return (
    <>
      {editing?.kind === 'rule' && <RuleDialog rule={editing.rule} onClose={onCloseEdit} />}
      {editing?.kind === 'channel' && <ChannelDialog channel={editing.channel} onClose={onCloseEdit} />}
      {removing?.kind === 'rule' && (
        <Remove what="Rule" name={removing.rule.name} endpoint={API.alerts.removeRule} id={removing.rule.id} onClose={onCloseRemove}>
          Its firing alerts close with a message to the app and its channels. Nothing else changes.
        </Remove>
      )}
      {removing?.kind === 'channel' && (
        <Remove what="Channel" name={removing.channel.name} endpoint={API.alerts.removeChannel} id={removing.channel.id} onClose={onCloseRemove}>
          {`Its URL and secret are deleted; rules that name it (${removing.channel.usedBy.map((r) => r.name).join(', ') || 'none'}) stop posting there.`}
        </Remove>
      )}
    </>
  );
}

export function AlertsSection() {
  const rules = useQuery(alertQueries.rules());
  const channels = useQuery(alertQueries.channels());
  const [editing, setEditing] = useState<Editing>(null);
  const [removing, setRemoving] = useState<Removing>(null);
  const firing = rules.data?.items.reduce((n, r) => n + r.firing, 0);
  return (
    <section className="space-y-8">
      <div>
        <PageHeader title="Alert rules">
          <div className="flex items-center gap-3">
            {firing !== undefined && <span className="text-sm text-muted">{firing === 0 ? 'nothing firing' : `${firing} firing`}</span>}
            <button type="button" onClick={() => setEditing({ kind: 'rule', rule: null })} className={buttonClass.primary}>
              Add a rule
            </button>
          </div>
        </PageHeader>
        {rules.isPending ? (
          <Loading what="alert rules" />
        ) : rules.error ? (
          <ErrorState error={rules.error} onRetry={() => void rules.refetch()} />
        ) : rules.data.items.length === 0 ? (
          <Empty>No rules yet. A rule watches the workspace — blocked runs, budgets, stale sources — and tells the app and its channels.</Empty>
        ) : (
          <div className="overflow-hidden rounded-md border border-border bg-surface">
            <div aria-hidden="true" className={`${RULE_COLS} ${headClass}`}>
              <span>Rule</span>
              <span>Watches</span>
              <span>Timing</span>
              <span>Tells</span>
              <span>State</span>
              <span />
            </div>
            <ul aria-label="Alert rules" data-testid="rule-list">
              {rules.data.items.map((r) => (
                <RuleRow key={r.id} r={r} onEdit={() => setEditing({ kind: 'rule', rule: r })} onRemove={() => setRemoving({ kind: 'rule', rule: r })} />
              ))}
            </ul>
          </div>
        )}
      </div>
      <div>
        <PageHeader title="Channels">
          <button type="button" onClick={() => setEditing({ kind: 'channel', channel: null })} className={buttonClass.primary}>
            Add a channel
          </button>
        </PageHeader>
        {channels.isPending ? (
          <Loading what="channels" />
        ) : channels.error ? (
          <ErrorState error={channels.error} onRetry={() => void channels.refetch()} />
        ) : channels.data.items.length === 0 ? (
          <Empty>No channels yet. Add a webhook or a Slack incoming webhook; the in-app list needs none.</Empty>
        ) : (
          <div className="overflow-hidden rounded-md border border-border bg-surface">
            <div aria-hidden="true" className={`${CHANNEL_COLS} ${headClass}`}>
              <span>Channel</span>
              <span>Posts to</span>
              <span>Used by</span>
              <span>Last sent</span>
              <span />
            </div>
            <ul aria-label="Channels" data-testid="channel-list">
              {channels.data.items.map((c) => (
                <ChannelRow
                  key={c.id}
                  c={c}
                  onEdit={() => setEditing({ kind: 'channel', channel: c })}
                  onRemove={() => setRemoving({ kind: 'channel', channel: c })}
                />
              ))}
            </ul>
          </div>
        )}
        <div className="mt-3 space-y-1">
          <SignatureNote />
          <p className="text-xs text-muted">
            A failed delivery is tried again a few times, waiting longer each time; each channel keeps a log of its last attempts. URLs and secrets are never
            shown again once saved.
          </p>
        </div>
      </div>
      <AlertDialogs editing={editing} removing={removing} onCloseEdit={() => setEditing(null)} onCloseRemove={() => setRemoving(null)} />
    </section>
  );
}

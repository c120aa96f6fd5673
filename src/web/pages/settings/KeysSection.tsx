import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { API, type AdminKey } from '../../../contracts/index.js';
import { ApiError, call } from '../../api/http.js';
import { adminKeys } from '../../api/query-keys.js';
import { Field } from '../../components/Field.js';
import { buttonClass, ConfirmDialog } from '../../components/Modal.js';
import { formatExact, RelativeTime } from '../../components/RelativeTime.js';
import { Empty, ErrorState, Loading, PageHeader } from '../../components/states.js';
import { toast } from '../../components/toasts.js';
import { adminQueries } from './admin-api.js';
import { actorLabel } from './audit-labels.js';
import { CreateKeyDialog } from './CreateKeyDialog.js';

const COLS = 'md:grid md:grid-cols-[minmax(0,1.6fr)_6rem_minmax(0,1fr)_minmax(0,1.4fr)_minmax(0,1.2fr)_8rem_7rem_6.5rem] md:items-center md:gap-3';

const STATE_BADGE: Record<AdminKey['state'], string> = {
  active: 'bg-ok-bg text-ok',
  expired: 'bg-warn-bg text-warn',
  revoked: 'bg-neutral-bg text-neutral',
};

function sourcesText(k: AdminKey): string {
  if (!k.scopes.includes('ingest')) return '—';
  return k.sources === 'any' ? 'any but the server’s own' : k.sources.join(', ');
}

function Expiry({ k }: { k: AdminKey }) {
  if (k.revokedAt) return <span title={formatExact(k.revokedAt)}>revoked</span>;
  if (!k.expiresAt) return <span className="text-muted">never</span>;
  return <RelativeTime value={k.expiresAt} />;
}

function KeyRow({ k, onRevoke }: { k: AdminKey; onRevoke: (k: AdminKey) => void }) {
  const created = k.createdBy ? actorLabel(k.createdBy) : 'unknown';
  const project = k.projectId ? (k.projectName ?? `${k.projectId} (not connected)`) : null;
  return (
    <li
      data-testid="key-row"
      data-key-name={k.name}
      data-state={k.state}
      className={`${COLS} space-y-1.5 border-b border-border px-3 py-3 md:space-y-0 ${k.state === 'active' ? '' : 'text-muted'}`}
    >
      <div className="min-w-0">
        <span className="block truncate font-medium text-fg" title={k.name}>
          {k.name}
        </span>
        <span className="block truncate text-xs text-muted" title={`made by ${created}`}>
          made by {created}
        </span>
      </div>
      <Field label="State">
        <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${STATE_BADGE[k.state]}`}>
          {k.state === 'active' ? 'Active' : k.state === 'expired' ? 'Expired' : 'Revoked'}
        </span>
      </Field>
      <Field label="Scopes" title={k.scopes.join(', ')}>
        {k.scopes.join(', ')}
      </Field>
      <Field label="Sources" title={sourcesText(k)}>
        {sourcesText(k)}
      </Field>
      <Field label="Project" title={project ?? 'any project'}>
        {project ?? <span className="text-muted">any</span>}
      </Field>
      <Field label="Created">
        <RelativeTime value={k.createdAt} />
      </Field>
      <Field label="Expires">
        <Expiry k={k} />
      </Field>
      <div className="flex pt-1 md:justify-end md:pt-0">
        {k.state !== 'revoked' && (
          <button type="button" onClick={() => onRevoke(k)} className={buttonClass.secondary} aria-label={`Revoke ${k.name}`}>
            Revoke
          </button>
        )}
      </div>
    </li>
  );
}

function RevokeKey({ k, onClose }: { k: AdminKey; onClose: () => void }) {
  const qc = useQueryClient();
  const revoke = useMutation({
    mutationFn: () => call(API.admin.revokeKey, { params: { id: k.id } }),
    onSuccess: () => {
      toast(`Key “${k.name}” revoked.`);
      onClose();
    },
    onSettled: () => qc.invalidateQueries({ queryKey: adminKeys.all }),
  });
  return (
    <ConfirmDialog
      title={`Revoke “${k.name}”?`}
      confirmLabel="Revoke key"
      busy={revoke.isPending}
      error={revoke.error ? (revoke.error instanceof ApiError ? revoke.error.message : 'the key could not be revoked') : null}
      onConfirm={() => revoke.mutate()}
      onClose={onClose}
    >
      <p>Whatever uses it is refused from now on, live connections included. This cannot be undone: a new key would have to be made and handed out.</p>
    </ConfirmDialog>
  );
}

export function KeysSection() {
  const list = useQuery(adminQueries.keys());
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<AdminKey | null>(null);
  const active = list.data?.items.filter((k) => k.state === 'active').length;
  return (
    <section>
      <PageHeader title="API keys">
        <div className="flex items-center gap-3">
          {active !== undefined && <span className="text-sm text-muted">{active} active</span>}
          <button type="button" onClick={() => setCreating(true)} className={buttonClass.primary}>
            Create a key
          </button>
        </div>
      </PageHeader>
      {list.isPending ? (
        <Loading what="API keys" />
      ) : list.error ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <Empty>No API keys yet. Connectors, importers and scripts each get their own.</Empty>
      ) : (
        <div className="overflow-hidden rounded-md border border-border bg-surface">
          <div aria-hidden="true" className={`${COLS} hidden border-b border-border bg-surface-2 px-3 py-2 text-xs font-semibold uppercase text-muted md:grid`}>
            <span>Name</span>
            <span>State</span>
            <span>Scopes</span>
            <span>Sources</span>
            <span>Project</span>
            <span>Created</span>
            <span>Expires</span>
            <span />
          </div>
          <ul aria-label="API keys" data-testid="key-list">
            {list.data.items.map((k) => (
              <KeyRow key={k.id} k={k} onRevoke={setRevoking} />
            ))}
          </ul>
        </div>
      )}
      <p className="mt-3 text-xs text-muted">
        Keys are shown once, when they are made; the server keeps only a hash. The CLI manages the same keys (bmad-ops key …).
      </p>
      {creating && <CreateKeyDialog onClose={() => setCreating(false)} />}
      {revoking && <RevokeKey key={revoking.id} k={revoking} onClose={() => setRevoking(null)} />}
    </section>
  );
}

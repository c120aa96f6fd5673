import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { API, ROLES, type AdminAccount, type Me, type OneTimePasswordResponse, type Role } from '../../../contracts/index.js';
import { ApiError, call } from '../../api/http.js';
import { adminKeys } from '../../api/query-keys.js';
import { Field } from '../../components/Field.js';
import { buttonClass, ConfirmDialog, Modal } from '../../components/Modal.js';
import { RelativeTime } from '../../components/RelativeTime.js';
import { Empty, ErrorState, Loading, PageHeader } from '../../components/states.js';
import { toast } from '../../components/toasts.js';
import { adminQueries } from './admin-api.js';
import { InviteDialog } from './InviteDialog.js';
import { OneTimePassword } from './OneTimePassword.js';
import { roleLabel } from './roles.js';

const COLS = 'md:grid md:grid-cols-[minmax(0,2fr)_8.5rem_minmax(0,1.2fr)_5rem_8rem_minmax(0,2.2fr)] md:items-center md:gap-3';

const nameOf = (a: AdminAccount) => a.displayName ?? a.email;
const messageOf = (err: unknown) => (err instanceof ApiError ? err.message : 'the change failed');

type Pending = { kind: 'disable' | 'revoke' | 'reset'; account: AdminAccount };

function StateBadges({ a }: { a: AdminAccount }) {
  return (
    <span className="flex flex-wrap gap-1">
      {a.disabled ? (
        <span className="rounded bg-danger-bg px-1.5 py-0.5 text-xs font-medium text-danger">Disabled</span>
      ) : (
        <span className="rounded bg-ok-bg px-1.5 py-0.5 text-xs font-medium text-ok">Active</span>
      )}
      {a.passwordChangeRequired && <span className="rounded bg-warn-bg px-1.5 py-0.5 text-xs font-medium text-warn">Must choose a password</span>}
    </span>
  );
}

function RoleSelect({ a, self }: { a: AdminAccount; self: boolean }) {
  const qc = useQueryClient();
  const change = useMutation({
    mutationFn: (role: Role) => call(API.admin.updateUser, { params: { id: a.id }, body: { role } }),
    onSuccess: (updated) => toast(`${nameOf(updated)} is now ${updated.role}.`),
    onError: (err) => toast(`Role not changed: ${messageOf(err)}.`, 'error'),
    onSettled: () => qc.invalidateQueries({ queryKey: adminKeys.all }),
  });
  return (
    <select
      aria-label={`Role of ${nameOf(a)}`}
      value={change.isPending && change.variables ? change.variables : a.role}
      disabled={self || change.isPending}
      title={self ? 'You cannot change your own role: another manager can' : undefined}
      onChange={(e) => change.mutate(e.target.value as Role)}
      className="w-full max-w-[9rem] rounded border border-border bg-surface px-2 py-1 text-sm text-fg disabled:opacity-70"
    >
      {ROLES.map((r) => (
        <option key={r} value={r}>
          {roleLabel(r)}
        </option>
      ))}
    </select>
  );
}

function AccountRow({ a, self, onAsk }: { a: AdminAccount; self: boolean; onAsk: (p: Pending) => void }) {
  const qc = useQueryClient();
  const enable = useMutation({
    mutationFn: () => call(API.admin.updateUser, { params: { id: a.id }, body: { disabled: false } }),
    onSuccess: (updated) => toast(`${nameOf(updated)} can sign in again.`),
    onError: (err) => toast(`Not enabled: ${messageOf(err)}.`, 'error'),
    onSettled: () => qc.invalidateQueries({ queryKey: adminKeys.all }),
  });
  return (
    <li data-testid="person-row" data-email={a.email} className={`${COLS} space-y-1.5 border-b border-border px-3 py-3 md:space-y-0`}>
      <div className="min-w-0">
        <span className="block truncate font-medium" title={nameOf(a)}>
          {nameOf(a)} {self && <span className="text-xs font-normal text-muted">(you)</span>}
        </span>
        {a.displayName && (
          <span className="block truncate text-xs text-muted" title={a.email}>
            {a.email}
          </span>
        )}
      </div>
      <Field label="Role">
        <RoleSelect a={a} self={self} />
      </Field>
      <Field label="State">
        <StateBadges a={a} />
      </Field>
      <Field label="Sessions" title={`${a.activeSessions} signed-in session${a.activeSessions === 1 ? '' : 's'}`}>
        {a.activeSessions}
      </Field>
      <Field label="Signed in">
        <RelativeTime value={a.lastSignInAt} missing="never" />
      </Field>
      <div className="flex flex-wrap items-center gap-1.5 pt-1 md:justify-end md:pt-0">
        <Link
          to={`/settings/audit?targetId=${encodeURIComponent(a.id)}`}
          className="rounded px-2 py-1 text-sm text-accent underline-offset-2 hover:underline"
          aria-label={`Activity of ${nameOf(a)}`}
        >
          Activity
        </Link>
        {!self && (
          <>
            {a.disabled ? (
              <button type="button" onClick={() => enable.mutate()} disabled={enable.isPending} className={buttonClass.secondary}>
                Enable
              </button>
            ) : (
              <button
                type="button"
                onClick={() => onAsk({ kind: 'disable', account: a })}
                className={buttonClass.secondary}
                aria-label={`Disable ${nameOf(a)}`}
              >
                Disable
              </button>
            )}
            <button
              type="button"
              onClick={() => onAsk({ kind: 'revoke', account: a })}
              disabled={a.activeSessions === 0}
              className={buttonClass.secondary}
              aria-label={`Sign out ${nameOf(a)} everywhere`}
            >
              Sign out
            </button>
            <button
              type="button"
              onClick={() => onAsk({ kind: 'reset', account: a })}
              className={buttonClass.secondary}
              aria-label={`Reset password of ${nameOf(a)}`}
            >
              Reset password
            </button>
          </>
        )}
      </div>
    </li>
  );
}

const CONFIRM: Record<Pending['kind'], { title: (n: string) => string; label: string; body: (n: string) => string }> = {
  disable: {
    title: (n) => `Disable ${n}?`,
    label: 'Disable',
    body: (n) => `${n} is signed out at once, open dashboards included, and cannot sign in until enabled again. Their history stays.`,
  },
  revoke: {
    title: (n) => `Sign ${n} out everywhere?`,
    label: 'Sign out everywhere',
    body: (n) => `Every session of ${n} ends at once, open dashboards included. They can sign in again.`,
  },
  reset: {
    title: (n) => `Reset the password of ${n}?`,
    label: 'Reset password',
    body: (n) =>
      `${n} is signed out at once and their password stops working. You get a one-time password to give them; they choose their own at the next sign-in.`,
  },
};

type Outcome = { kind: 'done'; message: string } | { kind: 'reset'; reset: OneTimePasswordResponse };

/** Runs the confirmed action; a reset then shows its one-time password in the same dialog. */
function PendingAction({ pending, onClose }: { pending: Pending; onClose: () => void }) {
  const qc = useQueryClient();
  const { kind, account } = pending;
  const params = { id: account.id };
  const act = useMutation({
    mutationFn: async (): Promise<Outcome> => {
      if (kind === 'disable')
        return { kind: 'done', message: `${nameOf(await call(API.admin.updateUser, { params, body: { disabled: true } }))} is disabled.` };
      if (kind === 'revoke') {
        const r = await call(API.admin.revokeSessions, { params });
        return { kind: 'done', message: `${r.sessionsEnded} session${r.sessionsEnded === 1 ? '' : 's'} of ${nameOf(r.account)} ended.` };
      }
      return { kind: 'reset', reset: await call(API.admin.resetPassword, { params }) };
    },
    onSuccess: (r) => {
      if (r.kind === 'done') {
        toast(r.message);
        onClose();
      }
    },
    onSettled: () => qc.invalidateQueries({ queryKey: adminKeys.all }),
  });
  const name = nameOf(account);
  if (act.data?.kind === 'reset') {
    return (
      <Modal title={`New one-time password for ${name}`} onClose={onClose} testId="reset-dialog">
        <OneTimePassword account={act.data.reset.account} password={act.data.reset.oneTimePassword} onDone={onClose} />
      </Modal>
    );
  }
  const c = CONFIRM[kind];
  return (
    <ConfirmDialog
      title={c.title(name)}
      confirmLabel={c.label}
      busy={act.isPending}
      error={act.error ? messageOf(act.error) : null}
      onConfirm={() => act.mutate()}
      onClose={onClose}
    >
      <p>{c.body(name)}</p>
    </ConfirmDialog>
  );
}

export function PeopleSection({ me }: { me: Me }) {
  const list = useQuery(adminQueries.users());
  const [inviting, setInviting] = useState(false);
  const [pending, setPending] = useState<Pending | null>(null);
  const items = list.data?.items;
  return (
    <section>
      <PageHeader title="People">
        <div className="flex items-center gap-3">
          {items && (
            <span className="text-sm text-muted">
              {items.length} account{items.length === 1 ? '' : 's'}
            </span>
          )}
          <button type="button" onClick={() => setInviting(true)} className={buttonClass.primary}>
            Invite a person
          </button>
        </div>
      </PageHeader>
      {list.isPending ? (
        <Loading what="people" />
      ) : list.error ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <Empty>No accounts yet.</Empty>
      ) : (
        <div className="overflow-hidden rounded-md border border-border bg-surface">
          <div aria-hidden="true" className={`${COLS} hidden border-b border-border bg-surface-2 px-3 py-2 text-xs font-semibold uppercase text-muted md:grid`}>
            <span>Person</span>
            <span>Role</span>
            <span>State</span>
            <span>Sessions</span>
            <span>Last sign-in</span>
            <span className="text-right">Actions</span>
          </div>
          <ul aria-label="People" data-testid="people-list">
            {list.data.items.map((a) => (
              <AccountRow key={a.id} a={a} self={a.id === me.id} onAsk={setPending} />
            ))}
          </ul>
        </div>
      )}
      <p className="mt-3 text-xs text-muted">
        Disabling, signing out and resetting a password take effect at once, on open dashboards too. Every change is in the{' '}
        <Link to="/settings/audit" className="text-accent underline">
          audit log
        </Link>
        .
      </p>
      {inviting && <InviteDialog onClose={() => setInviting(false)} />}
      {pending && <PendingAction key={`${pending.kind}:${pending.account.id}`} pending={pending} onClose={() => setPending(null)} />}
    </section>
  );
}

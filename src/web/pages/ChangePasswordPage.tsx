import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { API, PASSWORD_MIN_LENGTH, type Me } from '../../contracts/index.js';
import { ApiError, call } from '../api/http.js';
import { keys } from '../api/query-keys.js';
import { AuthCard } from '../components/AuthCard.js';
import { FormAlert } from '../components/FormAlert.js';

/**
 * Shown instead of the app while the account still has a password someone else saw (printed at first start, or set by
 * the manager who invited the person): the server refuses everything else until it is replaced.
 */
export default function ChangePasswordPage({ me }: { me: Me }) {
  const qc = useQueryClient();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const change = useMutation({
    mutationFn: () => call(API.auth.changePassword, { body: { currentPassword: current, newPassword: next } }),
    onSuccess: (user) => qc.setQueryData(keys.me, user),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setMismatch(next !== repeat);
    if (next === repeat) change.mutate();
  };
  const error = change.error instanceof ApiError ? change.error : change.error ? new ApiError(0, 'unknown', 'the password could not be changed') : null;
  const fieldMessage =
    error && error.fields.length > 0
      ? error.fields.map((f) => `${f.path === 'body.currentPassword' ? 'Current password' : 'New password'} ${f.message}.`).join(' ')
      : undefined;
  return (
    <AuthCard id="change-password-title" title="Choose your password" onSubmit={submit}>
      <p className="text-sm text-muted">
        <span className="block break-words font-medium text-fg">{me.email}</span> was given a password someone else has seen. Choose your own to continue.
      </p>
      {(error || mismatch) && <FormAlert>{mismatch ? 'The two new passwords differ.' : (fieldMessage ?? error?.message)}</FormAlert>}
      <input type="email" name="email" autoComplete="username" value={me.email} readOnly hidden />
      <label className="block text-sm">
        <span className="mb-1 block font-medium">Current password</span>
        <input
          type="password"
          name="current-password"
          autoComplete="current-password"
          required
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
          className="w-full rounded border border-border bg-bg px-3 py-2"
        />
      </label>
      <div>
        <label className="block text-sm">
          <span className="mb-1 block font-medium">New password</span>
          <input
            type="password"
            name="new-password"
            autoComplete="new-password"
            required
            minLength={PASSWORD_MIN_LENGTH}
            value={next}
            onChange={(e) => setNext(e.target.value)}
            className="w-full rounded border border-border bg-bg px-3 py-2"
            aria-describedby="new-password-hint"
          />
        </label>
        <p id="new-password-hint" className="mt-1 text-xs text-muted">
          At least {PASSWORD_MIN_LENGTH} characters. Your other sessions are signed out.
        </p>
      </div>
      <label className="block text-sm">
        <span className="mb-1 block font-medium">New password again</span>
        <input
          type="password"
          name="repeat-password"
          autoComplete="new-password"
          required
          value={repeat}
          onChange={(e) => setRepeat(e.target.value)}
          className="w-full rounded border border-border bg-bg px-3 py-2"
        />
      </label>
      <button type="submit" disabled={change.isPending} className="w-full rounded bg-accent px-3 py-2 font-semibold text-accent-fg disabled:opacity-60">
        {change.isPending ? 'Saving…' : 'Save and continue'}
      </button>
    </AuthCard>
  );
}

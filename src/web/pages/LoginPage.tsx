import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { API } from '../../contracts/index.js';
import { ApiError, call } from '../api/http.js';
import { keys } from '../api/query-keys.js';
import { AuthCard } from '../components/AuthCard.js';
import { ProviderSignIn, providerErrorMessage } from '../components/ProviderSignIn.js';
import { FormAlert } from '../components/FormAlert.js';

/** Only same-site paths are followed after login, never an absolute URL someone put in the link. */
const safeNext = (next: string | null) => (next && next.startsWith('/') && !next.startsWith('//') ? next : '/workflows');

export default function LoginPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const login = useMutation({
    mutationFn: () => call(API.auth.login, { body: { email, password } }),
    onSuccess: (res) => {
      qc.setQueryData(keys.me, res.user);
      void navigate(safeNext(params.get('next')), { replace: true });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate();
  };
  const error = login.error instanceof ApiError ? login.error : login.error ? new ApiError(0, 'unknown', 'sign-in failed') : null;
  // Why a sign-in with the identity provider came back refused (the server redirects here with a code).
  const providerError = error ? null : providerErrorMessage(params.get('error'));
  return (
    <AuthCard id="login-title" title="Sign in to BMAD Ops" onSubmit={submit}>
      {error && <FormAlert>{error.code === 'invalid_credentials' ? 'Email or password is wrong.' : error.message}</FormAlert>}
      {providerError && <FormAlert>{providerError}</FormAlert>}
      <ProviderSignIn next={params.get('next')} />
      <label className="block text-sm">
        <span className="mb-1 block font-medium">Email</span>
        <input
          type="email"
          name="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          className="w-full rounded border border-border bg-bg px-3 py-2"
        />
      </label>
      <label className="block text-sm">
        <span className="mb-1 block font-medium">Password</span>
        <input
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          className="w-full rounded border border-border bg-bg px-3 py-2"
        />
      </label>
      <button type="submit" disabled={login.isPending} className="w-full rounded bg-accent px-3 py-2 font-semibold text-accent-fg disabled:opacity-60">
        {login.isPending ? 'Signing in…' : 'Sign in'}
      </button>
      <p className="text-xs text-muted">The first manager account is printed on the server console at first start.</p>
    </AuthCard>
  );
}

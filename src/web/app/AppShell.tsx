import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type ReactNode } from 'react';
import { NavLink, useLocation, useNavigate } from 'react-router';
import { API, type Me } from '../../contracts/index.js';
import { call } from '../api/http.js';
import { queries } from '../api/queries.js';
import { ConnectionIndicator } from '../components/ConnectionIndicator.js';
import { NotificationBell } from '../components/NotificationBell.js';
import { toast } from '../components/toasts.js';
import { useLive } from '../live/live-context.js';
import { THEME_PREFS, type ThemePref } from '../theme/theme.js';
import { useTheme } from '../theme/use-theme.js';
import { NAV } from './nav.js';

const THEME_LABEL: Record<ThemePref, string> = { system: 'System theme', light: 'Light theme', dark: 'Dark theme' };

function ThemePicker({ me }: { me: Me }) {
  const { pref, choose } = useTheme(me);
  return (
    <label className="flex items-center gap-1 text-sm">
      <span className="sr-only">Theme</span>
      <select
        value={pref}
        onChange={(e) => choose(e.target.value as ThemePref)}
        data-testid="theme-select"
        className="rounded border border-border bg-surface px-2 py-1 text-fg"
      >
        {THEME_PREFS.map((t) => (
          <option key={t} value={t}>
            {THEME_LABEL[t]}
          </option>
        ))}
      </select>
    </label>
  );
}

function UserMenu({ me }: { me: Me }) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const logout = useMutation({
    mutationFn: () => call(API.auth.logout),
    onSettled: () => {
      qc.clear();
      void navigate('/login', { replace: true });
    },
  });
  return (
    <div className="flex items-center gap-3 text-sm">
      <span data-testid="current-user">
        <span className="font-medium">{me.displayName ?? me.email}</span>{' '}
        <span className="rounded bg-surface-2 px-1.5 py-0.5 text-xs text-muted" data-testid="current-role">
          {me.role}
        </span>
      </span>
      <NavLink
        to="/api-reference"
        className="text-muted underline-offset-2 hover:text-fg hover:underline"
        title="API reference: every endpoint, who may call it, its schemas"
      >
        API
      </NavLink>
      <button type="button" onClick={() => logout.mutate()} className="rounded border border-border px-2 py-1 hover:bg-surface-2">
        Sign out
      </button>
    </div>
  );
}

/** Announces a full reload once, instead of letting the data silently jump. */
function ReloadNotice() {
  const { state } = useLive();
  useEffect(() => {
    if (state.reloadedAt) toast('Reconnected: some updates could not be replayed, so the data was reloaded.');
  }, [state.reloadedAt]);
  return null;
}

function DemoBadge() {
  const ws = useQuery(queries.workspace());
  if (!ws.data?.demo) return null;
  return (
    <span
      className="rounded bg-warn-bg px-2 py-0.5 text-xs font-semibold text-warn"
      title="Simulated data from the demo generator; start the server with --no-demo to turn it off"
      data-testid="demo-badge"
    >
      Demo data
    </span>
  );
}

export function AppShell({ me, children }: { me: Me; children: ReactNode }) {
  const [menuOpen, setMenuOpen] = useState(false);
  const location = useLocation();
  useEffect(() => setMenuOpen(false), [location.pathname]);
  return (
    <div className="min-h-screen">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-surface focus:px-3 focus:py-2"
      >
        Skip to content
      </a>
      <header className="border-b border-border bg-surface">
        <div className="mx-auto flex max-w-screen-2xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-2">
          <NavLink to="/workflows" className="flex items-center gap-2 font-bold">
            <img src="/favicon.svg" alt="" width={24} height={24} />
            BMAD Ops
          </NavLink>
          <DemoBadge />
          <nav
            id="main-nav"
            aria-label="Main"
            className={`${menuOpen ? 'flex' : 'hidden'} order-last w-full flex-col gap-1 md:order-none md:flex md:w-auto md:flex-row`}
          >
            {NAV.filter((item) => !item.managersOnly || me.role === 'manager').map((item) => (
              <NavLink
                key={item.to}
                to={item.to}
                className={({ isActive }) =>
                  `rounded px-3 py-1.5 text-sm ${isActive ? 'bg-accent text-accent-fg font-semibold' : 'text-fg hover:bg-surface-2'}`
                }
              >
                {item.label}
              </NavLink>
            ))}
          </nav>
          <div className="ml-auto flex items-center gap-3">
            <NotificationBell />
            <ConnectionIndicator />
            <button
              type="button"
              className="rounded border border-border px-3 py-1 text-sm md:hidden"
              aria-expanded={menuOpen}
              aria-controls="main-nav"
              onClick={() => setMenuOpen((o) => !o)}
            >
              Menu
            </button>
          </div>
          <div className={`${menuOpen ? 'flex' : 'hidden'} order-last w-full flex-wrap items-center gap-3 md:order-none md:flex md:w-auto`}>
            <ThemePicker me={me} />
            <UserMenu me={me} />
          </div>
        </div>
      </header>
      <ReloadNotice />
      <main id="main" className="mx-auto max-w-screen-2xl px-4 py-4">
        {children}
      </main>
    </div>
  );
}

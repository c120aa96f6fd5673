import { useQuery } from '@tanstack/react-query';
import { Navigate, NavLink, Route, Routes } from 'react-router';
import { queries } from '../../api/queries.js';
import { AlertsSection } from './AlertsSection.js';
import { AuditSection } from './AuditSection.js';
import { KeysSection } from './KeysSection.js';
import { PeopleSection } from './PeopleSection.js';

const SECTIONS = [
  { to: 'people', label: 'People' },
  { to: 'keys', label: 'API keys' },
  { to: 'alerts', label: 'Alerts' },
  { to: 'audit', label: 'Audit' },
] as const;

/** Said plainly to anyone else who opens a settings address: the server would refuse them anyway (403). */
function ManagersOnly({ role }: { role: string }) {
  return (
    <section data-testid="managers-only" className="mx-auto max-w-xl rounded-md border border-border bg-surface px-4 py-6 text-center">
      <h1 className="mb-2 text-xl font-semibold">Settings are for managers only</h1>
      <p className="text-sm text-muted">
        You are signed in as <span className="font-medium text-fg">{role}</span>. People, API keys, alerts and the audit log are managed by a manager; ask one
        if you need access or a key.
      </p>
    </section>
  );
}

/** Settings → People, API keys, Alerts and Audit, for managers. */
export default function SettingsPage() {
  const me = useQuery(queries.me());
  if (!me.data) return null;
  if (me.data.role !== 'manager') return <ManagersOnly role={me.data.role} />;
  return (
    <div>
      <nav aria-label="Settings" className="mb-4 flex flex-wrap gap-1 border-b border-border">
        {SECTIONS.map((s) => (
          <NavLink
            key={s.to}
            to={`/settings/${s.to}`}
            className={({ isActive }) =>
              `-mb-px border-b-2 px-3 py-2 text-sm ${isActive ? 'border-accent font-semibold text-fg' : 'border-transparent text-muted hover:text-fg'}`
            }
          >
            {s.label}
          </NavLink>
        ))}
      </nav>
      <Routes>
        <Route index element={<Navigate to="people" replace />} />
        <Route path="people" element={<PeopleSection me={me.data} />} />
        <Route path="keys" element={<KeysSection />} />
        <Route path="alerts" element={<AlertsSection />} />
        <Route path="audit" element={<AuditSection />} />
        <Route path="*" element={<Navigate to="people" replace />} />
      </Routes>
    </div>
  );
}

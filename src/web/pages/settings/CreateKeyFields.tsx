import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { API, KEY_SCOPES, SERVER_SOURCES, sourceNamedAfter, type KeyScope } from '../../../contracts/index.js';
import { ApiError, call } from '../../api/http.js';
import { queries } from '../../api/queries.js';
import { adminKeys } from '../../api/query-keys.js';
import { fieldErrors } from './admin-api.js';

const inputClass = 'w-full rounded border border-border bg-bg px-3 py-2 text-sm';

const SCOPE_HINT: Record<KeyScope, string> = {
  ingest: 'sends events (connectors, importers, Claude Code telemetry)',
  read: 'reads every GET endpoint and the live WebSocket',
  metrics: 'scrapes /metrics (Prometheus)',
};

type SourceMode = 'named' | 'list' | 'any';
const EXPIRY = [
  { value: 'never', label: 'Never' },
  { value: '30', label: 'In 30 days' },
  { value: '90', label: 'In 90 days' },
  { value: '365', label: 'In a year' },
  { value: 'date', label: 'On a date…' },
] as const;
type Expiry = (typeof EXPIRY)[number]['value'];

const sourcesOf = (text: string) => [
  ...new Set(
    text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ),
];

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <span id={id} className="mt-1 block text-xs text-danger">
      {message}
    </span>
  ) : null;
}

/** The create-key form's state, what it sends, and the errors the server gave back (placed on their fields). */
export function useCreateKeyForm() {
  const qc = useQueryClient();
  const directory = useQuery(queries.directory());
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<KeyScope[]>(['ingest']);
  const [sourceMode, setSourceMode] = useState<SourceMode>('named');
  const [sourceText, setSourceText] = useState('');
  const [projectId, setProjectId] = useState('');
  const [expiry, setExpiry] = useState<Expiry>('never');
  const [expiryDate, setExpiryDate] = useState('');
  const ingest = scopes.includes('ingest');
  const reserved = sourcesOf(sourceText).filter((s) => SERVER_SOURCES.includes(s));

  const create = useMutation({
    mutationFn: () =>
      call(API.admin.createKey, {
        body: {
          name,
          scopes,
          ...(ingest && sourceMode === 'any' ? { sources: 'any' } : ingest && sourceMode === 'list' ? { sources: sourcesOf(sourceText) } : {}),
          ...(ingest && projectId ? { projectId } : {}),
          // The end of the chosen day where the manager is, not midnight UTC.
          ...(expiry === 'date' && expiryDate
            ? { expiresAt: new Date(`${expiryDate}T23:59:59`).toISOString() }
            : expiry !== 'never' && expiry !== 'date'
              ? { expiresInDays: Number(expiry) }
              : {}),
        },
      }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: adminKeys.all }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (reserved.length === 0) create.mutate();
  };
  const fields = fieldErrors(create.error);
  const general =
    create.error && Object.keys(fields).length === 0 ? (create.error instanceof ApiError ? create.error.message : 'the key could not be created') : null;
  const toggle = (s: KeyScope) => setScopes((cur) => (cur.includes(s) ? cur.filter((x) => x !== s) : [...cur, s]));
  return {
    directory,
    name,
    setName,
    scopes,
    toggle,
    sourceMode,
    setSourceMode,
    sourceText,
    setSourceText,
    projectId,
    setProjectId,
    expiry,
    setExpiry,
    expiryDate,
    setExpiryDate,
    ingest,
    reserved,
    create,
    submit,
    fields,
    general,
  };
}

export type CreateKeyForm = ReturnType<typeof useCreateKeyForm>;

/** The key's name, which also names its default event source. */
export function KeyNameField({ form }: { form: CreateKeyForm }) {
  const { name, setName, fields } = form;
  return (
    <label className="block text-sm">
      <span className="mb-1 block font-medium">Name</span>
      <input
        type="text"
        name="name"
        required
        maxLength={100}
        autoComplete="off"
        value={name}
        onChange={(e) => setName(e.target.value)}
        className={inputClass}
        aria-invalid={fields.name ? true : undefined}
        aria-describedby="key-name-hint key-name-error"
        data-autofocus
      />
      <span id="key-name-hint" className="mt-1 block text-xs text-muted">
        What or who it is for, e.g. “Ana’s laptop” or “CI connector”.
      </span>
      <FieldError id="key-name-error" message={fields.name && `Name ${fields.name}.`} />
    </label>
  );
}

/** The scopes the key grants. */
export function KeyScopesField({ form }: { form: CreateKeyForm }) {
  const { scopes, toggle, fields } = form;
  return (
    <fieldset className="text-sm" aria-describedby="key-scopes-error">
      <legend className="mb-1 font-medium">Scopes</legend>
      <div className="space-y-1.5">
        {KEY_SCOPES.map((s) => (
          <label key={s} className="flex items-start gap-2">
            <input type="checkbox" name={`scope-${s}`} checked={scopes.includes(s)} onChange={() => toggle(s)} className="mt-1" />
            <span>
              <span className="font-medium">{s}</span> <span className="text-muted">— {SCOPE_HINT[s]}</span>
            </span>
          </label>
        ))}
      </div>
      <FieldError id="key-scopes-error" message={fields.scopes && `Scopes: ${fields.scopes}.`} />
    </fieldset>
  );
}

/** The event sources an ingest key may write: one named after the key, a list, or any but the server's own. */
export function KeySourcesField({ form }: { form: CreateKeyForm }) {
  const { name, sourceMode, setSourceMode, sourceText, setSourceText, reserved, fields } = form;
  return (
    <fieldset className="text-sm">
      <legend className="mb-1 font-medium">Event sources it may write</legend>
      <div className="space-y-1.5">
        <label className="flex items-start gap-2">
          <input type="radio" name="sources" checked={sourceMode === 'named'} onChange={() => setSourceMode('named')} className="mt-1" />
          <span className="min-w-0">
            One named after the key: <span className="font-mono wrap-anywhere">{name.trim() ? sourceNamedAfter(name) : '…'}</span>
          </span>
        </label>
        <label className="flex items-start gap-2">
          <input type="radio" name="sources" checked={sourceMode === 'list'} onChange={() => setSourceMode('list')} className="mt-1" />
          <span>These sources</span>
        </label>
        {sourceMode === 'list' && (
          <div className="pl-6">
            <input
              type="text"
              aria-label="Sources, separated by commas"
              placeholder="bmad-connector, claude-code-importer"
              value={sourceText}
              onChange={(e) => setSourceText(e.target.value)}
              className={inputClass}
              aria-invalid={reserved.length > 0 || fields.sources ? true : undefined}
              aria-describedby="key-sources-error"
            />
            <FieldError
              id="key-sources-error"
              message={
                reserved.length > 0
                  ? `${reserved.map((s) => `“${s}”`).join(', ')} is the server’s own: no key may write it.`
                  : fields.sources && `Sources: ${fields.sources}.`
              }
            />
          </div>
        )}
        <label className="flex items-start gap-2">
          <input type="radio" name="sources" checked={sourceMode === 'any'} onChange={() => setSourceMode('any')} className="mt-1" />
          <span>
            Any source <span className="text-muted">— a trusted integration; never the server’s own</span>
          </span>
        </label>
      </div>
    </fieldset>
  );
}

/** The project an ingest key is bound to, if any. */
export function KeyProjectField({ form }: { form: CreateKeyForm }) {
  const { directory, projectId, setProjectId, fields } = form;
  return (
    <label className="block text-sm">
      <span className="mb-1 block font-medium">Project</span>
      <select
        name="projectId"
        value={projectId}
        onChange={(e) => setProjectId(e.target.value)}
        className={inputClass}
        aria-describedby="key-project-hint key-project-error"
      >
        <option value="">Any project</option>
        {(directory.data?.projects ?? []).map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
      <span id="key-project-hint" className="mt-1 block text-xs text-muted">
        Bound to a project, the key may send that project’s events only.
      </span>
      <FieldError id="key-project-error" message={fields.projectId && `Project ${fields.projectId}.`} />
    </label>
  );
}

/** When the key expires: never, in some days, or at the end of a chosen day. */
export function KeyExpiryField({ form }: { form: CreateKeyForm }) {
  const { expiry, setExpiry, expiryDate, setExpiryDate, fields } = form;
  return (
    <div className="grid gap-2 text-sm sm:grid-cols-2">
      <label className="block">
        <span className="mb-1 block font-medium">Expires</span>
        <select name="expiry" value={expiry} onChange={(e) => setExpiry(e.target.value as Expiry)} className={inputClass}>
          {EXPIRY.map((x) => (
            <option key={x.value} value={x.value}>
              {x.label}
            </option>
          ))}
        </select>
      </label>
      {expiry === 'date' && (
        <label className="block">
          <span className="mb-1 block font-medium">Last day</span>
          <input
            type="date"
            name="expiresOn"
            required
            value={expiryDate}
            onChange={(e) => setExpiryDate(e.target.value)}
            className={inputClass}
            aria-describedby="key-expiry-error"
          />
          <FieldError id="key-expiry-error" message={fields.expiresAt && `Expiry ${fields.expiresAt}.`} />
        </label>
      )}
    </div>
  );
}

import type { ReactNode } from 'react';
import type { AlertKind } from '../../../contracts/index.js';
import { KIND_ORDER, KIND_TEXT } from './alert-rule-text.js';
import type { Params, RuleForm } from './use-rule-form.js';

export const inputClass = 'w-full rounded border border-border bg-bg px-3 py-2 text-sm';

export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <span id={id} className="mt-1 block text-xs text-danger">
      {message}
    </span>
  ) : null;
}

export function NumberField({
  name,
  label,
  hint,
  value,
  onChange,
  error,
  min,
  step,
}: {
  name: string;
  label: string;
  hint?: string;
  value: string;
  onChange: (v: string) => void;
  error?: string | undefined;
  min?: number;
  step?: number;
}) {
  return (
    <label className="block text-sm">
      <span className="mb-1 block font-medium">{label}</span>
      <input
        type="number"
        name={name}
        inputMode="decimal"
        min={min}
        step={step ?? 1}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        className={inputClass}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${name}-hint ${name}-error`}
      />
      {hint && (
        <span id={`${name}-hint`} className="mt-1 block text-xs text-muted">
          {hint}
        </span>
      )}
      <FieldError id={`${name}-error`} message={error} />
    </label>
  );
}

/** What a kind's fields get: the thresholds as typed, a setter, and the server's error for a threshold. */
interface ConditionProps {
  params: Params;
  set: (k: string, v: string) => void;
  e: (k: string) => string | undefined;
}

/** A stuck workflow: which statuses count. */
function StuckStatusesField({ params, set, e }: ConditionProps) {
  return (
    <fieldset className="text-sm" aria-describedby="statuses-error">
      <legend className="mb-1 font-medium">Statuses</legend>
      <div className="flex flex-wrap gap-4">
        {(['blocked', 'failed'] as const).map((s) => (
          <label key={s} className="flex items-center gap-2">
            <input type="checkbox" checked={params[s] === '1'} onChange={(ev) => set(s, ev.target.checked ? '1' : '')} />
            {s === 'blocked' ? 'Blocked' : 'Failed'}
          </label>
        ))}
      </div>
      <FieldError id="statuses-error" message={e('statuses')} />
    </fieldset>
  );
}

/** Consistency: which findings count, and how many. */
function ConsistencyFields({ params, set, e }: ConditionProps) {
  return (
    <div className="grid gap-3 sm:grid-cols-2">
      <label className="block text-sm">
        <span className="mb-1 block font-medium">Findings</span>
        <select name="scope" value={params.scope} onChange={(ev) => set('scope', ev.target.value)} className={inputClass}>
          <option value="all">Any finding</option>
          <option value="drift">Drift only</option>
        </select>
      </label>
      <NumberField
        name="minFindings"
        label="At least"
        value={params.minFindings ?? ''}
        onChange={(v) => set('minFindings', v)}
        error={e('minFindings')}
        min={1}
      />
    </div>
  );
}

/** Stale sessions: the share above which it alerts, and the fewest sessions that share is judged on. */
function StaleSessionsFields({ params, set, e }: ConditionProps) {
  return (
    <div className="grid gap-3 sm:grid-cols-2">
      <NumberField
        name="ratioPct"
        label="Share above (%)"
        value={params.ratioPct ?? ''}
        onChange={(v) => set('ratioPct', v)}
        error={e('ratio')}
        min={0}
        step={0.1}
      />
      <NumberField
        name="minSessions"
        label="With at least (sessions)"
        value={params.minSessions ?? ''}
        onChange={(v) => set('minSessions', v)}
        error={e('minSessions')}
        min={1}
      />
    </div>
  );
}

export function ConditionFields({
  kind,
  params,
  set,
  errors,
}: {
  kind: AlertKind;
  params: Params;
  set: (k: string, v: string) => void;
  errors: Record<string, string>;
}): ReactNode {
  const e = (k: string) => errors[`condition.${k}`];
  switch (kind) {
    case 'workflow_stuck':
      return <StuckStatusesField params={params} set={set} e={e} />;
    case 'needs_human':
      return (
        <NumberField
          name="lookbackHours"
          label="Sessions ended within (hours)"
          hint="An older failed session starts no alert."
          value={params.lookbackHours ?? ''}
          onChange={(v) => set('lookbackHours', v)}
          error={e('lookbackHours')}
          min={1}
        />
      );
    case 'budget':
      return (
        <label className="block text-sm">
          <span className="mb-1 block font-medium">When</span>
          <select name="level" value={params.level} onChange={(ev) => set('level', ev.target.value)} className={inputClass}>
            <option value="at_risk">At risk (on course to exceed) or exceeded</option>
            <option value="exceeded">Only once exceeded</option>
          </select>
        </label>
      );
    case 'consistency':
      return <ConsistencyFields params={params} set={set} e={e} />;
    case 'freshness_slo':
    case 'lock_contention':
      return (
        <NumberField
          name="p95Ms"
          label="p95 above (ms)"
          hint="The status page’s objective unless you choose another."
          value={params.p95Ms ?? ''}
          onChange={(v) => set('p95Ms', v)}
          error={e('p95Ms')}
          min={1}
        />
      );
    case 'stale_sessions':
      return <StaleSessionsFields params={params} set={set} e={e} />;
    default:
      return null;
  }
}

/** What the rule watches for, with a line on what that means. */
export function RuleKindField({ form }: { form: RuleForm }) {
  const { kind, chooseKind } = form;
  return (
    <label className="block text-sm">
      <span className="mb-1 block font-medium">Alert when</span>
      <select name="kind" value={kind} onChange={(e) => chooseKind(e.target.value as AlertKind)} className={inputClass} aria-describedby="rule-kind-hint">
        {KIND_ORDER.map((k) => (
          <option key={k} value={k}>
            {KIND_TEXT[k].label}
          </option>
        ))}
      </select>
      <span id="rule-kind-hint" className="mt-1 block text-xs text-muted">
        {KIND_TEXT[kind].hint}
      </span>
    </label>
  );
}

/** The project a project-wide rule is limited to, if any. */
export function RuleProjectField({ form }: { form: RuleForm }) {
  const { directory, projectId, setProjectId, errors } = form;
  return (
    <label className="block text-sm">
      <span className="mb-1 block font-medium">Project</span>
      <select name="projectId" value={projectId} onChange={(e) => setProjectId(e.target.value)} className={inputClass} aria-describedby="rule-project-error">
        <option value="">Every project</option>
        {(directory.data?.projects ?? []).map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
      <FieldError id="rule-project-error" message={errors.projectId && `Project ${errors.projectId}.`} />
    </label>
  );
}

/** Who hears of the alert: the in-app bell, and the chosen channels. */
export function RuleTellField({ form }: { form: RuleForm }) {
  const { channels, inApp, setInApp, channelIds, toggleChannel, errors } = form;
  return (
    <fieldset className="text-sm" aria-describedby="rule-channels-error">
      <legend className="mb-1 font-medium">Tell</legend>
      <div className="space-y-1.5">
        <label className="flex items-start gap-2">
          <input type="checkbox" name="inApp" checked={inApp} onChange={(e) => setInApp(e.target.checked)} className="mt-1" />
          <span>
            In the app <span className="text-muted">— the bell, for everyone signed in</span>
          </span>
        </label>
        {(channels.data?.items ?? []).map((c) => (
          <label key={c.id} className="flex items-start gap-2">
            <input type="checkbox" checked={channelIds.includes(c.id)} onChange={(e) => toggleChannel(c.id, e.target.checked)} className="mt-1" />
            <span className="min-w-0 wrap-anywhere">
              {c.name}{' '}
              <span className="text-muted">
                — {c.type === 'slack' ? 'Slack' : 'webhook'}
                {c.enabled ? '' : ', switched off'}
              </span>
            </span>
          </label>
        ))}
      </div>
      <FieldError id="rule-channels-error" message={errors.channelIds} />
    </fieldset>
  );
}

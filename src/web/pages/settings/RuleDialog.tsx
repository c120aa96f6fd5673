import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { alertConditionSchema, alertRuleSchema, type AlertCondition, type AlertKind, type AlertRule } from '../../../contracts/index.js';
import { api, ApiError } from '../../api/http.js';
import { queries } from '../../api/queries.js';
import { FormAlert } from '../../components/FormAlert.js';
import { buttonClass, Modal, ModalActions } from '../../components/Modal.js';
import { toast } from '../../components/toasts.js';
import { fieldErrors } from './admin-api.js';
import { isServerWide, KIND_ORDER, KIND_TEXT } from './alert-rule-text.js';
import { alertKeys, alertQueries } from './alerts-api.js';

const inputClass = 'w-full rounded border border-border bg-bg px-3 py-2 text-sm';

/** Number fields are kept as typed; empty means "the default", anything else goes to the server to judge. */
const num = (v: string): number | string | undefined => (v.trim() === '' ? undefined : Number.isFinite(Number(v)) ? Number(v) : v);
const text = (v: number | undefined) => (v === undefined ? '' : String(v));

function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <span id={id} className="mt-1 block text-xs text-danger">
      {message}
    </span>
  ) : null;
}

function NumberField({ name, label, hint, value, onChange, error, min, step }: { name: string; label: string; hint?: string; value: string; onChange: (v: string) => void; error?: string | undefined; min?: number; step?: number }) {
  return (
    <label className="block text-sm">
      <span className="mb-1 block font-medium">{label}</span>
      <input type="number" name={name} inputMode="decimal" min={min} step={step ?? 1} value={value} onChange={(e) => onChange(e.target.value)} className={inputClass} aria-invalid={error ? true : undefined} aria-describedby={`${name}-hint ${name}-error`} />
      {hint && (
        <span id={`${name}-hint`} className="mt-1 block text-xs text-muted">
          {hint}
        </span>
      )}
      <FieldError id={`${name}-error`} message={error} />
    </label>
  );
}

/** The thresholds of one kind, as form fields (strings while typed). */
type Params = Record<string, string>;

function paramsOf(c: AlertCondition): Params {
  switch (c.kind) {
    case 'workflow_stuck':
      return { blocked: c.statuses.includes('blocked') ? '1' : '', failed: c.statuses.includes('failed') ? '1' : '' };
    case 'needs_human':
      return { lookbackHours: String(c.lookbackHours) };
    case 'budget':
      return { level: c.level };
    case 'consistency':
      return { scope: c.scope, minFindings: String(c.minFindings) };
    case 'freshness_slo':
    case 'lock_contention':
      return { p95Ms: String(c.p95Ms) };
    case 'stale_sessions':
      return { ratioPct: String(Math.round(c.ratio * 1000) / 10), minSessions: String(c.minSessions) };
    default:
      return {};
  }
}

function conditionOf(kind: AlertKind, p: Params): Record<string, unknown> {
  switch (kind) {
    case 'workflow_stuck':
      return { kind, statuses: [...(p.blocked ? ['blocked'] : []), ...(p.failed ? ['failed'] : [])] };
    case 'needs_human':
      return { kind, lookbackHours: num(p.lookbackHours ?? '') };
    case 'budget':
      return { kind, level: p.level };
    case 'consistency':
      return { kind, scope: p.scope, minFindings: num(p.minFindings ?? '') };
    case 'freshness_slo':
    case 'lock_contention':
      return { kind, p95Ms: num(p.p95Ms ?? '') };
    case 'stale_sessions': {
      const pct = num(p.ratioPct ?? '');
      return { kind, ratio: typeof pct === 'number' ? pct / 100 : pct, minSessions: num(p.minSessions ?? '') };
    }
    default:
      return { kind };
  }
}

function ConditionFields({ kind, params, set, errors }: { kind: AlertKind; params: Params; set: (k: string, v: string) => void; errors: Record<string, string> }): ReactNode {
  const e = (k: string) => errors[`condition.${k}`];
  switch (kind) {
    case 'workflow_stuck':
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
    case 'needs_human':
      return <NumberField name="lookbackHours" label="Sessions ended within (hours)" hint="An older failed session starts no alert." value={params.lookbackHours ?? ''} onChange={(v) => set('lookbackHours', v)} error={e('lookbackHours')} min={1} />;
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
      return (
        <div className="grid gap-3 sm:grid-cols-2">
          <label className="block text-sm">
            <span className="mb-1 block font-medium">Findings</span>
            <select name="scope" value={params.scope} onChange={(ev) => set('scope', ev.target.value)} className={inputClass}>
              <option value="all">Any finding</option>
              <option value="drift">Drift only</option>
            </select>
          </label>
          <NumberField name="minFindings" label="At least" value={params.minFindings ?? ''} onChange={(v) => set('minFindings', v)} error={e('minFindings')} min={1} />
        </div>
      );
    case 'freshness_slo':
    case 'lock_contention':
      return <NumberField name="p95Ms" label="p95 above (ms)" hint="The status page’s objective unless you choose another." value={params.p95Ms ?? ''} onChange={(v) => set('p95Ms', v)} error={e('p95Ms')} min={1} />;
    case 'stale_sessions':
      return (
        <div className="grid gap-3 sm:grid-cols-2">
          <NumberField name="ratioPct" label="Share above (%)" value={params.ratioPct ?? ''} onChange={(v) => set('ratioPct', v)} error={e('ratio')} min={0} step={0.1} />
          <NumberField name="minSessions" label="With at least (sessions)" value={params.minSessions ?? ''} onChange={(v) => set('minSessions', v)} error={e('minSessions')} min={1} />
        </div>
      );
    default:
      return null;
  }
}

/** Create or change a rule: its kind and thresholds, scope, timing and who hears of it. */
export function RuleDialog({ rule, onClose }: { rule: AlertRule | null; onClose: () => void }) {
  const qc = useQueryClient();
  const directory = useQuery(queries.directory());
  const channels = useQuery(alertQueries.channels());
  const [name, setName] = useState(rule?.name ?? '');
  const [kind, setKind] = useState<AlertKind>(rule?.condition.kind ?? 'workflow_stuck');
  const [params, setParams] = useState<Params>(() => paramsOf(rule?.condition ?? alertConditionSchema.parse({ kind: 'workflow_stuck' })));
  const [projectId, setProjectId] = useState(rule?.projectId ?? '');
  const [forMinutes, setForMinutes] = useState(text(rule?.forMinutes ?? 10));
  const [repeatMinutes, setRepeatMinutes] = useState(text(rule?.repeatMinutes ?? 0));
  const [inApp, setInApp] = useState(rule?.inApp ?? true);
  const [channelIds, setChannelIds] = useState<string[]>(rule?.channels.map((c) => c.id) ?? []);
  const [enabled, setEnabled] = useState(rule?.enabled ?? true);

  const chooseKind = (k: AlertKind) => {
    setKind(k);
    setParams(paramsOf(alertConditionSchema.parse({ kind: k })));
    if (isServerWide(k)) setProjectId('');
  };
  const save = useMutation({
    mutationFn: () => {
      const body = {
        name,
        enabled,
        projectId: isServerWide(kind) || projectId === '' ? null : projectId,
        condition: conditionOf(kind, params),
        forMinutes: num(forMinutes),
        repeatMinutes: num(repeatMinutes),
        inApp,
        channelIds,
      };
      return rule ? api.put(`/alerts/rules/${encodeURIComponent(rule.id)}`, body, alertRuleSchema) : api.post('/alerts/rules', body, alertRuleSchema);
    },
    onSuccess: (saved) => {
      toast(rule ? `Rule “${saved.name}” saved.` : `Rule “${saved.name}” created.`);
      onClose();
    },
    onSettled: () => qc.invalidateQueries({ queryKey: alertKeys.all }),
  });
  const errors = fieldErrors(save.error);
  const general = save.error && Object.keys(errors).length === 0 ? (save.error instanceof ApiError ? save.error.message : 'the rule could not be saved') : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };

  return (
    <Modal title={rule ? `Edit “${rule.name}”` : 'Add an alert rule'} onClose={onClose} testId="rule-dialog">
      <form onSubmit={submit} className="space-y-4" noValidate>
        {general && <FormAlert>{general}</FormAlert>}
        <label className="block text-sm">
          <span className="mb-1 block font-medium">Name</span>
          <input type="text" name="name" required maxLength={100} autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} className={inputClass} aria-invalid={errors.name ? true : undefined} aria-describedby="rule-name-error" data-autofocus />
          <FieldError id="rule-name-error" message={errors.name && `Name ${errors.name}.`} />
        </label>
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
        <ConditionFields kind={kind} params={params} set={(k, v) => setParams((p) => ({ ...p, [k]: v }))} errors={errors} />
        {!isServerWide(kind) && (
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
        )}
        <div className="grid gap-3 sm:grid-cols-2">
          <NumberField name="forMinutes" label="Fire after (minutes)" hint="0: at the next check, as soon as it holds." value={forMinutes} onChange={setForMinutes} error={errors.forMinutes} min={0} />
          <NumberField name="repeatMinutes" label="Repeat every (minutes)" hint="0: once, until it resolves." value={repeatMinutes} onChange={setRepeatMinutes} error={errors.repeatMinutes} min={0} />
        </div>
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
                <input type="checkbox" checked={channelIds.includes(c.id)} onChange={(e) => setChannelIds((ids) => (e.target.checked ? [...ids, c.id] : ids.filter((x) => x !== c.id)))} className="mt-1" />
                <span className="min-w-0 wrap-anywhere">
                  {c.name} <span className="text-muted">— {c.type === 'slack' ? 'Slack' : 'webhook'}{c.enabled ? '' : ', switched off'}</span>
                </span>
              </label>
            ))}
          </div>
          <FieldError id="rule-channels-error" message={errors.channelIds} />
        </fieldset>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="enabled" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          Rule on
        </label>
        <ModalActions>
          <button type="button" onClick={onClose} className={buttonClass.secondary}>
            Cancel
          </button>
          <button type="submit" disabled={save.isPending} className={buttonClass.primary}>
            {save.isPending ? 'Saving…' : rule ? 'Save rule' : 'Add rule'}
          </button>
        </ModalActions>
      </form>
    </Modal>
  );
}

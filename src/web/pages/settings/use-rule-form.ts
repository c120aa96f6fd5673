import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { alertConditionSchema, API, type AlertCondition, type AlertKind, type AlertRule, type EndpointBody } from '../../../contracts/index.js';
import { ApiError, call } from '../../api/http.js';
import { queries } from '../../api/queries.js';
import { alertKeys } from '../../api/query-keys.js';
import { toast } from '../../components/toasts.js';
import { fieldErrors } from './admin-api.js';
import { isServerWide } from './alert-rule-text.js';
import { alertQueries } from './alerts-api.js';

/** Number fields are kept as typed; empty means "the default", anything else goes to the server to judge. */
const num = (v: string): number | string | undefined => (v.trim() === '' ? undefined : Number.isFinite(Number(v)) ? Number(v) : v);
const text = (v: number | undefined) => (v === undefined ? '' : String(v));

/** The thresholds of one kind, as form fields (strings while typed). */
export type Params = Record<string, string>;

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

/** The rule form's state and its save: what was typed goes to the server, whose field errors come back per field. */
export function useRuleForm(rule: AlertRule | null, onClose: () => void) {
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
      // What was typed goes as typed (a number field's text stays text): the server's field errors then name the
      // field, so the body is checked there rather than typed here.
      const body = {
        name,
        enabled,
        projectId: isServerWide(kind) || projectId === '' ? null : projectId,
        condition: conditionOf(kind, params),
        forMinutes: num(forMinutes),
        repeatMinutes: num(repeatMinutes),
        inApp,
        channelIds,
      } as unknown as EndpointBody<typeof API.alerts.createRule>;
      return rule ? call(API.alerts.updateRule, { params: { id: rule.id }, body }) : call(API.alerts.createRule, { body });
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
  const setParam = (k: string, v: string) => setParams((p) => ({ ...p, [k]: v }));
  const toggleChannel = (id: string, on: boolean) => setChannelIds((ids) => (on ? [...ids, id] : ids.filter((x) => x !== id)));
  return {
    directory,
    channels,
    name,
    setName,
    kind,
    chooseKind,
    params,
    setParam,
    projectId,
    setProjectId,
    forMinutes,
    setForMinutes,
    repeatMinutes,
    setRepeatMinutes,
    inApp,
    setInApp,
    channelIds,
    toggleChannel,
    enabled,
    setEnabled,
    save,
    errors,
    general,
    submit,
  };
}

export type RuleForm = ReturnType<typeof useRuleForm>;

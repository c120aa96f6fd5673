import {
  AT_RISK_SHARE,
  CONSISTENCY_MAX_AGE_HOURS,
  MINUTE_MS,
  SLOS,
  SYNC_FAILURE_MINUTES,
  type SloKey,
  type SloState,
  type SloStatus,
  type SyncStatus,
} from '../../../contracts/index.js';
import type { SliValues } from './sample-codec.js';

type SyncModule = SyncStatus['modules'][number];

export interface LastCheck {
  finishedAt: string | null;
  startedAt: string;
  result: string;
  findings: number;
}

export interface SloInputs {
  now: Date;
  /** The newest sample's values; null when there is none, or it is too old to speak for now. */
  values: SliValues | null;
  /** Why `values` is null, said as the reason of every objective that needs a sample. */
  noSample: string;
  modules: readonly SyncModule[];
  consistency: LastCheck | null;
}

function show(v: number, key: SloKey): string {
  const unit = SLOS[key].unit;
  if (unit === 'ratio') return `${(v * 100).toFixed(1)} %`;
  if (unit === 'ms') return v >= 1000 ? `${Number((v / 1000).toFixed(2))} s` : `${v.toFixed(v < 10 ? 1 : 0)} ms`;
  return String(v);
}

/** A ceiling objective: breached above the target, at risk from AT_RISK_SHARE of it, no data without a value. */
function ceiling(key: SloKey, value: number | null, noData: string): SloStatus {
  const target = SLOS[key].target!;
  if (value === null) return { key, state: 'no_data', value: null, reason: noData };
  if (value > target) return { key, state: 'breached', value, reason: `${show(value, key)} is above the target of ${show(target, key)}` };
  if (value >= AT_RISK_SHARE * target)
    return {
      key,
      state: 'at_risk',
      value,
      reason: `${show(value, key)} is within ${Math.round((1 - AT_RISK_SHARE) * 100)} % of the target of ${show(target, key)}`,
    };
  return { key, state: 'met', value, reason: `${show(value, key)}, target ${show(target, key)}` };
}

/** One module's freshness: no data until a source reported it; breached when stale; at risk past one expected interval. */
export function moduleState(m: SyncModule, now: Date): SloState {
  if (m.status === 'unknown') return 'no_data';
  if (m.isStale) return 'breached';
  const late = m.sources.some(
    (s) => s.expectedIntervalMs !== null && s.lastSuccessfulSyncAt !== null && now.getTime() - Date.parse(s.lastSuccessfulSyncAt) > s.expectedIntervalMs,
  );
  return late ? 'at_risk' : 'met';
}

const MODULE_NAMES: Record<SyncModule['module'], string> = {
  workflow: 'Workflows',
  project: 'Projects',
  story: 'Stories',
  cost: 'Costs',
  agent: 'Agents',
  sync: 'Sync',
  document: 'Documents',
};

function freshness(modules: readonly SyncModule[], now: Date): SloStatus {
  const states = modules.map((m) => ({ m, state: moduleState(m, now) })).filter((x) => x.state !== 'no_data');
  if (states.length === 0) return { key: 'freshness', state: 'no_data', value: null, reason: 'no source has reported any module yet' };
  const stale = states.filter((x) => x.state === 'breached');
  const late = states.filter((x) => x.state === 'at_risk');
  if (stale.length > 0)
    return {
      key: 'freshness',
      state: 'breached',
      value: stale.length,
      reason: stale.map((x) => `${MODULE_NAMES[x.m.module]} is stale (${x.m.reason ?? 'no reason given'})`).join('; '),
    };
  if (late.length > 0)
    return {
      key: 'freshness',
      state: 'at_risk',
      value: 0,
      reason: `${late.map((x) => MODULE_NAMES[x.m.module]).join(', ')}: past the expected interval, not yet stale`,
    };
  return { key: 'freshness', state: 'met', value: 0, reason: `${states.length} reporting module${states.length === 1 ? '' : 's'}, none stale` };
}

function syncFailures(modules: readonly SyncModule[], values: SliValues | null, now: Date): SloStatus {
  if (modules.every((m) => m.status === 'unknown'))
    return { key: 'sync_failures', state: 'no_data', value: null, reason: 'no source has reported any module yet' };
  const failing = modules.flatMap((m) => m.sources.filter((s) => s.status === 'failed').map((s) => ({ m, s })));
  const limit = SYNC_FAILURE_MINUTES * MINUTE_MS;
  // A failing source fails since its last success at the latest: with none, or one older than the limit, it breaks the objective.
  const sustained = failing.filter(({ s }) => s.lastSuccessfulSyncAt === null || now.getTime() - Date.parse(s.lastSuccessfulSyncAt) > limit);
  const failingModules = new Set(failing.map((f) => f.m.module)).size;
  if (sustained.length > 0) {
    return {
      key: 'sync_failures',
      state: 'breached',
      value: failingModules,
      reason: sustained
        .map(({ m, s }) => `${MODULE_NAMES[m.module]} (${s.source}) failing, no success ${s.lastSuccessfulSyncAt ? `since ${s.lastSuccessfulSyncAt}` : 'ever'}`)
        .join('; '),
    };
  }
  if (failing.length > 0)
    return {
      key: 'sync_failures',
      state: 'at_risk',
      value: failingModules,
      reason: `${[...new Set(failing.map((f) => MODULE_NAMES[f.m.module]))].join(', ')} failing for less than ${SYNC_FAILURE_MINUTES} minutes`,
    };
  const recent = values?.sync_failures_per_min ?? 0;
  if (recent > 0)
    return { key: 'sync_failures', state: 'at_risk', value: 0, reason: 'a sync failure was reported in the last interval; every module has recovered since' };
  return { key: 'sync_failures', state: 'met', value: 0, reason: 'no module is failing' };
}

function consistency(last: LastCheck | null, now: Date): SloStatus {
  if (!last) return { key: 'consistency', state: 'no_data', value: null, reason: 'no consistency check has run yet' };
  const ageHours = (now.getTime() - Date.parse(last.finishedAt ?? last.startedAt)) / 3_600_000;
  const value = Math.round(ageHours * 10) / 10;
  if (last.result === 'mismatch')
    return { key: 'consistency', state: 'breached', value, reason: `the last check found ${last.findings} difference${last.findings === 1 ? '' : 's'}` };
  if (last.result !== 'ok') return { key: 'consistency', state: 'breached', value, reason: `the last check did not complete (${last.result})` };
  if (ageHours > CONSISTENCY_MAX_AGE_HOURS)
    return { key: 'consistency', state: 'at_risk', value, reason: `the last check passed, ${Math.floor(ageHours)} hours ago` };
  return { key: 'consistency', state: 'met', value, reason: 'the last check found no difference' };
}

/** Every objective's state, computed here and only here (the browser shows what this says). */
export function sloStates(i: SloInputs): SloStatus[] {
  const v = i.values;
  return [
    freshness(i.modules, i.now),
    ceiling('event_to_ui', v && v.event_to_ui_p95_ms, v ? 'no client acknowledged an event in the last 5 minutes' : i.noSample),
    ceiling('stale_sessions', v && v.stale_session_ratio, v ? 'no live session is open' : i.noSample),
    ceiling('write_lock_wait', v && v.write_lock_wait_p95_ms, v ? 'no write transaction in the last 5 minutes' : i.noSample),
    ceiling('rollup_lag', v && v.rollup_lag_p95_ms, v ? 'the rollup folded no batch in the last 5 minutes' : i.noSample),
    syncFailures(i.modules, v, i.now),
    consistency(i.consistency, i.now),
  ];
}

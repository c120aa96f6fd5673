import { createHash } from 'node:crypto';
import type { Executor } from '../../db/handle.js';
import type { PricingTable } from '../../pricing/pricing-table.js';
import type { StoredEventOf } from '../events/index.js';
import { hourStartOf } from './cost-rollup.js';
import type { KeySet } from '../../composite-key.js';
import { costMetricsRepository, sessionModelSet, type CostRowInsert, type MetricSeriesRow, type SessionModel } from './cost-metrics.repository.js';

/**
 * Claude Code's `cost.usage` / `token.usage` metrics are aggregates per session and model, so they cannot be deduped
 * request by request. The rule: a session's metric total is the sum of its series (per start time and reset segment:
 * the latest value of a cumulative series, each window of a delta one), and only what that total says beyond the costs
 * already itemized for the same session and model (transcript lines, `api_request` events) becomes a cost — one row per
 * session and model, kept up to date as either side grows, deleted when nothing is left over.
 */

const NS_WIDTH = 20;
const pad = (ns: string) => ns.padStart(NS_WIDTH, '0');
const nsToIso = (ns: string) => new Date(Number(BigInt(ns) / 1_000_000n)).toISOString();

/** Below this a difference of float sums is residue, not money. */
const EPSILON = 1e-9;

export const remainderRequestId = (sessionId: string, model: string) =>
  `metric:${createHash('sha256').update(`${sessionId}\n${model}`).digest('hex').slice(0, 40)}`;

/** What changed in cost_events, for the caller to rebuild the rollups of. */
export interface RemainderChanges {
  hours: Set<string>;
  stories: Set<string>;
}

/**
 * Folds metric points into their series. A point older than the series' latest is stale (a retried export); a
 * cumulative value below the latest without a new start time is a reset the sender did not announce: a new segment, so
 * the total never goes down. A new start time (a restarted sender) is a new series row by key.
 */
export async function foldMetricPoints(trx: Executor, events: readonly StoredEventOf<'cost.usage_reported'>[]): Promise<KeySet<SessionModel>> {
  const touched = sessionModelSet();
  const ordered = [...events].sort((a, b) =>
    pad(a.payload.timeUnixNano) < pad(b.payload.timeUnixNano) ? -1 : pad(a.payload.timeUnixNano) > pad(b.payload.timeUnixNano) ? 1 : a.eventId - b.eventId,
  );
  for (const e of ordered) {
    const p = e.payload;
    const startNs = pad(p.startTimeUnixNano);
    const timeNs = pad(p.timeUnixNano);
    const attribution = {
      project_id: e.projectId ?? p.projectId ?? null,
      agent_id: p.agentId ?? null,
      workflow_id: e.workflowId ?? p.workflowId ?? null,
      story_id: e.storyId ?? p.storyId ?? null,
      skill: p.skill ?? null,
      workflow_name: p.workflow ?? null,
      currency: p.currency ?? null,
      source_event_id: e.eventId,
    };
    const seriesKey = `${p.series}\n${p.metric}`;
    const latest = await costMetricsRepository.latestSegment(trx, seriesKey, startNs);
    if (latest && timeNs <= latest.time_ns) continue;
    if (latest && p.value >= latest.value) {
      await costMetricsRepository.updateSegment(trx, latest, { value: p.value, time_ns: timeNs, ...attribution });
    } else {
      await costMetricsRepository.insertSegment(trx, {
        series_key: seriesKey,
        start_ns: startNs,
        segment: latest ? latest.segment + 1 : 0,
        temporality: p.temporality,
        session_id: p.sessionId,
        model: p.model,
        metric: p.metric,
        value: p.value,
        time_ns: timeNs,
        ...attribution,
      });
    }
    touched.add({ sessionId: p.sessionId, model: p.model });
  }
  return touched;
}

/** The value all rows agree on, else null: a remainder spanning two skills is attributed to neither (never guessed). */
function agreed<T>(rows: readonly MetricSeriesRow[], pick: (r: MetricSeriesRow) => T | null): T | null {
  const values = new Set(rows.map(pick));
  return values.size === 1 ? ([...values][0] ?? null) : null;
}

/** Recomputes the remainder row of one session and model; reports the hours and stories whose rollups it changed. */
export async function recomputeRemainder(trx: Executor, sessionId: string, model: string, pricing: PricingTable, changes: RemainderChanges): Promise<void> {
  const series = await costMetricsRepository.seriesOf(trx, sessionId, model);
  if (series.length === 0) return;
  const total = (metric: string) => {
    const rows = series.filter((s) => s.metric === metric);
    return rows.length > 0 ? rows.reduce((sum, r) => sum + r.value, 0) : null;
  };
  const itemized = await costMetricsRepository.itemized(trx, sessionId, model);
  const over = (t: number | null, done: number) => (t === null ? null : t - done > EPSILON ? t - done : 0);
  const cost = over(total('cost'), itemized.amount);
  const tokens = {
    input: over(total('input'), itemized.input),
    output: over(total('output'), itemized.output),
    cacheRead: over(total('cacheRead'), itemized.cacheRead),
    cacheWrite: over(total('cacheCreation'), itemized.cacheWrite),
  };
  const asCount = (v: number | null) => (v === null ? null : Math.round(v));
  const requestId = remainderRequestId(sessionId, model);
  const existing = await costMetricsRepository.remainderRow(trx, requestId);
  if (existing) {
    changes.hours.add(hourStartOf(existing.occurred_at_utc));
    if (existing.story_id) changes.stories.add(existing.story_id);
  }
  const nothingLeft = (cost ?? 0) === 0 && Object.values(tokens).every((v) => (v ?? 0) < 0.5);
  if (nothingLeft) {
    if (existing) await costMetricsRepository.deleteRemainder(trx, existing.id);
    return;
  }
  const latest = series.reduce((a, b) => (b.time_ns > a.time_ns ? b : a));
  const occurredAt = nsToIso(latest.time_ns);
  const currency =
    agreed(
      series.filter((s) => s.metric === 'cost'),
      (s) => s.currency,
    ) ?? 'USD';
  const counts = { input: asCount(tokens.input), output: asCount(tokens.output), cacheRead: asCount(tokens.cacheRead), cacheWrite: asCount(tokens.cacheWrite) };
  // A session that exports token counts but no cost metric is priced from the table, like a token-only record.
  const priced = cost === null ? pricing.price(model, occurredAt, counts) : undefined;
  const row: CostRowInsert = {
    source_event_id: latest.source_event_id,
    project_id: agreed(series, (s) => s.project_id),
    workflow_id: agreed(series, (s) => s.workflow_id),
    agent_id: agreed(series, (s) => s.agent_id),
    story_id: agreed(series, (s) => s.story_id),
    model,
    cost_amount: cost ?? priced?.amount ?? null,
    currency: cost !== null ? currency : (priced?.currency ?? null),
    input_tokens: counts.input,
    output_tokens: counts.output,
    cache_write_tokens: counts.cacheWrite,
    cache_read_tokens: counts.cacheRead,
    price_version: priced?.priceVersion ?? null,
    occurred_at_utc: occurredAt,
    request_id: requestId,
    session_id: sessionId,
    skill: agreed(series, (s) => s.skill),
    workflow_name: agreed(series, (s) => s.workflow_name),
    via: 'otlp_metric',
    speed: null,
    service_tier: null,
    cache_write_5m_tokens: null,
    cache_write_1h_tokens: null,
    request_fingerprint: null,
  };
  if (existing) await costMetricsRepository.updateRemainder(trx, existing.id, row);
  else await costMetricsRepository.insertRemainder(trx, row);
  changes.hours.add(hourStartOf(occurredAt));
  if (row.story_id) changes.stories.add(row.story_id);
}

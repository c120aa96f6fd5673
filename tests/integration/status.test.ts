import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SLI_KEYS, statusResponseSchema, type ServerMessage, type SloKey, type StatusResponse, type StatusWindow } from '../../src/contracts/index.js';
import { consistencyRunsRepository } from '../../src/server/modules/consistency/consistency-runs.repository.js';
import { syncReported, workflowUpserted } from '../support/events.js';
import { ingestAccepted } from '../support/ingest.js';
import { startTestServer, tempDir, type TestServer } from '../support/test-server.js';
import { sleep, until } from '../support/wait.js';
import { TestWsClient } from '../support/ws-client.js';

/**
 * Issue 14 §2: the status page's data. A real server samples its own registry every 200 ms here; the tests compare
 * what GET /status says with what GET /metrics says, plant values to check every objective's state, and restart the
 * server on the same data directory to see the samples come back from the database.
 */

const SAMPLE_MS = 200;
// The consistency monitor stays off its schedule: the tests plant its runs themselves.
const config = { status: { sampleIntervalMs: SAMPLE_MS }, consistency: { intervalMs: 0 } };

async function status(t: TestServer, window: StatusWindow = '15m', token?: string): Promise<StatusResponse> {
  const res = await t.get(`/api/v1/status?window=${window}`, token);
  const body: unknown = await res.json();
  expect(res.status, JSON.stringify(body).slice(0, 300)).toBe(200);
  return statusResponseSchema.parse(body);
}

/** The Prometheus text exposition as name{labels} → value. */
async function scrape(t: TestServer): Promise<Map<string, number>> {
  const res = await t.get('/metrics', t.keys.metrics);
  expect(res.status).toBe(200);
  const out = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

/** histogram_quantile() over a scraped histogram, written here independently of the server's implementation. */
function quantileOf(m: Map<string, number>, name: string, q: number): number | null {
  const buckets = [...m.entries()]
    .filter(([k]) => k.startsWith(`${name}_bucket{`))
    .map(([k, v]) => ({ le: k.includes('le="+Inf"') ? Infinity : Number(/le="([^"]+)"/.exec(k)![1]), count: v }))
    .sort((a, b) => a.le - b.le);
  const total = buckets.at(-1)?.count ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  const i = buckets.findIndex((b) => b.count >= rank);
  if (buckets[i]!.le === Infinity) return buckets[i - 1]!.le;
  const lo = i === 0 ? 0 : buckets[i - 1]!.le;
  const below = i === 0 ? 0 : buckets[i - 1]!.count;
  return lo + (buckets[i]!.le - lo) * ((rank - below) / (buckets[i]!.count - below));
}

const metric = (m: Map<string, number>, key: string) => m.get(key) ?? 0;

/** The next sample taken after now (the server pushes status_updated on the sync topic after each one). */
async function nextSample(c: TestWsClient): Promise<string> {
  const from = c.messages.length;
  const after = new Date().toISOString();
  const msg = await c.waitFor<Extract<ServerMessage, { type: 'status_updated' }>>((m) => m.type === 'status_updated' && m.sampledAt > after, 5000, from);
  return msg.sampledAt;
}

const open: TestWsClient[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

async function watcher(t: TestServer): Promise<TestWsClient> {
  const c = await TestWsClient.authed(t.url, t.keys.read, ['workflow', 'sync']);
  open.push(c);
  return c;
}

describe('GET /api/v1/status', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ config });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers read keys and signed-in users only, with both windows in their resolutions', async () => {
    expect((await t.get('/api/v1/status', null)).status).toBe(401);
    expect((await t.get('/api/v1/status?window=1h')).status).toBe(422);
    const fifteen = await status(t, '15m');
    expect(fifteen.window).toBe('15m');
    expect(fifteen.resolutionMs).toBe(10_000);
    expect(fifteen.series.x).toHaveLength(90);
    const day = await status(t, '24h');
    expect(day.resolutionMs).toBe(300_000);
    expect(day.series.x).toHaveLength(288);
    for (const r of [fifteen, day]) {
      expect(Object.keys(r.series.values).sort()).toEqual([...SLI_KEYS].sort());
      for (const k of SLI_KEYS) expect(r.series.values[k]).toHaveLength(r.series.x.length);
      // The server has sampled since it started: the newest slot has samples, and slots before the start have none (null, not 0).
      expect(r.series.samples.at(-1)! + r.series.samples.at(-2)!).toBeGreaterThan(0);
      expect(r.series.samples[0]).toBe(0);
      expect(SLI_KEYS.every((k) => r.series.values[k][0] === null)).toBe(true);
    }
  });

  it('before anything is measured, objectives say no data, never 0', async () => {
    const r = await status(t);
    const state = (k: SloKey) => r.slos.find((s) => s.key === k)!;
    expect(r.current.event_to_ui_p95_ms).toBeNull();
    expect(state('event_to_ui')).toMatchObject({ state: 'no_data', value: null });
    // No session open when this was sampled: the gauge's 0 is not a ratio.
    expect(r.current.stale_session_ratio).toBeNull();
    expect(state('freshness')).toMatchObject({ state: 'no_data', reason: 'no source has reported any module yet' });
    expect(state('consistency')).toMatchObject({ state: 'no_data', reason: 'no consistency check has run yet' });
    expect(r.modules.every((m) => m.state === 'no_data')).toBe(true);
  });

  it('the current values are the ones /metrics exports (taken from the same registry)', async () => {
    const c = await watcher(t);
    const before = c.messages.length;
    const ids = (await ingestAccepted(t, [workflowUpserted('wf-s1'), workflowUpserted('wf-s2'), workflowUpserted('wf-s3')])).map((e) => e.eventId);
    const bad = await t.ingest([
      { id: 'x', source: 'test', type: 'workflow.upserted', occurredAt: 'yesterday', entity: { type: 'workflow', id: 'w' }, payload: {} },
    ]);
    expect(bad.status).toBe(207);
    await c.waitFor((m) => m.type === 'event' && m.eventId === ids.at(-1), 5000, before);
    c.send({ type: 'ack', lastEventId: ids.at(-1)! });
    // Quiet: a sample taken between two identical scrapes holds exactly what both say.
    let r: StatusResponse | undefined;
    let m = await scrape(t);
    for (let attempt = 0; attempt < 20; attempt++) {
      await nextSample(c);
      const sampled = await status(t);
      const again = await scrape(t);
      const same = [
        'ingest_events_total',
        'event_to_ui_latency_ms',
        'sqlite_write_lock_wait_ms',
        'analytics_rollup_lag_ms',
        'websocket_connected_sessions',
        'stale_state_active_sessions_ratio',
      ].every((name) => [...again.entries()].filter(([k]) => k.startsWith(name)).every(([k, v]) => m.get(k) === v));
      m = again;
      if (same && sampled.totals.eventToUiAcks === 3) {
        r = sampled;
        break;
      }
    }
    expect(r, 'the server never went quiet').toBeDefined();
    const s = r!;
    expect(s.totals.ingestAccepted).toBe(metric(m, 'ingest_events_total{result="accepted"}'));
    expect(s.totals.ingestRejected).toBe(metric(m, 'ingest_events_total{result="rejected"}'));
    expect(s.totals.ingestRejected).toBe(1);
    expect(s.totals.eventToUiAcks).toBe(metric(m, 'event_to_ui_latency_ms_count'));
    expect(s.current.ws_sessions).toBe(metric(m, 'websocket_connected_sessions'));
    expect(s.current.ws_sessions).toBe(1);
    expect(s.current.stale_session_ratio).toBe(metric(m, 'stale_state_active_sessions_ratio'));
    for (const [key, name, q] of [
      ['event_to_ui_p50_ms', 'event_to_ui_latency_ms', 0.5],
      ['event_to_ui_p95_ms', 'event_to_ui_latency_ms', 0.95],
      ['event_to_ui_p99_ms', 'event_to_ui_latency_ms', 0.99],
      ['write_lock_wait_p95_ms', 'sqlite_write_lock_wait_ms', 0.95],
      ['rollup_lag_p95_ms', 'analytics_rollup_lag_ms', 0.95],
    ] as const) {
      const expected = quantileOf(m, name, q);
      if (expected === null) expect(s.current[key], key).toBeNull();
      else expect(s.current[key], key).toBeCloseTo(expected, 6);
    }
    expect(s.current.event_to_ui_p95_ms).not.toBeNull();
    // The last event per module: the workflows just stored.
    expect(s.modules.find((x) => x.module === 'workflow')!.lastEventAt).not.toBeNull();
    expect(s.sampleStale).toBe(false);
  });

  it('computes every objective from planted values: met, at risk, breached', async () => {
    const c = await watcher(t);
    const metrics = t.server.core.metrics;
    for (let i = 0; i < 2000; i++) {
      metrics.eventToUiLatency.observe(4000); // p95 in (3000, 5000]: above 3 s
      metrics.sqliteWriteLockWait.observe(45); // p95 in (10, 50], interpolated past 40 ms: within 20 % of 50
      metrics.rollupLag.observe(200); // p95 in (100, 250]: well under 3 s
    }
    const now = Date.now();
    await ingestAccepted(t, [
      syncReported('ci', 'workflow', 'ok', { expectedIntervalMs: 60_000 }, { occurredAt: new Date(now - 1000).toISOString() }),
      // Past one expected interval (60 s), not yet two: at risk.
      syncReported('importer', 'project', 'ok', { expectedIntervalMs: 60_000 }, { occurredAt: new Date(now - 90_000).toISOString() }),
      // Failing, never a success: stale, and a sustained sync failure.
      syncReported('billing', 'cost', 'failed', { error: 'quota exceeded', expectedIntervalMs: 60_000 }, { occurredAt: new Date(now - 500).toISOString() }),
    ]);
    const db = t.server.core.db.write;
    const run = await consistencyRunsRepository.start(db, { startedAt: new Date(now - 5000).toISOString(), trigger: 'cli', throughEventId: 1 });
    await consistencyRunsRepository.finish(db, run, {
      finishedAt: new Date(now - 4000).toISOString(),
      durationMs: 1000,
      result: 'mismatch',
      findings: 3,
      details: {},
    });
    await nextSample(c);
    const r = await status(t);
    const state = (k: SloKey) => r.slos.find((s) => s.key === k)!;
    expect(state('event_to_ui')).toMatchObject({ state: 'breached' });
    expect(state('event_to_ui').value!).toBeGreaterThan(3000);
    expect(state('write_lock_wait')).toMatchObject({ state: 'at_risk' });
    expect(state('write_lock_wait').value!).toBeGreaterThanOrEqual(40);
    expect(state('write_lock_wait').value!).toBeLessThanOrEqual(50);
    expect(state('rollup_lag')).toMatchObject({ state: 'met' });
    // One open session, subscribed to a stale module (sync: no source reports it, which the gauge counts as stale): ratio 1.
    expect(state('stale_sessions')).toMatchObject({ state: 'breached', value: 1 });
    expect(state('freshness')).toMatchObject({ state: 'breached', value: 1 });
    expect(state('freshness').reason).toContain('Costs is stale');
    expect(state('sync_failures')).toMatchObject({ state: 'breached', value: 1 });
    expect(state('sync_failures').reason).toContain('no success ever');
    expect(state('consistency')).toMatchObject({ state: 'breached', reason: 'the last check found 3 differences' });
    const mod = (name: string) => r.modules.find((x) => x.module === name)!;
    expect(mod('workflow')).toMatchObject({ state: 'met', isStale: false, syncStatus: 'ok' });
    expect(mod('project')).toMatchObject({ state: 'at_risk', isStale: false });
    expect(mod('cost')).toMatchObject({ state: 'breached', isStale: true, syncStatus: 'failed', failuresSinceStart: 1 });
    expect(mod('cost').reason).toContain('quota exceeded');
    expect(mod('story')).toMatchObject({ state: 'no_data', syncStatus: 'unknown' });
    expect(r.totals.syncFailures).toBe(1);

    // The cost source recovers and a clean check passes: those objectives are met again.
    await ingestAccepted(t, [syncReported('billing', 'cost', 'ok', { expectedIntervalMs: 60_000 }, { occurredAt: new Date().toISOString() })]);
    const ok = await consistencyRunsRepository.start(db, { startedAt: new Date().toISOString(), trigger: 'cli', throughEventId: 1 });
    await consistencyRunsRepository.finish(db, ok, { finishedAt: new Date().toISOString(), durationMs: 800, result: 'ok', findings: 0, details: {} });
    await until(async () => (await status(t)).slos.find((s) => s.key === 'consistency')!.state === 'met', 'the passed check counts');
    const after = await status(t);
    expect(after.slos.find((s) => s.key === 'sync_failures')!.state).not.toBe('breached');
    expect(after.modules.find((x) => x.module === 'cost')!.state).toBe('met');
    expect(after.consistency).toMatchObject({ result: 'ok', durationMs: 800, trigger: 'cli', findings: 0 });
  });
});

describe('samples live in the database', () => {
  it('the 24-hour view and each module’s last event survive a restart', async () => {
    const dataDir = tempDir('bmad-ops-status-');
    try {
      const first = await startTestServer({ config, dataDir });
      await ingestAccepted(first, [workflowUpserted('wf-r1')]);
      await until(async () => (await status(first, '24h')).series.samples.reduce((n, v) => n + v, 0) >= 5, 'five samples taken', 10_000);
      const before = await status(first, '24h');
      const lastEvent = before.modules.find((m) => m.module === 'workflow')!.lastEventAt;
      expect(lastEvent).not.toBeNull();
      await first.close();
      await sleep(50);

      const second = await startTestServer({ config, dataDir });
      try {
        const after = await status(second, '24h');
        const sampled = (r: StatusResponse) => r.series.x.map((x, i) => ({ x, n: r.series.samples[i]! })).filter((b) => b.n > 0);
        // Every bucket the first server filled is still there, with at least its samples (the current one keeps growing).
        for (const b of sampled(before)) expect(after.series.samples[after.series.x.indexOf(b.x)]!).toBeGreaterThanOrEqual(b.n);
        // The raw samples taken before the restart are in the 15-minute view too.
        const fifteen = await status(second, '15m');
        const total = (r: StatusResponse) => r.series.samples.reduce((n, v) => n + v, 0);
        expect(total(fifteen)).toBeGreaterThan(total(before));
        expect(after.modules.find((m) => m.module === 'workflow')!.lastEventAt).toBe(lastEvent);
        // The counters start again with the process; the stored samples do not.
        expect(after.totals.ingestAccepted).toBe(0);
      } finally {
        await second.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

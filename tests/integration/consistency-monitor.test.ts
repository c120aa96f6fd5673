import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integritySchema } from '../../src/contracts/index.js';
import { ids } from '../../src/server/connector/bmad/to-events.js';
import { runCliAsync } from '../support/cli.js';
import { costRecorded } from '../support/events.js';
import { ingestAccepted } from '../support/ingest.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { until } from '../support/wait.js';

/** The sample BMAD project with its git history (every BMAD event type) plus cost records: a realistic log. */
describe('the consistency monitor', () => {
  let t: TestServer;
  let projectId: string;
  let workflowId: string;
  let liveStatus: string;

  beforeAll(async () => {
    t = await startTestServer({ config: { bmad: { sample: true } } });
    projectId = ids.project(t.server.bmad.all[0]!.snapshot!.projectKey);
    const now = new Date().toISOString();
    await ingestAccepted(t, [
      costRecorded('c-1', { projectId, agentId: 'dev', amount: 1.5 }, { occurredAt: now }),
      costRecorded('c-2', { projectId, agentId: 'qa', amount: 0.25 }, { occurredAt: now }),
    ]);
    const wf = await t.server.core.db.read
      .selectFrom('workflows')
      .select(['id', 'status'])
      .where('project_id', '=', projectId)
      .where('status', '!=', 'done')
      .limit(1)
      .executeTakeFirstOrThrow();
    workflowId = wf.id;
    liveStatus = wf.status!;
  });
  afterAll(() => t?.close());

  const integrity = async () => integritySchema.parse(await (await t.get(`/api/v1/projects/${encodeURIComponent(projectId)}/integrity`)).json());

  it('finds nothing on a clean database: every read model equals its rebuild from the log, the views agree', async () => {
    const run = await t.server.consistency.verify('cli');
    expect(run.sample).toEqual([]);
    expect(run.result).toBe('ok');
    expect(run.eventsRead).toBeGreaterThan(50);
  });

  it('names the exact row, field, live and rebuilt value of a corrupted read model, on the project too, and clears it once repaired', async () => {
    await sql`update workflows set status = 'done' where id = ${workflowId}`.execute(t.server.core.db.write);
    const run = await t.server.consistency.verify('manager');
    expect(run.result).toBe('mismatch');
    expect(run.sample).toContainEqual(
      expect.objectContaining({
        kind: 'projection_mismatch',
        projectId,
        entity: `workflows ${workflowId}`,
        field: 'status',
        actual: 'done',
        expected: liveStatus,
      }),
    );
    expect((await integrity()).findings).toContainEqual(
      expect.objectContaining({ kind: 'projection_mismatch', entity: `workflows ${workflowId}`, field: 'status' }),
    );
    const metrics = await (await t.get('/metrics', t.keys.metrics)).text();
    expect(metrics).toMatch(/cross_view_consistency_failures_total\{kind="projection_mismatch"\} [1-9]/);

    await sql`update workflows set status = ${liveStatus} where id = ${workflowId}`.execute(t.server.core.db.write);
    expect((await t.server.consistency.verify('schedule')).result).toBe('ok');
    expect((await integrity()).findings.filter((f) => f.kind === 'projection_mismatch')).toEqual([]);
  });

  it('finds views that disagree: the cost total against its daily chart', async () => {
    // The per-dimension rollups feed the summary by agent; the project rollups feed the chart: break one side only.
    for (const table of ['cost_rollup_dim_hourly', 'cost_rollup_dim_daily'])
      await sql`update ${sql.table(table)} set amount_sum = amount_sum + 10 where currency = 'USD' and dim = 'agent'`.execute(t.server.core.db.write);
    const run = await t.server.consistency.verify('manager');
    expect(run.sample).toContainEqual(expect.objectContaining({ kind: 'cross_view_mismatch', field: 'buckets' }));
    expect(run.sample.length).toBeLessThanOrEqual(100);
    expect(run.sample.some((f) => f.kind === 'projection_mismatch' && f.entity?.startsWith('cost_rollup_dim_'))).toBe(true);
    for (const table of ['cost_rollup_dim_hourly', 'cost_rollup_dim_daily'])
      await sql`update ${sql.table(table)} set amount_sum = amount_sum - 10 where currency = 'USD' and dim = 'agent'`.execute(t.server.core.db.write);
    expect((await t.server.consistency.verify('manager')).result).toBe('ok');
  });

  it('answers over HTTP: passes for everyone who reads, a new pass for managers only', async () => {
    const runs = (await (await t.get('/api/v1/consistency/runs?limit=3')).json()) as { items: { result: string; trigger: string }[] };
    expect(runs.items[0]).toMatchObject({ result: 'ok', trigger: 'manager' });
    expect((await t.post('/api/v1/consistency/verify', {}, t.keys.read)).status).toBe(403);
  });

  it('`bmad-ops verify` exits 0 on a clean database and 1 with the finding printed otherwise', async () => {
    const clean = await runCliAsync(['verify', '--data-dir', t.dataDir]);
    expect(clean.stdout).toMatch(/consistency check #\d+: ok, 0 findings/);
    expect(clean.code).toBe(0);
    await sql`update workflows set name = 'Tampered' where id = ${workflowId}`.execute(t.server.core.db.write);
    const dirty = await runCliAsync(['verify', '--data-dir', t.dataDir]);
    expect(dirty.code).toBe(1);
    expect(dirty.stdout).toContain(`workflows ${workflowId}: name is Tampered in the read model`);
  });
});

describe('the consistency monitor on its schedule', () => {
  it('runs by itself shortly after start and records the pass', async () => {
    const t = await startTestServer({ config: { consistency: { intervalMs: 3_600_000, firstRunDelayMs: 50 } } });
    try {
      await until(async () => (await t.server.consistency.recentRuns(1))[0]?.result === 'ok', 'the first scheduled pass');
      expect((await t.server.consistency.recentRuns(1))[0]).toMatchObject({ trigger: 'start', findings: 0 });
    } finally {
      await t.close();
    }
  });
});

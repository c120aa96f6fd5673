import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, type CompiledQuery } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectContextSchema, workflowPageSchema } from '../../src/contracts/index.js';
import { databaseFile } from '../../src/server/config.js';
import type { Database as Schema } from '../../src/server/db/schema.js';
import { CONTEXT_LIMIT } from '../../src/server/modules/projects/projects.service.js';
import { workflowsRepository } from '../../src/server/modules/workflows/workflows.repository.js';
import { storiesRepository } from '../../src/server/modules/stories/index.js';
import { at, projectUpserted, workflowUpserted } from '../support/events.js';
import { testBackend } from '../support/postgres.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

let t: TestServer;
/** Runs of p-runs: three at each of the times at(0) .. at(n), so every time is a tie broken by id. */
const RUNS = CONTEXT_LIMIT + 4;
const ids = Array.from({ length: RUNS }, (_, i) => `run-${String(i).padStart(4, '0')}`);
const timeOf = (i: number) => at(Math.floor(i / 3));

beforeAll(async () => {
  t = await startTestServer();
  const events = [
    projectUpserted('p-runs', { name: 'Runs' }),
    projectUpserted('p-other', { name: 'Other' }),
    // Listed in an order unrelated to id, so a list that followed insertion order would fail.
    ...[...ids].reverse().map((id, k) => workflowUpserted(id, { projectId: 'p-runs', status: 'queued' }, { occurredAt: timeOf(RUNS - 1 - k) })),
    workflowUpserted('run-elsewhere', { projectId: 'p-other', status: 'queued' }, { occurredAt: at(999) }),
  ];
  for (let i = 0; i < events.length; i += 200) expect((await t.ingest(events.slice(i, i + 200))).status).toBe(200);
});
afterAll(() => t.close());

/** Newest first, ties by id: what every reader of a project's runs promises. */
const expected = [...ids].sort((a, b) => {
  const ta = timeOf(ids.indexOf(a));
  const tb = timeOf(ids.indexOf(b));
  return ta === tb ? (a < b ? -1 : 1) : ta < tb ? 1 : -1;
});

describe("a project's runs, newest first", () => {
  it('the project context shows the newest CONTEXT_LIMIT, ties broken by id, and says more exist', async () => {
    const ctx = projectContextSchema.parse(await (await t.get('/api/v1/projects/p-runs/context')).json());
    expect(ctx.workflows.map((w) => w.id)).toEqual(expected.slice(0, CONTEXT_LIMIT));
    expect(ctx.truncated.workflows).toBe(true);
  });

  it('the workflow list filtered by project pages through the same order, with its total', async () => {
    const page = workflowPageSchema.parse(await (await t.get('/api/v1/workflows?projectId=p-runs&page=2&pageSize=100')).json());
    expect(page.items.map((w) => w.id)).toEqual(expected.slice(100, 200));
    expect(page.total).toBe(RUNS);
  });

  // The plan is SQLite's: a Postgres planner picks a scan for a test's few rows whatever the indexes are.
  it.runIf(testBackend() === 'sqlite')('reads them in index order, without sorting the project again for the id tie-break', async () => {
    const raw = new Database(databaseFile(t.server.core.config), { readonly: true });
    const queries: CompiledQuery[] = [];
    const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: raw }), log: (e) => void queries.push(e.query) });
    try {
      await workflowsRepository.recent(db, { projectId: 'p-runs' }, 10, storiesRepository);
      const q = queries[0]!;
      const plan = (raw.prepare(`explain query plan ${q.sql}`).all(...q.parameters) as { detail: string }[]).map((r) => r.detail).join('; ');
      expect(plan).toMatch(/USING INDEX workflows_project_order_idx \(project_id=\?\)/);
      expect(plan).not.toMatch(/TEMP B-TREE/);
    } finally {
      await db.destroy();
    }
  });
});

import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  projectPageSchema,
  storyPageSchema,
  syncStatusSchema,
  transitionListSchema,
  workflowPageSchema,
  workspaceInfoSchema,
} from '../../src/contracts/index.js';
import { DEMO_SOURCE, DemoWorkspace } from '../../src/server/demo/demo-workspace.js';
import type { IngestionService } from '../../src/server/modules/events/ingestion.service.js';
import { eventsRepository } from '../../src/server/modules/events/events.repository.js';
import { BMAD_COLUMNS } from '../../src/server/simulator/bmad-simulator.js';
import { projectUpserted } from '../support/events.js';
import { ingestIds } from '../support/ingest.js';
import { startTestServer, tempDir, type TestServer } from '../support/test-server.js';
import { until } from '../support/wait.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function dataDir(): string {
  const d = tempDir('bmad-ops-demo-');
  dirs.push(d);
  return d;
}

async function read<S extends z.ZodType>(t: TestServer, pathname: string, schema: S): Promise<z.output<S>> {
  const res = await t.get(pathname);
  expect(res.status, pathname).toBe(200);
  return schema.parse(await res.json());
}

const head = (t: TestServer) => eventsRepository.headEventId(t.server.core.db.read);
const projectIds = async (t: TestServer) => (await read(t, '/api/v1/projects?pageSize=200', projectPageSchema)).items.map((p) => p.id).sort();
const dueDates = async (t: TestServer) =>
  Object.fromEntries((await read(t, '/api/v1/projects?pageSize=200', projectPageSchema)).items.map((p) => [p.id, p.dueAt]));

/** Every workflow's timeline chains: each transition starts where the one before it ended. */
async function expectConsistentTimelines(t: TestServer, workflowIds: string[]): Promise<void> {
  for (const id of workflowIds) {
    const { items } = await read(t, `/api/v1/workflows/${id}/transitions?limit=1000`, transitionListSchema);
    for (let i = 1; i < items.length; i++) {
      expect(items[i]!.fromStatus, `${id}: transition ${i} starts where ${i - 1} ended`).toBe(items[i - 1]!.toStatus);
    }
  }
}

describe('demo workspace', () => {
  it('seeds an empty data dir with a demo workspace, says so, and keeps it moving; a restart continues it without reseeding', async () => {
    const dir = dataDir();
    // A slow rate first (one event every 2 s), so the seed can be inspected before the live stream touches it.
    let t = await startTestServer({ dataDir: dir, config: { demo: { enabled: true, ratePerSecond: 0.5 } } });
    let seededHead: number;
    let projects: string[];
    let due: Record<string, string | null>;
    try {
      expect(t.server.demo?.status).toMatchObject({ state: 'seeded', ratePerSecond: 0.5 });
      expect(await read(t, '/api/v1/meta/workspace', workspaceInfoSchema)).toEqual({ demo: true, kanbanEditable: false });

      projects = await projectIds(t);
      expect(projects).toHaveLength(3);
      const stories = await read(t, '/api/v1/stories?pageSize=200', storyPageSchema);
      expect(stories.total).toBeGreaterThanOrEqual(30);
      const perColumn = new Map<string, number>();
      for (const s of stories.items) perColumn.set(s.kanbanColumn ?? '', (perColumn.get(s.kanbanColumn ?? '') ?? 0) + 1);
      for (const column of BMAD_COLUMNS) expect(perColumn.get(column) ?? 0, `stories in ${column}`).toBeGreaterThanOrEqual(2);

      const workflows = await read(t, '/api/v1/workflows?pageSize=200', workflowPageSchema);
      const statuses = new Set(workflows.items.map((w) => w.status));
      for (const s of ['blocked', 'failed', 'done'] as const) expect(statuses, `a ${s} workflow`).toContain(s);
      // The seed's history is spread over the time before the start, not stamped all at one instant.
      const times = workflows.items.map((w) => Date.parse(w.lastTransitionAt ?? w.updatedAt));
      expect(Math.max(...times) - Math.min(...times)).toBeGreaterThan(10 * 60_000);
      const boards = await Promise.all(projects.map((id) => t.get(`/api/v1/kanban/board?projectId=${id}`)));
      expect(boards.map((b) => b.status)).toEqual([200, 200, 200]);

      const sync = await read(t, '/api/v1/sync/status', syncStatusSchema);
      for (const module of ['project', 'story', 'workflow', 'agent', 'cost']) {
        const m = sync.modules.find((x) => x.module === module);
        expect(m, module).toMatchObject({ status: 'ok', isStale: false });
        expect(m!.sources.map((s) => s.source)).toEqual([`${DEMO_SOURCE}/${module}`]);
      }

      due = await dueDates(t);
      seededHead = await head(t);
      await until(async () => (await head(t)) > seededHead, 'a live demo event after the seed', 6000);
    } finally {
      await t.close();
    }

    t = await startTestServer({ dataDir: dir, config: { demo: { enabled: true, ratePerSecond: 20 } } });
    try {
      expect(t.server.demo?.status).toMatchObject({ state: 'resumed', ratePerSecond: 20 });
      expect(await projectIds(t)).toEqual(projects);
      expect((await read(t, '/api/v1/meta/workspace', workspaceInfoSchema)).demo).toBe(true);
      const resumedAt = await head(t);
      await until(async () => (await head(t)) >= resumedAt + 40, 'the demo stream to go on after a restart', 8000);
      // The restarted simulator continued the same story: no new projects, nothing rejected, and every run it moved
      // moved from the status it really had; a project it updated kept its due date.
      expect(await projectIds(t)).toEqual(projects);
      expect(await dueDates(t)).toEqual(due);
      expect(t.server.demo!.stats).toMatchObject({ rejected: 0, duplicates: 0, failedBatches: 0 });
      const recent = (await read(t, '/api/v1/workflows?pageSize=20', workflowPageSchema)).items.map((w) => w.id);
      await expectConsistentTimelines(t, recent);
    } finally {
      await t.close();
    }
  }, 30_000);

  it('finishes a seed that was interrupted, on the next start', async () => {
    const dir = dataDir();
    let t = await startTestServer({ dataDir: dir });
    try {
      // The first chunk of the seed gets in, then ingestion fails: the start gives up without taking the server down.
      let calls = 0;
      const real = t.server.core.ingestion;
      const flaky = {
        ingest: (events: unknown[]) => (calls++ === 0 ? real.ingest(events) : Promise.reject(new Error('disk full'))),
      } as unknown as IngestionService;
      const demo = new DemoWorkspace({ ...t.server.core, ingestion: flaky }, { ratePerSecond: 1 });
      expect(await demo.start()).toEqual({ state: 'failed', reason: 'disk full' });
      expect(demo.running).toBe(false);
      expect(await head(t)).toBeGreaterThan(0);
      expect((await read(t, '/api/v1/meta/workspace', workspaceInfoSchema)).demo).toBe(true);
    } finally {
      await t.close();
    }
    t = await startTestServer({ dataDir: dir, config: { demo: { enabled: true, ratePerSecond: 0.5 } } });
    try {
      expect(t.server.demo?.status).toMatchObject({ state: 'resumed' });
      expect(await projectIds(t)).toHaveLength(3);
      expect((await read(t, '/api/v1/stories?pageSize=200', storyPageSchema)).total).toBeGreaterThanOrEqual(30);
      expect(t.server.demo!.stats).toMatchObject({ rejected: 0, duplicates: 0 });
      const all = (await read(t, '/api/v1/workflows?pageSize=200', workflowPageSchema)).items.map((w) => w.id);
      await expectConsistentTimelines(t, all);
    } finally {
      await t.close();
    }
  });

  it('keeps simulating through ingestion failures: logged, the batch retried, the server unharmed', async () => {
    const t = await startTestServer({ dataDir: dataDir() });
    const real = t.server.core.ingestion;
    let failing = false;
    const flaky = { ingest: (events: unknown[]) => (failing ? Promise.reject(new Error('queue full')) : real.ingest(events)) } as unknown as IngestionService;
    const demo = new DemoWorkspace({ ...t.server.core, ingestion: flaky }, { ratePerSecond: 20 });
    try {
      expect(await demo.start()).toMatchObject({ state: 'seeded' });
      failing = true;
      await until(() => demo.stats.failedBatches >= 3, 'failed live batches');
      const stalled = await head(t);
      failing = false;
      await until(async () => (await head(t)) > stalled + 10, 'the stream to recover');
      expect(demo.stats).toMatchObject({ rejected: 0, duplicates: 0 });
      expect(demo.running).toBe(true);
    } finally {
      await demo.stop();
      await t.close();
    }
    expect(demo.running).toBe(false);
  });

  it('leaves a data dir with real data alone', async () => {
    const dir = dataDir();
    let t = await startTestServer({ dataDir: dir });
    try {
      expect(t.server.demo).toBeUndefined();
      await ingestIds(t, [projectUpserted('p-real', { name: 'Real project' })]);
    } finally {
      await t.close();
    }
    t = await startTestServer({ dataDir: dir, config: { demo: { enabled: true, ratePerSecond: 50 } } });
    try {
      expect(t.server.demo?.status).toMatchObject({ state: 'skipped' });
      expect(t.server.demo?.running).toBe(false);
      const before = await head(t);
      await new Promise((r) => setTimeout(r, 300));
      expect(await head(t)).toBe(before);
      expect(await projectIds(t)).toEqual(['p-real']);
      expect(await read(t, '/api/v1/meta/workspace', workspaceInfoSchema)).toEqual({ demo: false, kanbanEditable: false });
    } finally {
      await t.close();
    }
  });

  it('seeds nothing when the demo is off (the default of a config built in code)', async () => {
    const t = await startTestServer({ dataDir: dataDir() });
    try {
      expect(t.server.demo).toBeUndefined();
      expect(t.config.demo).toEqual({ enabled: false, ratePerSecond: 1 });
      expect(await head(t)).toBe(0);
      expect(await projectIds(t)).toEqual([]);
      expect((await read(t, '/api/v1/meta/workspace', workspaceInfoSchema)).demo).toBe(false);
    } finally {
      await t.close();
    }
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integritySchema, kanbanBoardSchema, storySchema, syncStatusSchema, type KanbanBoard } from '../../src/contracts/index.js';
import { createBmadConnector, type BmadProjectConnector } from '../../src/server/connector/bmad/index.js';
import { ids } from '../../src/server/connector/bmad/to-events.js';
import { eventsRepository } from '../../src/server/modules/events/events.repository.js';
import { ADMIN, startTestServer, tempDir, type TestServer } from '../support/test-server.js';
import { until } from '../support/wait.js';

const SAMPLE = path.resolve('examples/bmad-v6-sample');

function copyDir(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true });
}

async function login(t: TestServer): Promise<string> {
  const res = await t.post('/api/v1/auth/login', { ...ADMIN, issueToken: true }, null);
  return ((await res.json()) as { token: string }).token;
}

describe('BMAD connector: a watched v6 project', () => {
  let t: TestServer;
  let dir: string;
  let connector: BmadProjectConnector;
  let projectId: string;
  let sprintFile: string;

  beforeAll(async () => {
    dir = path.join(tempDir('bmad-ops-connector-'), 'project');
    copyDir(SAMPLE, dir);
    t = await startTestServer({ config: { bmad: { projects: [dir] }, kanbanEditable: true } });
    connector = t.server.bmad.all[0]!;
    projectId = ids.project(connector.snapshot!.projectKey);
    sprintFile = path.join(dir, connector.snapshot!.sprintStatusFile!);
  });
  afterAll(async () => {
    await t?.close();
  });

  const board = async (): Promise<KanbanBoard> =>
    kanbanBoardSchema.parse(await (await t.get(`/api/v1/kanban/board?projectId=${encodeURIComponent(projectId)}`)).json());
  const columnOf = (b: KanbanBoard, storyId: string) => b.columns.find((c) => c.cards.some((s) => s.id === storyId))?.key;

  it('imports the sample: every story on the board in its BMAD column, planning workflows, documents', async () => {
    const snap = connector.snapshot!;
    const b = await board();
    expect(b.columns.reduce((n, c) => n + c.count, 0)).toBe(snap.stories.length);
    for (const s of snap.stories) expect(columnOf(b, ids.story(snap.projectKey, s.key))).toBe(s.column);
    const docs = (await (await t.get(`/api/v1/documents?projectId=${encodeURIComponent(projectId)}&pageSize=200`)).json()) as { total: number };
    expect(docs.total).toBe(snap.documents.length);
    const wf = (await (await t.get(`/api/v1/workflows?projectId=${encodeURIComponent(projectId)}&pageSize=200`)).json()) as { items: { name: string }[] };
    expect(wf.items.some((w) => w.name === 'create-prd')).toBe(true);
    expect(wf.items.some((w) => w.name.startsWith('dev-story '))).toBe(true);
  });

  it('re-importing the same files (a fresh connector, as import-bmad does) adds no copies: every entity event is a duplicate', async () => {
    const before = await eventsRepository.headEventId(t.server.core.db.read);
    const fresh = createBmadConnector(dir, { ingest: (e) => t.server.core.ingestion.ingest(e), clock: t.server.core.clock, logger: t.server.core.logger });
    const again = await fresh.start({ watch: false });
    expect(again.rejected).toBe(0);
    // Only the sync health reports are new (they say "checked just now").
    expect(again.accepted).toBe(4);
    expect(again.duplicates).toBeGreaterThan(20);
    expect((await eventsRepository.headEventId(t.server.core.db.read)) - before).toBe(4);
  });

  it('moves a card within 1 s of an edit to sprint-status.yaml, and marks sync failed (file and line) on bad YAML while keeping the data', async () => {
    const snap = connector.snapshot!;
    const story = snap.stories.find((s) => s.column === 'backlog')!;
    const storyId = ids.story(snap.projectKey, story.key);
    const text = fs.readFileSync(sprintFile, 'utf8');
    const line = new RegExp(`^(\\s*${story.key}:\\s*)backlog`, 'm');
    expect(text).toMatch(line);
    const started = Date.now();
    fs.writeFileSync(sprintFile, text.replace(line, '$1in-progress'));
    await until(async () => columnOf(await board(), storyId) === 'in-progress', 'card moved to in-progress', 3000, 25);
    expect(Date.now() - started).toBeLessThan(1500);

    fs.writeFileSync(sprintFile, `${text.replace(line, '$1in-progress')}\n  broken: [unclosed\n`);
    await until(
      async () => {
        const s = syncStatusSchema.parse(await (await t.get('/api/v1/sync/status')).json());
        return s.modules.some((m) => m.module === 'story' && m.status === 'failed' && /sprint-status\.yaml:\d+/.test(m.error ?? ''));
      },
      'sync failed with file and line',
      3000,
    );
    expect(columnOf(await board(), storyId)).toBe('in-progress');

    fs.writeFileSync(sprintFile, text);
    await until(async () => columnOf(await board(), storyId) === 'backlog', 'recovered on the next good save', 3000);
    const s = syncStatusSchema.parse(await (await t.get('/api/v1/sync/status')).json());
    expect(s.modules.find((m) => m.module === 'story')!.status).toBe('ok');
  });

  it('records drift between a story file and sprint-status.yaml, and clears it when they agree again', async () => {
    const snap = connector.snapshot!;
    const story = snap.stories.find((s) => s.file && s.column === 'review' && !snap.findings.some((f) => f.storyKey === s.key))!;
    const file = path.join(dir, story.file!);
    const original = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, original.replace(/^Status:\s*review\s*$/m, 'Status: done'));
    const integrity = async () => integritySchema.parse(await (await t.get(`/api/v1/projects/${encodeURIComponent(projectId)}/integrity`)).json());
    await until(
      async () => (await integrity()).findings.some((f) => f.kind === 'status_drift' && f.storyId === ids.story(snap.projectKey, story.key)),
      'drift recorded',
      3000,
    );
    const card = (await board()).columns.flatMap((c) => c.cards).find((c) => c.id === ids.story(snap.projectKey, story.key))!;
    expect(card.findings.map((f) => f.kind)).toContain('status_drift');
    const metrics = await (await t.get('/metrics', t.keys.metrics)).text();
    expect(metrics).toMatch(/cross_view_consistency_failures_total\{kind="status_drift"\} [1-9]/);
    fs.writeFileSync(file, original);
    await until(
      async () => !(await integrity()).findings.some((f) => f.kind === 'status_drift' && f.storyId === ids.story(snap.projectKey, story.key)),
      'drift cleared',
      3000,
    );
  });

  it('a card moved in the dashboard is written back to sprint-status.yaml (only the value changes) and enters once', async () => {
    const snap = connector.snapshot!;
    const story = snap.stories.find((s) => s.column === 'ready-for-dev')!;
    const storyId = ids.story(snap.projectKey, story.key);
    const before = fs.readFileSync(sprintFile, 'utf8');
    const token = await login(t);
    const res = await fetch(`${t.url}/api/v1/stories/${encodeURIComponent(storyId)}/status`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to: 'in_progress', from: 'queued' }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(storySchema.parse(await res.json()).kanbanColumn).toBe('in-progress');
    const after = fs.readFileSync(sprintFile, 'utf8');
    expect(after).toBe(before.replace(new RegExp(`(^\\s*${story.key}:\\s*)ready-for-dev`, 'm'), '$1in-progress'));
    // Let the watcher see the write: it must not add a second event for the same change.
    const head = await eventsRepository.headEventId(t.server.core.db.read);
    await new Promise((r) => setTimeout(r, 600));
    const later = await eventsRepository.listAfter(t.server.core.db.read, head, 1000);
    expect(later.filter((e) => e.entityId === storyId)).toEqual([]);
  });
});

describe('BMAD connector: a watched v4 project (no sprint-status.yaml)', () => {
  let t: TestServer;
  let dir: string;

  beforeAll(async () => {
    dir = path.join(tempDir('bmad-ops-connector-v4-'), 'ledgerline');
    copyDir(path.resolve('examples/bmad-v4-sample'), dir);
    t = await startTestServer({ config: { bmad: { projects: [dir] } } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('cancels the card of a deleted story file instead of leaving it behind or dropping it silently', async () => {
    const snap = t.server.bmad.all[0]!.snapshot!;
    const story = snap.stories.find((s) => s.file && s.status !== 'done')!;
    const storyId = ids.story(snap.projectKey, story.key);
    const status = async () =>
      storySchema.parse(
        (
          (await (await t.get(`/api/v1/stories?projectId=${encodeURIComponent(ids.project(snap.projectKey))}&pageSize=200`)).json()) as { items: unknown[] }
        ).items
          .map((i) => storySchema.parse(i))
          .find((s) => s.id === storyId),
      ).status;
    expect(await status()).toBe(story.status);
    fs.rmSync(path.join(dir, story.file!));
    await until(async () => (await status()) === 'canceled', 'card canceled', 3000);
  });
});

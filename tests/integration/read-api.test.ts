import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  errorBodySchema,
  healthSchema,
  kanbanBoardSchema,
  projectContextSchema,
  projectPageSchema,
  projectSchema,
  statusModelResponseSchema,
  storyPageSchema,
  syncStatusSchema,
  transitionListSchema,
  workflowPageSchema,
  STATUS_MODEL,
} from '../../src/contracts/index.js';
import { fixedClock } from '../../src/server/clock.js';
import { at, projectUpserted, storyStatusChanged, storyUpserted, syncReported, workflowTransitioned, workflowUpserted } from '../support/events.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const clock = fixedClock(new Date('2026-11-29T12:00:00.000Z'));
let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ clock });
  const res = await t.ingest([
    projectUpserted('p-1', { name: 'Checkout', ownerId: 'u-ann', status: 'in_progress', progressPct: 40, dueAt: '2026-11-01T00:00:00Z', riskFlag: true }),
    projectUpserted('p-2', { name: 'Billing', ownerId: 'u-bob', status: 'in_progress', dueAt: '2027-01-01T00:00:00+01:00' }),
    projectUpserted('p-3', { name: 'Archive', ownerId: 'u-ann', status: 'done', dueAt: '2026-01-01T00:00:00Z' }),
    storyUpserted('s-1', 'p-1', { title: 'Login', status: 'in_progress', epic: 'Auth', ownerId: 'u-ann' }, { occurredAt: at(1) }),
    storyUpserted('s-2', 'p-1', { title: 'Logout', status: 'in_progress', kanbanColumn: 'review', epic: 'Auth' }, { occurredAt: at(2) }),
    storyUpserted('s-3', 'p-1', { title: 'Cart', status: 'queued', epic: 'Shop' }, { occurredAt: at(3) }),
    storyUpserted('s-4', 'p-1', { title: 'Pay', status: 'queued' }, { occurredAt: at(4) }),
    storyStatusChanged('s-4', 'done', 'queued', { occurredAt: at(5) }),
    workflowUpserted(
      'wf-1',
      { projectId: 'p-1', storyId: 's-1', name: 'dev-story', ownerId: 'u-ann', agentId: 'dev', status: 'in_progress' },
      { occurredAt: at(1) },
    ),
    workflowUpserted(
      'wf-2',
      { projectId: 'p-1', storyId: 's-2', name: 'code-review', ownerId: 'u-bob', agentId: 'qa', status: 'queued' },
      { occurredAt: at(1) },
    ),
    workflowTransitioned('wf-2', 'queued', 'blocked', { occurredAt: at(7) }, { reason: 'waiting for review', actorId: 'u-bob' }),
    workflowUpserted('wf-3', { projectId: 'p-2', name: 'create-story', ownerId: 'u-ann', agentId: 'sm', status: 'failed' }, { occurredAt: at(3) }),
    workflowUpserted('wf-4', { projectId: 'p-2', name: 'prd', ownerId: 'u-ann', agentId: 'pm', status: 'done' }, { occurredAt: at(9) }),
    syncReported('conn-p1', 'story', 'ok', { expectedIntervalMs: 60_000 }, { occurredAt: '2026-11-29T11:59:30.000Z' }),
    syncReported('conn-p2', 'workflow', 'failed', { error: 'sprint-status.yaml line 3: bad indentation' }, { occurredAt: '2026-11-29T11:59:00.000Z' }),
  ]);
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await t.close();
});

async function json(path: string, token?: string) {
  const res = await t.get(path, token);
  return { status: res.status, body: (await res.json()) as unknown };
}

describe('health and meta', () => {
  it('GET /health needs no auth: anonymous callers and read keys get the status alone, metrics keys the checks', async () => {
    const anonymous = await json('/api/v1/health', null as unknown as string);
    expect(anonymous.status).toBe(200);
    expect(anonymous.body).toEqual({ status: 'ok' });
    expect((await json('/api/v1/health', t.keys.read)).body).toEqual({ status: 'ok' });
    const { status, body } = await json('/api/v1/health', t.keys.metrics);
    expect(status).toBe(200);
    expect(healthSchema.parse(body)).toMatchObject({ status: 'ok', checks: { database: { ok: true }, migrations: { ok: true }, publisher: { ok: true } } });
  });

  it('GET /meta/status-model serves exactly the model ingestion validates against', async () => {
    const { body } = await json('/api/v1/meta/status-model');
    const model = statusModelResponseSchema.parse(body);
    expect(model.statuses).toEqual(['queued', 'in_progress', 'blocked', 'failed', 'done', 'canceled']);
    expect(model.entities.workflow.transitions.queued).toEqual(STATUS_MODEL.workflow.transitions.queued);
    expect(model.entities.story.statuses).not.toContain('failed');
  });
});

describe('workflows', () => {
  it('lists with filters, deterministic order and pagination', async () => {
    const all = workflowPageSchema.parse((await json('/api/v1/workflows')).body);
    expect(all.total).toBe(4);
    expect(all.items.map((w) => w.id)).toEqual(['wf-4', 'wf-2', 'wf-3', 'wf-1']);
    const bad = workflowPageSchema.parse((await json('/api/v1/workflows?status=blocked,failed')).body);
    expect(bad.items.map((w) => w.id).sort()).toEqual(['wf-2', 'wf-3']);
    const mine = workflowPageSchema.parse((await json('/api/v1/workflows?ownerId=u-bob&projectId=p-1&agentId=qa')).body);
    expect(mine.items.map((w) => w.id)).toEqual(['wf-2']);
    const page2 = workflowPageSchema.parse((await json('/api/v1/workflows?page=2&pageSize=3')).body);
    expect(page2).toMatchObject({ page: 2, pageSize: 3, total: 4 });
    expect(page2.items.map((w) => w.id)).toEqual(['wf-1']);
  });

  it('returns one workflow, its transitions, and 404 for unknown ids', async () => {
    expect((await json('/api/v1/workflows/wf-2')).body).toMatchObject({ id: 'wf-2', status: 'blocked', lastTransitionAt: at(7) });
    const tr = transitionListSchema.parse((await json('/api/v1/workflows/wf-2/transitions?limit=10')).body);
    expect(tr.items).toEqual([expect.objectContaining({ fromStatus: 'queued', toStatus: 'blocked', actorId: 'u-bob', reason: 'waiting for review' })]);
    const missing = await json('/api/v1/workflows/nope');
    expect(missing.status).toBe(404);
    expect(errorBodySchema.parse(missing.body).error.code).toBe('not_found');
    expect((await json('/api/v1/workflows/nope/transitions')).status).toBe(404);
  });
});

describe('projects', () => {
  it('computes overdue from the injected clock and filters on it', async () => {
    const page = projectPageSchema.parse((await json('/api/v1/projects')).body);
    expect(page.items.map((p) => [p.id, p.overdue])).toEqual([
      ['p-3', false],
      ['p-2', false],
      ['p-1', true],
    ]);
    expect(projectPageSchema.parse((await json('/api/v1/projects?overdue=true')).body).items.map((p) => p.id)).toEqual(['p-1']);
    expect(projectPageSchema.parse((await json('/api/v1/projects?riskFlag=true')).body).items.map((p) => p.id)).toEqual(['p-1']);
    expect(projectPageSchema.parse((await json('/api/v1/projects?status=done&ownerId=u-ann')).body).items.map((p) => p.id)).toEqual(['p-3']);
  });

  it('keeps unknown progress as null, never zero, and normalises due dates to UTC', async () => {
    const p2 = projectSchema.parse((await json('/api/v1/projects/p-2')).body);
    expect(p2.progressPct).toBeNull();
    expect(p2.dueAt).toBe('2026-12-31T23:00:00.000Z');
  });

  it('serves a project context with its stories, workflows and documents', async () => {
    const ctx = projectContextSchema.parse((await json('/api/v1/projects/p-1/context')).body);
    expect(ctx.project.id).toBe('p-1');
    expect(ctx.stories.map((s) => s.id).sort()).toEqual(['s-1', 's-2', 's-3', 's-4']);
    expect(ctx.workflows.map((w) => w.id).sort()).toEqual(['wf-1', 'wf-2']);
    expect(ctx.documents).toEqual([]);
    expect((await json('/api/v1/projects/p-404/context')).status).toBe(404);
  });
});

describe('stories and kanban', () => {
  it('filters stories by project, column and status', async () => {
    const review = storyPageSchema.parse((await json('/api/v1/stories?projectId=p-1&column=review')).body);
    expect(review.items.map((s) => s.id)).toEqual(['s-2']);
    const queued = storyPageSchema.parse((await json('/api/v1/stories?column=queued')).body);
    expect(queued.items.map((s) => s.id)).toEqual(['s-3']);
    const done = storyPageSchema.parse((await json('/api/v1/stories?status=done')).body);
    expect(done.items).toEqual([expect.objectContaining({ id: 's-4', kanbanColumn: 'done', statusSince: at(5) })]);
  });

  it('builds the board in status-model order, with a custom column after its status', async () => {
    const board = kanbanBoardSchema.parse((await json('/api/v1/kanban/board?projectId=p-1')).body);
    expect(board.columns.map((c) => [c.key, c.count])).toEqual([
      ['queued', 1],
      ['in_progress', 1],
      ['review', 1],
      ['blocked', 0],
      ['done', 1],
      ['canceled', 0],
    ]);
    expect((await json('/api/v1/kanban/board?projectId=p-404')).status).toBe(404);
    expect((await json('/api/v1/kanban/board')).status).toBe(422);
  });
});

describe('sync status', () => {
  it('tells per module: unknown when never reported, failed with the error, stale by expected interval', async () => {
    const s = syncStatusSchema.parse((await json('/api/v1/sync/status')).body);
    const byModule = Object.fromEntries(s.modules.map((m) => [m.module, m]));
    expect(byModule.cost).toMatchObject({ status: 'unknown', isStale: true, lastSuccessfulSyncAt: null, reason: 'no source has reported this module yet' });
    expect(byModule.story).toMatchObject({ status: 'ok', isStale: false, reason: null, lastSuccessfulSyncAt: '2026-11-29T11:59:30.000Z' });
    expect(byModule.workflow).toMatchObject({ status: 'failed', isStale: true, lastSuccessfulSyncAt: null });
    expect(byModule.workflow!.error).toContain('line 3');
    clock.advance(5 * 60_000);
    const later = syncStatusSchema.parse((await json('/api/v1/sync/status')).body);
    expect(later.modules.find((m) => m.module === 'story')).toMatchObject({
      status: 'ok',
      isStale: true,
      reason: expect.stringContaining('no successful report since'),
    });
    clock.set(new Date('2026-11-29T12:00:00.000Z'));
  });
});

describe('authorization on reads', () => {
  it('requires a read key or a session, and rejects an ingest-only key with 403', async () => {
    expect((await t.get('/api/v1/workflows', null)).status).toBe(401);
    expect((await t.get('/api/v1/workflows', t.keys.ingest)).status).toBe(403);
    expect((await t.get('/api/v1/workflows', t.keys.metrics)).status).toBe(403);
    expect((await t.get('/api/v1/workflows', 'garbage')).status).toBe(401);
  });
});

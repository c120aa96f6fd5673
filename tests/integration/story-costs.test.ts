import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  errorBodySchema,
  kanbanBoardSchema,
  projectContextSchema,
  projectPageSchema,
  projectSchema,
  storyDetailSchema,
  storyPageSchema,
} from '../../src/contracts/index.js';
import { fixedClock } from '../../src/server/clock.js';
import { at, costRecorded, projectUpserted, storyStatusChanged, storyUpserted, workflowUpserted } from '../support/events.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const clock = fixedClock(new Date('2026-11-29T12:00:00.000Z'));
let t: TestServer;

/*
 * Hand-computed figures for this data set:
 *   s-1: USD 1.25 + 0.50 = 1.75 (2 records), EUR 2.00 (1), 1 unpriced (unknown model)  -> available
 *   s-2: USD 3.00 (1)                                                                 -> available
 *   s-3: done, no cost records                                                        -> unavailable
 *   p-1: USD 1.75 + 3.00 + 0.25 (a record naming the project but no story) = 5.00 (4), EUR 2.00 (1), 1 unpriced;
 *        done stories s-2 and s-3 -> per done story USD 2.50, EUR 1.00
 *   p-2: USD 5.00 (1), no done story       -> cost per done story unavailable (no_done_stories)
 *   p-3: one done story, no cost records    -> cost unavailable, cost per done story unavailable (no_cost)
 */
beforeAll(async () => {
  t = await startTestServer({ clock });
  const res = await t.ingest([
    projectUpserted('p-1', { name: 'Checkout' }),
    projectUpserted('p-2', { name: 'Billing' }),
    projectUpserted('p-3', { name: 'Archive' }),
    storyUpserted('s-1', 'p-1', { title: 'Login', status: 'in_progress', epic: 'Auth' }, { occurredAt: at(1) }),
    storyUpserted('s-2', 'p-1', { title: 'Logout', status: 'done', epic: 'Auth' }, { occurredAt: at(2) }),
    storyUpserted('s-3', 'p-1', { title: 'Cart', status: 'queued' }, { occurredAt: at(3) }),
    storyStatusChanged('s-3', 'done', 'queued', { occurredAt: at(4) }),
    storyUpserted('s-4', 'p-1', { title: 'Pay', status: 'queued' }, { occurredAt: at(5) }),
    storyUpserted('s-20', 'p-2', { title: 'Invoices', status: 'in_progress' }, { occurredAt: at(5) }),
    storyUpserted('s-30', 'p-3', { title: 'Old', status: 'done' }, { occurredAt: at(5) }),
    workflowUpserted('wf-1', { projectId: 'p-1', storyId: 's-1', name: 'dev-story 1.1', agentId: 'dev', status: 'in_progress' }, { occurredAt: at(6) }),
    workflowUpserted('wf-2', { projectId: 'p-1', storyId: 's-2', name: 'dev-story 1.2', agentId: 'dev', status: 'done' }, { occurredAt: at(6) }),
    {
      id: 'doc-evt-1',
      source: 'test',
      type: 'document.registered',
      occurredAt: at(7),
      entity: { type: 'document', id: 'doc-s1' },
      payload: { projectId: 'p-1', storyId: 's-1', title: 'Story 1.1: Login', mimeType: 'text/markdown', root: 'r', path: 'stories/1-1.md', kind: 'story' },
    },
    costRecorded(
      'c-1',
      { amount: 1.25, currency: 'USD', projectId: 'p-1', storyId: 's-1', agentId: 'dev', model: 'claude-sonnet-4-5' },
      { occurredAt: at(10) },
    ),
    costRecorded('c-2', { amount: 0.5, currency: 'USD', projectId: 'p-1', storyId: 's-1', agentId: 'dev', model: 'claude-sonnet-4-5' }, { occurredAt: at(11) }),
    costRecorded('c-3', { amount: 2, currency: 'EUR', projectId: 'p-1', storyId: 's-1', agentId: 'qa', model: 'gpt-5' }, { occurredAt: at(12) }),
    costRecorded(
      'c-4',
      { amount: null, currency: null, tokens: { input: 1000, output: 10 }, projectId: 'p-1', storyId: 's-1', agentId: 'dev', model: 'mystery-model' },
      { occurredAt: at(13) },
    ),
    costRecorded('c-5', { amount: 3, currency: 'USD', projectId: 'p-1', storyId: 's-2', agentId: 'sm', model: 'claude-sonnet-4-5' }, { occurredAt: at(14) }),
    costRecorded('c-6', { amount: 0.25, currency: 'USD', projectId: 'p-1' }, { occurredAt: at(15) }),
    costRecorded('c-7', { amount: 5, currency: 'USD', projectId: 'p-2', storyId: 's-20' }, { occurredAt: at(16) }),
  ]);
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await t.close();
});

async function json(path: string) {
  const res = await t.get(path);
  return { status: res.status, body: (await res.json()) as unknown };
}

const S1_COST = {
  availability: 'available',
  totals: [
    { currency: 'EUR', amount: 2, events: 1 },
    { currency: 'USD', amount: 1.75, events: 2 },
  ],
  unpricedEvents: 1,
};
const NO_COST = { availability: 'unavailable', totals: [], unpricedEvents: 0 };

describe('story cost to date', () => {
  it("puts each card's cost on the board: per currency, unpriced counted, unavailable (not zero) without records", async () => {
    const board = kanbanBoardSchema.parse((await json('/api/v1/kanban/board?projectId=p-1')).body);
    const cards = new Map(board.columns.flatMap((c) => c.cards).map((s) => [s.id, s]));
    expect(cards.get('s-1')!.cost).toEqual(S1_COST);
    expect(cards.get('s-2')!.cost).toEqual({ availability: 'available', totals: [{ currency: 'USD', amount: 3, events: 1 }], unpricedEvents: 0 });
    expect(cards.get('s-3')!.cost).toEqual(NO_COST);
    expect(cards.get('s-4')!.cost).toEqual(NO_COST);
  });

  it('gives the same costs on the story list and the project context', async () => {
    const list = storyPageSchema.parse((await json('/api/v1/stories?projectId=p-1')).body);
    expect(Object.fromEntries(list.items.map((s) => [s.id, s.cost]))).toMatchObject({ 's-1': S1_COST, 's-3': NO_COST });
    const ctx = projectContextSchema.parse((await json('/api/v1/projects/p-1/context')).body);
    expect(ctx.stories.find((s) => s.id === 's-1')!.cost).toEqual(S1_COST);
  });
});

describe('GET /stories/:id', () => {
  it('serves the story with its runs, documents, cost by agent and model, and findings', async () => {
    const { status, body } = await json('/api/v1/stories/s-1');
    expect(status).toBe(200);
    const d = storyDetailSchema.parse(body);
    expect(d.story).toMatchObject({ id: 's-1', title: 'Login', status: 'in_progress', epic: 'Auth', cost: S1_COST, findings: [] });
    expect(d.workflows.map((w) => w.id)).toEqual(['wf-1']);
    expect(d.documents.map((x) => [x.id, x.title])).toEqual([['doc-s1', 'Story 1.1: Login']]);
    expect(d.costByAgentModel).toEqual([
      { agentId: 'qa', model: 'gpt-5', totals: [{ currency: 'EUR', amount: 2, events: 1 }], unpricedEvents: 0 },
      { agentId: 'dev', model: 'claude-sonnet-4-5', totals: [{ currency: 'USD', amount: 1.75, events: 2 }], unpricedEvents: 0 },
      { agentId: 'dev', model: 'mystery-model', totals: [], unpricedEvents: 1 },
    ]);
    expect(d.truncated).toEqual({ workflows: false, documents: false, history: false });
  });

  it('says a story without cost records has no cost, and 404s an unknown id', async () => {
    const d = storyDetailSchema.parse((await json('/api/v1/stories/s-4')).body);
    expect(d.story.cost).toEqual(NO_COST);
    expect(d.costByAgentModel).toEqual([]);
    expect(d.workflows).toEqual([]);
    const missing = await json('/api/v1/stories/nope');
    expect(missing.status).toBe(404);
    expect(errorBodySchema.parse(missing.body).error.code).toBe('not_found');
  });
});

describe('project cost and cost per done story', () => {
  it("divides the project's cost to date by its done stories, per currency", async () => {
    const p1 = projectSchema.parse((await json('/api/v1/projects/p-1')).body);
    expect(p1.cost).toEqual({
      availability: 'available',
      totals: [
        { currency: 'EUR', amount: 2, events: 1 },
        { currency: 'USD', amount: 5, events: 4 },
      ],
      unpricedEvents: 1,
    });
    expect(p1.doneStories).toBe(2);
    expect(p1.costPerDoneStory).toEqual({
      availability: 'available',
      reason: null,
      amounts: [
        { currency: 'EUR', amount: 1 },
        { currency: 'USD', amount: 2.5 },
      ],
    });
  });

  it('has no cost per done story without a done story, or without cost, on the list and the context', async () => {
    const page = projectPageSchema.parse((await json('/api/v1/projects')).body);
    const byId = new Map(page.items.map((p) => [p.id, p]));
    expect(byId.get('p-2')).toMatchObject({
      cost: { availability: 'available', totals: [{ currency: 'USD', amount: 5, events: 1 }], unpricedEvents: 0 },
      doneStories: 0,
      costPerDoneStory: { availability: 'unavailable', reason: 'no_done_stories', amounts: [] },
    });
    expect(byId.get('p-3')).toMatchObject({ cost: NO_COST, doneStories: 1, costPerDoneStory: { availability: 'unavailable', reason: 'no_cost', amounts: [] } });
    expect(byId.get('p-1')!.costPerDoneStory!.amounts).toEqual([
      { currency: 'EUR', amount: 1 },
      { currency: 'USD', amount: 2.5 },
    ]);
    const ctx = projectContextSchema.parse((await json('/api/v1/projects/p-2/context')).body);
    expect(ctx.project.costPerDoneStory).toEqual({ availability: 'unavailable', reason: 'no_done_stories', amounts: [] });
  });
});

describe('the cost breakdown by story names each story', () => {
  it('carries the story title beside its id, and null for records that name no story', async () => {
    const res = await json('/api/v1/costs/summary?window=custom&start=2026-11-28T00:00:00Z&end=2026-11-30T00:00:00Z&groupBy=story');
    expect(res.status).toBe(200);
    const rows = (res.body as { breakdown: { key: string | null; label: string | null }[] }).breakdown.map((b) => [b.key, b.label]);
    expect(rows).toEqual([
      ['s-1', 'Login'],
      ['s-2', 'Logout'],
      ['s-20', 'Invoices'],
      [null, null],
    ]);
  });
});

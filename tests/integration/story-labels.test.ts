import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costSummarySchema, type CostSummary } from '../../src/contracts/index.js';
import { fixedClock } from '../../src/server/clock.js';
import { at, costRecorded, projectUpserted, storyStatusChanged, storyUpserted } from '../support/events.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

// A cost breakdown by story or epic names its stories from memory while no story is written (StoryLabels): every
// story write must show in the next breakdown, whichever project the story is in, or none.
const clock = fixedClock(new Date('2026-11-29T12:00:00.000Z'));
let t: TestServer;
const epic = (key: string, title: string) => ({
  id: `evt-epic-${key}`,
  source: 'test',
  type: 'epic.upserted',
  occurredAt: at(0),
  entity: { type: 'epic', id: `e-${key}` },
  payload: { projectId: 'p-a', key, title, status: 'in_progress' },
});

beforeAll(async () => {
  t = await startTestServer({ clock });
  const res = await t.ingest([
    projectUpserted('p-a', { name: 'Alpha', status: 'in_progress' }),
    epic('1', 'Accounts'),
    epic('2', 'Payments'),
    storyUpserted('s-1', 'p-a', { title: 'Login', status: 'queued', epic: '1' }, { occurredAt: at(1) }),
    costRecorded('c-1', { projectId: 'p-a', storyId: 's-1', amount: 1 }, { occurredAt: at(2) }),
    costRecorded('c-2', { projectId: 'p-a', storyId: 's-orphan', amount: 2 }, { occurredAt: at(2) }),
  ]);
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await t.close();
});

async function summary(groupBy: 'story' | 'epic'): Promise<Record<string, string | null>> {
  const res = await t.get(`/api/v1/costs/summary?window=7d&groupBy=${groupBy}`);
  expect(res.status).toBe(200);
  const body: CostSummary = costSummarySchema.parse(await res.json());
  return Object.fromEntries(body.breakdown.map((b) => [b.key ?? 'none', b.label]));
}

describe('story labels kept in memory', () => {
  it('show a new title and a new epic on the next breakdown', async () => {
    expect(await summary('story')).toMatchObject({ 's-1': 'Login', 's-orphan': null });
    expect(await summary('epic')).toMatchObject({ 'p-a|1': 'Epic 1: Accounts' });
    await t.ingest([storyUpserted('s-1', 'p-a', { title: 'Sign in', status: 'queued', epic: '2' }, { occurredAt: at(3) })]);
    expect(await summary('story')).toMatchObject({ 's-1': 'Sign in' });
    const epics = await summary('epic');
    expect(epics).toMatchObject({ 'p-a|2': 'Epic 2: Payments' });
    expect(epics['p-a|1']).toBeUndefined();
  });

  it('show a story first seen without a project (a status change before its upsert), then named', async () => {
    await t.ingest([storyStatusChanged('s-orphan', 'in_progress', 'queued', { occurredAt: at(4) })]);
    expect(await summary('story')).toMatchObject({ 's-orphan': null });
    await t.ingest([storyUpserted('s-orphan', 'p-a', { title: 'Refunds', status: 'in_progress', epic: '2' }, { occurredAt: at(5) })]);
    expect(await summary('story')).toMatchObject({ 's-orphan': 'Refunds' });
  });
});

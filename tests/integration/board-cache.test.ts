import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kanbanBoardSchema, type KanbanBoard } from '../../src/contracts/index.js';
import { fixedClock } from '../../src/server/clock.js';
import { createCore } from '../../src/server/core.js';
import { createLogger } from '../../src/server/observability/logger.js';
import { at, costRecorded, projectUpserted, storyStatusChanged, storyUpserted } from '../support/events.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

// The board keeps a project's stories in memory while the project's board version is unchanged, and its serialized
// answer while nothing at all was written to the database: every way a board can change must still show on the next
// read, including a story leaving the project and a commit made by another process.
const clock = fixedClock(new Date('2026-11-29T12:00:00.000Z'));
let t: TestServer;

beforeAll(async () => {
  t = await startTestServer({ clock });
  const res = await t.ingest([
    projectUpserted('p-a', { name: 'Alpha', status: 'in_progress' }),
    projectUpserted('p-b', { name: 'Beta', status: 'in_progress' }),
    storyUpserted('s-1', 'p-a', { title: 'Login', status: 'queued' }, { occurredAt: at(1) }),
    storyUpserted('s-2', 'p-a', { title: 'Cart', status: 'queued' }, { occurredAt: at(2) }),
  ]);
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await t.close();
});

async function board(projectId: string): Promise<KanbanBoard> {
  const res = await t.get(`/api/v1/kanban/board?projectId=${projectId}`);
  expect(res.status).toBe(200);
  return kanbanBoardSchema.parse(await res.json());
}
// As a browser's HTTP cache revalidates: fetch() itself would add `cache-control: no-cache` to a request that carries
// a validator, which asks for a full answer.
const revalidate = (etag: string) => ({ headers: { authorization: `Bearer ${t.keys.read}`, 'if-none-match': etag, 'cache-control': 'max-age=0' } });
const cardsOf = (b: KanbanBoard) => Object.fromEntries(b.columns.flatMap((c) => c.cards.map((s) => [s.id, `${c.key}:${s.title}`])));

describe('the board read from memory', () => {
  it('shows a status change, a new title and a new story made after it was cached', async () => {
    expect(cardsOf(await board('p-a'))).toEqual({ 's-1': 'queued:Login', 's-2': 'queued:Cart' });
    expect(cardsOf(await board('p-a'))).toEqual({ 's-1': 'queued:Login', 's-2': 'queued:Cart' });
    await t.ingest([
      storyStatusChanged('s-1', 'in_progress', 'queued', { occurredAt: at(3) }),
      storyUpserted('s-2', 'p-a', { title: 'Basket', status: 'queued' }, { occurredAt: at(4) }),
      storyUpserted('s-3', 'p-a', { title: 'Pay', status: 'done' }, { occurredAt: at(5) }),
    ]);
    expect(cardsOf(await board('p-a'))).toEqual({ 's-1': 'in_progress:Login', 's-2': 'queued:Basket', 's-3': 'done:Pay' });
  });

  it('shows the project context the same stories as the board (one copy in memory for both)', async () => {
    const contextCards = async () => {
      const res = await t.get('/api/v1/projects/p-a/context');
      expect(res.status).toBe(200);
      const body = (await res.json()) as { stories: { id: string; title: string; status: string | null }[] };
      return Object.fromEntries(body.stories.map((s) => [s.id, `${s.status}:${s.title}`]));
    };
    expect(await contextCards()).toEqual({ 's-1': 'in_progress:Login', 's-2': 'queued:Basket', 's-3': 'done:Pay' });
    await t.ingest([storyUpserted('s-2', 'p-a', { title: 'Trolley', status: 'queued' }, { occurredAt: at(4.5) })]);
    expect(await contextCards()).toEqual({ 's-1': 'in_progress:Login', 's-2': 'queued:Trolley', 's-3': 'done:Pay' });
    expect(cardsOf(await board('p-a'))['s-2']).toBe('queued:Trolley');
  });

  it('drops a story that moved to another project from its former board', async () => {
    expect(cardsOf(await board('p-b'))).toEqual({});
    await t.ingest([storyUpserted('s-3', 'p-b', { title: 'Pay', status: 'done' }, { occurredAt: at(6) })]);
    expect(Object.keys(cardsOf(await board('p-a'))).sort()).toEqual(['s-1', 's-2']);
    expect(cardsOf(await board('p-b'))).toEqual({ 's-3': 'done:Pay' });
  });

  it('shows a cost that names a story, which is not a story event', async () => {
    const before = (await board('p-a')).columns.flatMap((c) => c.cards).find((s) => s.id === 's-1')!;
    expect(before.cost?.availability).toBe('unavailable');
    await t.ingest([costRecorded('c-1', { projectId: 'p-a', storyId: 's-1', amount: 1.25, currency: 'USD' }, { occurredAt: at(7) })]);
    const after = (await board('p-a')).columns.flatMap((c) => c.cards).find((s) => s.id === 's-1')!;
    expect(after.cost?.totals).toEqual([expect.objectContaining({ currency: 'USD', amount: 1.25 })]);
  });

  it('answers an unchanged board with the same bytes, and 304 to their validator', async () => {
    const first = await t.get('/api/v1/kanban/board?projectId=p-a');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^W\/"[0-9a-f]+-/);
    expect(first.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await first.text();
    const second = await t.get('/api/v1/kanban/board?projectId=p-a');
    expect(second.headers.get('etag')).toBe(etag);
    expect(await second.text()).toBe(text);
    const revalidated = await fetch(`${t.url}/api/v1/kanban/board?projectId=p-a`, revalidate(etag!));
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe('');
    await t.ingest([storyStatusChanged('s-2', 'in_progress', 'queued', { occurredAt: at(8) })]);
    const changed = await fetch(`${t.url}/api/v1/kanban/board?projectId=p-a`, revalidate(etag!));
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(cardsOf(kanbanBoardSchema.parse(await changed.json()))['s-2']).toBe('in_progress:Trolley');
  });

  it('shows what another process committed to the same database (a CLI import beside the server)', async () => {
    expect(cardsOf(await board('p-a'))['s-1']).toBe('in_progress:Login');
    const cli = await createCore(t.config, { clock, logger: createLogger('silent') });
    try {
      const r = await cli.ingestion.ingest([
        costRecorded('c-2', { projectId: 'p-a', storyId: 's-1', amount: 2, currency: 'USD' }, { occurredAt: at(9) }),
        storyUpserted('s-1', 'p-a', { title: 'Sign in', status: 'in_progress' }, { occurredAt: at(10) }),
      ]);
      expect(r.accepted).toBe(2);
    } finally {
      await cli.close();
    }
    const s1 = (await board('p-a')).columns.flatMap((c) => c.cards).find((s) => s.id === 's-1')!;
    expect(s1.title).toBe('Sign in');
    expect(s1.cost?.totals).toEqual([expect.objectContaining({ currency: 'USD', amount: 3.25 })]);
  });
});

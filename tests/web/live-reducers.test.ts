import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { buildBoard, type KanbanBoard, type Page, type Story, type Workflow } from '../../src/contracts/index.js';
import { keys } from '../../src/web/api/query-keys.js';
import type { WorkflowFilters } from '../../src/web/api/query-params.js';
import { applyStoryEvents } from '../../src/web/live/reducers/stories.reducer.js';
import { applyWorkflowEvents } from '../../src/web/live/reducers/workflows.reducer.js';
import { liveEvent, recordingContext } from '../support/live-events.js';

const wf = (id: string, status: Workflow['status'], at: string): Workflow => ({
  id,
  projectId: 'p',
  storyId: null,
  storyTitle: null,
  name: id,
  ownerId: null,
  agentId: null,
  status,
  lastTransitionAt: at,
  updatedAt: at,
  startedAt: null,
  endedAt: null,
  cost: null,
  sessions: [],
  // As the server serves a row: the event each half was built from.
  attrsVersion: { at, key: `fixture\n${id}` },
  statusVersion: { at, key: `fixture\n${id}` },
});

const ev = (type: Parameters<typeof liveEvent>[0], id: string, at: string, payload: unknown) => liveEvent(type, id, at, payload, 'workflow');
const context = () => recordingContext();

describe('live reducers (the browser side of "newest occurredAt wins")', () => {
  it('patches a listed workflow in place, ignores an older event, and re-reads a list whose membership changed', () => {
    const qc = new QueryClient();
    const filters: WorkflowFilters = { status: ['in_progress'], page: 1 };
    const key = [...keys.workflows, filters];
    qc.setQueryData<Page<Workflow>>(key, { items: [wf('w1', 'in_progress', '2026-11-29T10:00:00Z')], page: 1, pageSize: 50, total: 1 });
    const { ctx, invalidated, flashed } = context();

    // Older than what the list shows: a late arrival must not roll the row back.
    applyWorkflowEvents(qc, [ev('workflow.transitioned', 'w1', '2026-11-29T09:00:00Z', { from: 'queued', to: 'blocked' })], ctx);
    expect(qc.getQueryData<Page<Workflow>>(key)!.items[0]!.status).toBe('in_progress');
    expect(invalidated).not.toContainEqual(key);
    // A late transition still belongs in the timeline, though.
    expect(invalidated).toContainEqual(keys.transitions('w1'));

    applyWorkflowEvents(qc, [ev('workflow.transitioned', 'w1', '2026-11-29T11:00:00Z', { from: 'in_progress', to: 'failed', reason: 'tests failed' })], ctx);
    const row = qc.getQueryData<Page<Workflow>>(key)!.items[0]!;
    expect(row.status).toBe('failed');
    expect(row.lastTransitionAt).toBe('2026-11-29T11:00:00Z');
    // It no longer matches status=in_progress: the server decides the page again. Its timeline is re-read too.
    expect(invalidated).toContainEqual(key);
    expect(invalidated).toContainEqual(keys.transitions('w1'));
    expect(flashed).toContain('w1');
  });

  it('re-reads a list when a workflow it does not hold may belong on it', () => {
    const qc = new QueryClient();
    const key = [...keys.workflows, { status: [], page: 1 } satisfies WorkflowFilters];
    qc.setQueryData<Page<Workflow>>(key, { items: [], page: 1, pageSize: 50, total: 0 });
    const { ctx, invalidated } = context();
    applyWorkflowEvents(qc, [ev('workflow.upserted', 'w-new', '2026-11-29T11:00:00Z', { name: 'dev-story', status: 'queued' })], ctx);
    expect(invalidated).toContainEqual(key);
  });

  it("keeps a run's story title from the cached row, follows a story retitle, and drops it when the run names another story", () => {
    const qc = new QueryClient();
    const key = [...keys.workflows, { status: [], page: 1 } satisfies WorkflowFilters];
    qc.setQueryData<Page<Workflow>>(key, {
      items: [{ ...wf('w1', 'in_progress', '2026-11-29T10:00:00Z'), storyId: 's-1', storyTitle: 'Guest checkout' }],
      page: 1,
      pageSize: 50,
      total: 1,
    });
    qc.setQueryData<Workflow>(keys.workflow('w1'), { ...wf('w1', 'in_progress', '2026-11-29T10:00:00Z'), storyId: 's-1', storyTitle: 'Guest checkout' });
    const { ctx } = context();
    const row = () => qc.getQueryData<Page<Workflow>>(key)!.items[0]!;
    applyWorkflowEvents(qc, [ev('workflow.transitioned', 'w1', '2026-11-29T11:00:00Z', { from: 'in_progress', to: 'done' })], ctx);
    expect(row()).toMatchObject({ status: 'done', storyTitle: 'Guest checkout' });
    applyStoryEvents(
      qc,
      [liveEvent('story.upserted', 's-1', '2026-11-29T11:30:00Z', { projectId: 'p', title: 'Guest checkout on one page', status: 'done' }, 'story')],
      ctx,
    );
    expect(row().storyTitle).toBe('Guest checkout on one page');
    expect(qc.getQueryData<Workflow>(keys.workflow('w1'))!.storyTitle).toBe('Guest checkout on one page');
    applyWorkflowEvents(qc, [ev('workflow.upserted', 'w1', '2026-11-29T12:00:00Z', { name: 'w1', status: 'done', projectId: 'p', storyId: 's-2' })], ctx);
    expect(row()).toMatchObject({ storyId: 's-2', storyTitle: null });
  });

  it('moves a card to the column the server would put it in, leaving untouched cards as the same objects', () => {
    const qc = new QueryClient();
    const story = (id: string, status: Story['status'], kanbanColumn: string | null): Story => ({
      id,
      projectId: 'p',
      title: id,
      ownerId: null,
      status,
      kanbanColumn,
      epic: null,
      statusSince: '2026-11-29T10:00:00Z',
      updatedAt: '2026-11-29T10:00:00Z',
      details: null,
      findings: [],
      attrsVersion: { at: '2026-11-29T10:00:00Z', key: `fixture\n${id}` },
      statusVersion: { at: '2026-11-29T10:00:00Z', key: `fixture\n${id}` },
    });
    const s1 = story('s1', 'in_progress', 'review');
    const s2 = story('s2', 'queued', null);
    qc.setQueryData<KanbanBoard>(keys.board('p'), buildBoard('p', [s1, s2]));
    const { ctx } = context();

    applyStoryEvents(qc, [ev('story.status_changed', 's1', '2026-11-29T11:00:00Z', { from: 'in_progress', to: 'done' })], ctx);
    const board = qc.getQueryData<KanbanBoard>(keys.board('p'))!;
    const col = (k: string) => board.columns.find((c) => c.key === k);
    // A status change leaves the upstream "review" column, exactly as the server's projection does.
    expect(col('done')!.cards.map((c) => c.id)).toEqual(['s1']);
    expect(col('review')).toBeUndefined();
    expect(col('queued')!.cards[0]).toBe(s2);

    // An older upsert does not move it back.
    applyStoryEvents(qc, [ev('story.upserted', 's1', '2026-11-29T10:30:00Z', { projectId: 'p', title: 's1', status: 'blocked' })], ctx);
    expect(
      qc
        .getQueryData<KanbanBoard>(keys.board('p'))!
        .columns.find((c) => c.key === 'done')!
        .cards.map((c) => c.id),
    ).toEqual(['s1']);
  });
});

import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { Page, Project, StoryDetail } from '../../src/contracts/index.js';
import { keys, storyKeys } from '../../src/web/api/query-keys.js';
import type { ProjectFilters } from '../../src/web/api/query-params.js';
import { shareBoard } from '../../src/web/api/share-board.js';
import { applyCostEvents } from '../../src/web/live/reducers/costs.reducer.js';
import { applyProjectEvents } from '../../src/web/live/reducers/projects.reducer.js';
import { applyStoryEvents } from '../../src/web/live/reducers/stories.reducer.js';
import { buildBoard, type Story } from '../../src/contracts/index.js';
import { liveEvent, recordingContext } from '../support/live-events.js';

const AT = '2026-11-29T11:00:00.000Z';
const usd = (amount: number) => ({ availability: 'available' as const, totals: [{ currency: 'USD', amount, events: 1 }], unpricedEvents: 0 });

const story = (id: string, cost = usd(1)): Story => ({
  id,
  projectId: 'p-1',
  title: id,
  ownerId: null,
  status: 'in_progress',
  kanbanColumn: null,
  epic: null,
  statusSince: '2026-11-29T10:00:00.000Z',
  updatedAt: '2026-11-29T10:00:00.000Z',
  details: null,
  findings: [],
  cost,
  attrsVersion: { at: '2026-11-29T10:00:00.000Z', key: `fixture\n${id}` },
  statusVersion: { at: '2026-11-29T10:00:00.000Z', key: `fixture\n${id}` },
});

describe('live cost of stories and projects', () => {
  it('a cost naming its story and project re-reads that story page, that board, that project page and the project list', () => {
    const { ctx, invalidated, flashed } = recordingContext();
    applyCostEvents([liveEvent('cost.recorded', 'c-1', AT, { amount: 0.25, currency: 'USD', storyId: 's-1', projectId: 'p-1' }, 'cost')], ctx);
    expect(invalidated).toEqual(expect.arrayContaining([keys.costs, storyKeys.detail('s-1'), keys.board('p-1'), keys.projectContext('p-1'), keys.projects]));
    expect(invalidated).not.toContainEqual(['kanban']);
    expect(flashed).toEqual(expect.arrayContaining(['s-1', 'p-1']));
  });

  it('a cost whose story is not in its payload re-reads every board and story page on screen', () => {
    const { ctx, invalidated } = recordingContext();
    applyCostEvents([liveEvent('cost.recorded', 'c-2', AT, { amount: 1, currency: 'EUR' }, 'cost')], ctx);
    expect(invalidated).toEqual(expect.arrayContaining([['kanban'], storyKeys.all, ['project-context'], keys.projects]));
  });

  it("a re-read board whose only change is a card's cost gives that card a new object, so it re-renders", () => {
    const before = buildBoard('p-1', [story('s-1', usd(1)), story('s-2', usd(2))]);
    const after = buildBoard('p-1', [story('s-1', usd(1.25)), story('s-2', usd(2))]);
    const shared = shareBoard(before, after) as typeof before;
    const cards = shared.columns.flatMap((c) => c.cards);
    expect(cards.find((c) => c.id === 's-1')!.cost).toEqual(usd(1.25));
    expect(cards.find((c) => c.id === 's-2')).toBe(before.columns.flatMap((c) => c.cards).find((c) => c.id === 's-2'));
  });

  it('a project event keeps the cost figures the server counted; a story status change re-reads project costs', () => {
    const qc = new QueryClient();
    const filters: ProjectFilters = { status: [], page: 1 };
    const project: Project = {
      id: 'p-1',
      name: 'P',
      ownerId: null,
      status: 'in_progress',
      progressPct: null,
      dueAt: null,
      riskFlag: false,
      overdue: false,
      updatedAt: '2026-11-29T10:00:00.000Z',
      cost: usd(4),
      doneStories: 2,
      costPerDoneStory: { availability: 'available', reason: null, amounts: [{ currency: 'USD', amount: 2 }] },
      details: null,
      rowVersion: { at: '2026-11-29T10:00:00.000Z', key: 'fixture\np-1' },
    };
    qc.setQueryData<Page<Project>>([...keys.projects, filters], { items: [project], page: 1, pageSize: 50, total: 1 });
    const { ctx, invalidated } = recordingContext();
    applyProjectEvents(qc, [liveEvent('project.upserted', 'p-1', AT, { name: 'Renamed', status: 'in_progress' }, 'project')], ctx);
    const next = qc.getQueryData<Page<Project>>([...keys.projects, filters])!.items[0]!;
    expect(next).toMatchObject({ name: 'Renamed', cost: usd(4), doneStories: 2, costPerDoneStory: project.costPerDoneStory });

    const detail: StoryDetail = {
      story: story('s-1', usd(3)),
      workflows: [],
      documents: [],
      costByAgentModel: [],
      history: [],
      truncated: { workflows: false, documents: false, history: false },
    };
    qc.setQueryData(storyKeys.detail('s-1'), detail);
    applyStoryEvents(qc, [liveEvent('story.status_changed', 's-1', AT, { from: 'in_progress', to: 'done' }, 'story')], ctx);
    // The story page follows the move and keeps the cost it read.
    expect(qc.getQueryData<StoryDetail>(storyKeys.detail('s-1'))!.story).toMatchObject({ status: 'done', cost: usd(3) });
    expect(invalidated).toContainEqual(keys.projects);
  });
});

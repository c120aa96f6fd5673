import type { QueryClient } from '@tanstack/react-query';
import { buildBoard, compareVersions, type KanbanBoard, type Page, type Story, type StoryDetail, type Workflow } from '../../../contracts/index.js';
import type { ProjectContext } from '../../api/queries.js';
import { keys, storyKeys } from '../../api/query-keys.js';
import { foldStory, versionOfMessage, type TypedEvent } from './fold.js';
import type { ReducerContext } from './reducer.js';

const foldAll = (s: Story | undefined, evs: readonly TypedEvent[]) => evs.reduce<Story | undefined>((acc, e) => foldStory(acc, e), s);

/** A story's new title reaches the workflow rows that name it (their storyTitle is read with them, not in workflow events). */
function retitleWorkflows(qc: QueryClient, events: readonly TypedEvent[]): void {
  const titles = new Map<string, string>();
  const oldestFirst = [...events].sort((a, b) => compareVersions(versionOfMessage(a), versionOfMessage(b)));
  for (const e of oldestFirst) if (e.eventType === 'story.upserted') titles.set(e.entityId, e.payload.title);
  if (titles.size === 0) return;
  const retitle = (w: Workflow): Workflow => {
    const title = w.storyId ? titles.get(w.storyId) : undefined;
    return title !== undefined && title !== w.storyTitle ? { ...w, storyTitle: title } : w;
  };
  for (const [queryKey, page] of qc.getQueriesData<Page<Workflow>>({ queryKey: keys.workflows })) {
    const items = page?.items.map(retitle);
    if (page && items?.some((w, i) => w !== page.items[i])) qc.setQueryData(queryKey, { ...page, items });
  }
  for (const [queryKey, w] of qc.getQueriesData<Workflow>({ queryKey: keys.workflowAll })) {
    // ['workflow', id] holds the run; ['workflow', id, 'transitions'] its timeline, left alone.
    if (queryKey.length === 2 && w && retitle(w) !== w) qc.setQueryData(queryKey, retitle(w));
  }
}

/**
 * Story events re-lay the board with the same buildBoard the server uses, so a card lands in exactly the column a
 * reload would show. A board is rebuilt once per batch, not once per event.
 */
export function applyStoryEvents(qc: QueryClient, events: readonly TypedEvent[], ctx: ReducerContext): void {
  const touched = new Map<string, TypedEvent[]>();
  for (const e of events) {
    // A story page lists the story's findings, which a consistency report replaces wholesale.
    if (e.eventType === 'consistency.reported') ctx.invalidate(storyKeys.all);
    if (e.eventType !== 'story.upserted' && e.eventType !== 'story.status_changed') continue;
    touched.set(e.entityId, [...(touched.get(e.entityId) ?? []), e]);
  }
  applyEpicEvents(events, ctx);
  if (touched.size === 0) return;
  // Its history (and the records of its status) are the server's to tell: the story's page re-reads, as do the flow
  // charts on screen and the transitions behind an open point (a status change moves a story between columns; an
  // upsert can change its epic). Coalesced, and only what is on screen.
  for (const id of touched.keys()) ctx.invalidate(storyKeys.detail(id));
  ctx.invalidate(['flow']);
  ctx.invalidate(['flow-sources']);
  retitleWorkflows(qc, events);

  for (const [queryKey, board] of qc.getQueriesData<KanbanBoard>({ queryKey: keys.boards })) {
    if (!board) continue;
    const cards = new Map<string, Story>();
    for (const col of board.columns) for (const card of col.cards) cards.set(card.id, card);
    let changed = false;
    for (const [id, evs] of touched) {
      const next = foldAll(cards.get(id), evs);
      // A card we do not hold joins this board only when an upsert says it is this project's.
      if (!next || next.projectId !== board.projectId) continue;
      if (!cards.has(id) && next.title === null) {
        ctx.invalidate(queryKey);
        continue;
      }
      cards.set(id, next);
      changed = true;
    }
    if (changed) qc.setQueryData(queryKey, buildBoard(board.projectId, [...cards.values()]));
  }

  for (const [queryKey, context] of qc.getQueriesData<ProjectContext>({ queryKey: keys.projectContexts })) {
    if (!context) continue;
    let changed = false;
    const stories = context.stories.map((s) => {
      const evs = touched.get(s.id);
      if (!evs) return s;
      changed = true;
      return foldAll(s, evs)!;
    });
    const known = new Set(context.stories.map((s) => s.id));
    if (
      [...touched.keys()].some(
        (id) => !known.has(id) && touched.get(id)!.some((e) => e.eventType === 'story.upserted' && e.payload.projectId === context.project.id),
      )
    )
      ctx.invalidate(queryKey);
    if (changed) qc.setQueryData(queryKey, { ...context, stories });
  }
  for (const [id, evs] of touched) {
    const detail = qc.getQueryData<StoryDetail>(storyKeys.detail(id));
    // Folded like a card; its cost, runs and documents are not in story events and stay as read.
    if (detail) qc.setQueryData<StoryDetail>(storyKeys.detail(id), { ...detail, story: foldAll(detail.story, evs)! });
  }

  // A story reaching or leaving done changes its project's done count, so its cost per done story: the server recounts.
  if (events.some((e) => e.eventType === 'story.status_changed' || e.eventType === 'story.upserted')) {
    ctx.invalidate(keys.projects);
    const projects = new Set<string>();
    for (const evs of touched.values()) for (const e of evs) if (e.eventType === 'story.upserted') projects.add(e.payload.projectId);
    for (const [, context] of qc.getQueriesData<ProjectContext>({ queryKey: keys.projectContexts })) {
      if (context?.stories.some((s) => touched.has(s.id))) projects.add(context.project.id);
    }
    for (const p of projects) ctx.invalidate(keys.projectContext(p));
  }
  ctx.flash(touched.keys());
}

/**
 * Epics are listed on their project's page (status, BMAD status, retrospective): an upsert names its project, a status
 * change does not, so it re-reads the project pages on screen.
 */
function applyEpicEvents(events: readonly TypedEvent[], ctx: ReducerContext): void {
  for (const e of events) {
    if (e.eventType === 'epic.upserted') ctx.invalidate(keys.projectContext(e.payload.projectId));
    else if (e.eventType === 'epic.status_changed') ctx.invalidate(['project-context']);
  }
}

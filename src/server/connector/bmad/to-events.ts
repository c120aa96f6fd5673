import { createHash } from 'node:crypto';
import type { ConsistencyFinding, EventType, Module, Status } from '../../../contracts/index.js';
import type { BmadSnapshot, BmadStory } from './model.js';

export const CONNECTOR_SOURCE = 'bmad-connector';

/** An event as the ingestion API takes it. */
export interface ConnectorEvent {
  id: string;
  source: string;
  type: EventType;
  occurredAt: string;
  entity: { type: string; id: string };
  projectId?: string | null;
  storyId?: string | null;
  workflowId?: string | null;
  payload: Record<string, unknown>;
}

const iso = (ms: number) => new Date(Math.max(0, Math.floor(ms))).toISOString();

/** Entity ids are derived from BMAD's own keys, so the same project imported twice lands on the same rows. */
export const ids = {
  project: (pk: string) => `bmad:${pk}`,
  story: (pk: string, key: string) => `bmad:${pk}:story:${key}`,
  workflow: (pk: string, key: string) => `bmad:${pk}:wf:${key}`,
  document: (pk: string, path: string) => `bmad:${pk}:doc:${createHash('sha256').update(path).digest('hex').slice(0, 24)}`,
  agent: (role: string) => `bmad-agent-${role}`,
};

/**
 * The event id is a hash of everything the event says: an unchanged entity re-imported gives the same id (a
 * duplicate, never a copy), a changed one a new id. That is what makes re-imports and watcher replays idempotent.
 */
function event(type: EventType, entityType: string, entityId: string, occurredAt: string, payload: Record<string, unknown>, context: Partial<ConnectorEvent> = {}): ConnectorEvent {
  const digest = createHash('sha256').update(JSON.stringify([type, entityId, occurredAt, payload, context])).digest('hex').slice(0, 40);
  return { id: `bmad-${digest}`, source: CONNECTOR_SOURCE, type, occurredAt, entity: { type: entityType, id: entityId }, ...context, payload };
}

/** The same event at a later instant (with the id that content implies). */
export function retimed(e: ConnectorEvent, occurredAt: string): ConnectorEvent {
  const { id: _id, source: _source, type, occurredAt: _at, entity, payload, ...context } = e;
  return event(type, entity.type, entity.id, occurredAt, payload, context);
}

const AGENTS: Record<string, { name: string; type: string }> = {
  analyst: { name: 'Mary (Analyst)', type: 'analyst' },
  pm: { name: 'John (Product Manager)', type: 'pm' },
  architect: { name: 'Winston (Architect)', type: 'architect' },
  'ux-designer': { name: 'Sally (UX Designer)', type: 'ux-designer' },
  sm: { name: 'Bob (Scrum Master)', type: 'sm' },
  dev: { name: 'Amelia (Developer)', type: 'dev' },
  qa: { name: 'Quinn (QA)', type: 'qa' },
};

/** Who runs each planning workflow (BMAD v6 agent roles). */
const PLANNING_AGENT: Record<string, string> = {
  'create-product-brief': 'analyst',
  'create-prd': 'pm',
  'create-ux-design': 'ux-designer',
  'create-architecture': 'architect',
  'create-epics-and-stories': 'pm',
  'check-implementation-readiness': 'architect',
};

type StoryStage = 'backlog' | 'ready' | 'dev' | 'review' | 'done' | 'other';

function stageOf(s: BmadStory): StoryStage {
  const c = s.column.toLowerCase().replace(/[\s_]+/g, '-');
  if (c === 'backlog' || c === 'draft') return 'backlog';
  if (c === 'ready-for-dev' || c === 'approved') return 'ready';
  if (c === 'in-progress' || c === 'inprogress') return 'dev';
  if (c === 'review' || c === 'in-review') return 'review';
  if (s.status === 'done') return 'done';
  return 'other';
}

/**
 * The runs BMAD's story lifecycle implies: the scrum master's create-story makes the file, the developer's dev-story
 * takes it to review, the reviewer's code-review takes it to done (or back to in-progress).
 */
function storyWorkflows(s: BmadStory): { key: string; role: string; status: Status }[] {
  const stage = stageOf(s);
  const out: { key: string; role: string; status: Status }[] = [];
  if (stage === 'backlog') return out;
  out.push({ key: 'create-story', role: 'sm', status: 'done' });
  if (stage === 'ready') return out;
  if (stage === 'dev') out.push({ key: 'dev-story', role: 'dev', status: 'in_progress' });
  if (stage === 'review') out.push({ key: 'dev-story', role: 'dev', status: 'done' }, { key: 'code-review', role: 'qa', status: 'in_progress' });
  if (stage === 'done') out.push({ key: 'dev-story', role: 'dev', status: 'done' }, { key: 'code-review', role: 'qa', status: 'done' });
  return out;
}

function projectStatus(stories: readonly BmadStory[]): Status {
  if (stories.length === 0) return 'queued';
  if (stories.every((s) => s.status === 'done' || s.status === 'canceled')) return 'done';
  if (stories.some((s) => s.status !== 'queued')) return 'in_progress';
  return 'queued';
}

export interface SnapshotEvents {
  events: ConnectorEvent[];
  /** Entity id → event id, to find what changed since the last emission. */
  byEntity: Map<string, string>;
}

/** Turns one scan of a BMAD project into the events that describe it completely. */
export function snapshotToEvents(snap: BmadSnapshot, opts: { removedStories?: BmadStory[]; removedDocuments?: string[]; now: Date }): ConnectorEvent[] {
  const pk = snap.projectKey;
  const projectId = ids.project(pk);
  const newest = Math.max(0, ...snap.stories.map((s) => s.mtimeMs), ...snap.documents.map((d) => d.mtimeMs), ...snap.planning.map((p) => p.mtimeMs));
  const events: ConnectorEvent[] = [];
  const epicTitle = new Map(snap.epics.map((e) => [e.key, e.title ? `Epic ${e.key}: ${e.title}` : `Epic ${e.key}`]));
  const counted = snap.stories.filter((s) => s.status !== 'canceled');
  const done = counted.filter((s) => s.status === 'done').length;

  for (const [role, a] of Object.entries(AGENTS)) events.push(event('agent.upserted', 'agent', ids.agent(role), iso(0), { name: a.name, type: a.type, ownerTeam: 'BMAD' }));

  events.push(
    event('project.upserted', 'project', projectId, iso(newest), {
      name: snap.projectName,
      status: projectStatus(snap.stories),
      // Progress = done stories / stories; unknown (null), not 0 %, when the project has no stories yet.
      progressPct: counted.length === 0 ? null : Math.round((1000 * done) / counted.length) / 10,
    }),
  );

  const storyEvent = (s: BmadStory, status: Status, column: string | null) => {
    const storyId = ids.story(pk, s.key);
    return event(
      'story.upserted',
      'story',
      storyId,
      iso(s.mtimeMs),
      {
        projectId,
        title: s.title,
        status,
        kanbanColumn: column,
        epic: s.epicKey ? (epicTitle.get(s.epicKey) ?? `Epic ${s.epicKey}`) : null,
        details: { key: s.key, tasksDone: s.tasksDone, tasksTotal: s.tasksTotal, agentModel: s.agentModel, file: s.file, sourceStatus: s.sourceStatus },
      },
      { projectId },
    );
  };
  for (const s of snap.stories) {
    events.push(storyEvent(s, s.status, s.column));
    for (const w of storyWorkflows(s)) {
      const storyId = ids.story(pk, s.key);
      events.push(
        event(
          'workflow.upserted',
          'workflow',
          ids.workflow(pk, `${s.key}:${w.key}`),
          iso(s.mtimeMs),
          { projectId, storyId, name: `${w.key} ${s.key}`, agentId: ids.agent(w.role), status: w.status },
          { projectId, storyId },
        ),
      );
    }
  }
  // A story whose file is gone (and that sprint-status.yaml no longer lists) is canceled, not silently dropped.
  for (const s of opts.removedStories ?? []) events.push(storyEvent({ ...s, mtimeMs: opts.now.getTime() }, 'canceled', null));

  for (const p of snap.planning) {
    events.push(
      event('workflow.upserted', 'workflow', ids.workflow(pk, `plan:${p.workflow}`), iso(p.mtimeMs), {
        projectId,
        name: p.workflow,
        agentId: ids.agent(PLANNING_AGENT[p.workflow] ?? 'pm'),
        status: p.complete ? 'done' : 'in_progress',
      }, { projectId }),
    );
  }

  for (const d of snap.documents) {
    events.push(
      event(
        'document.registered',
        'document',
        ids.document(pk, d.path),
        iso(d.mtimeMs),
        {
          projectId,
          storyId: d.storyKey ? ids.story(pk, d.storyKey) : null,
          title: d.title.slice(0, 500) || d.path,
          mimeType: d.mimeType,
          root: pk,
          path: d.path,
          checksum: d.checksum,
          sizeBytes: d.sizeBytes,
          kind: d.kind,
        },
        { projectId },
      ),
    );
  }
  for (const path of opts.removedDocuments ?? []) {
    events.push(event('document.removed', 'document', ids.document(pk, path), opts.now.toISOString(), { reason: `${path} was deleted` }, { projectId }));
  }

  const findings: ConsistencyFinding[] = [...snap.findings, ...snap.errors].slice(0, 5000).map((f) => ({
    kind: f.kind,
    storyId: f.storyKey ? ids.story(pk, f.storyKey) : null,
    file: f.file,
    line: f.line,
    message: f.message.slice(0, 1000) || 'problem',
    expected: f.expected ?? null,
    actual: f.actual ?? null,
  }));
  events.push(event('consistency.reported', 'project', projectId, iso(newest), { findings }, { projectId }));
  return events;
}

/** Sync health per module: failed, with the file and line, while any file of the project cannot be read. */
export function syncEvents(snap: BmadSnapshot, now: Date, expectedIntervalMs: number | null): ConnectorEvent[] {
  const error = snap.errors.length === 0 ? null : snap.errors.slice(0, 5).map((e) => `${e.file}${e.line ? `:${e.line}` : ''}: ${e.message}`).join('; ').slice(0, 4000);
  const modules: Module[] = ['project', 'story', 'workflow', 'document'];
  return modules.map((module) =>
    event('sync.reported', 'sync', `${ids.project(snap.projectKey)}:${module}`, now.toISOString(), {
      module,
      status: error ? 'failed' : 'ok',
      ...(error ? { error } : {}),
      ...(expectedIntervalMs ? { expectedIntervalMs } : {}),
    }),
  );
}

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  STATUS_MODEL,
  ingestResponseSchema,
  projectSchema,
  storyDetailSchema,
  workflowSchema,
  type EventMessage,
  type Project,
  type Status,
  type Story,
  type Workflow,
} from '../../src/contracts/index.js';
import { foldProject, foldStory, foldWorkflow, typed } from '../../src/web/live/reducers/fold.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';

/**
 * The browser folds live events onto rows it read from the server; the server folds the same events into its read
 * models. Whatever order each side sees them in, they must end up showing the same thing.
 */

// Three minutes and two sources for a handful of entities: same-instant events about one entity are the common case.
const instant = fc.integer({ min: 0, max: 2 }).map((m) => new Date(Date.UTC(2026, 10, 29, 8, m)).toISOString());
const source = fc.constantFrom('src-1', 'src-2');
const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs);
const WORKFLOWS = ['wf-a', 'wf-b'] as const;
const STORIES = ['s-a', 's-b'] as const;
const PROJECTS = ['p-a', 'p-b'] as const;
const projectId = pick(PROJECTS);

function transitions(entity: 'workflow' | 'story') {
  const pairs: [Status, Status][] = [];
  for (const [from, tos] of Object.entries(STATUS_MODEL[entity].transitions)) for (const to of tos ?? []) pairs.push([from as Status, to]);
  return pick(pairs);
}

// Ids of projects and stories in payloads are namespaced per run with the entities (see `scoped`).
const eventBody = fc.oneof(
  fc.record({
    type: fc.constant('workflow.upserted'),
    entity: pick(WORKFLOWS),
    payload: fc.record({
      name: fc.constantFrom('build', 'review'),
      status: pick(STATUS_MODEL.workflow.statuses),
      projectId,
      storyId: pick([...STORIES, null]),
      ownerId: fc.constantFrom('u-1', null),
      agentId: fc.constantFrom('ag-1', null),
    }),
  }),
  fc.record({ type: fc.constant('workflow.transitioned'), entity: pick(WORKFLOWS), payload: transitions('workflow').map(([from, to]) => ({ from, to })) }),
  fc.record({
    type: fc.constant('story.upserted'),
    entity: pick(STORIES),
    payload: fc.record({
      projectId,
      title: fc.constantFrom('T1', 'T2'),
      status: pick(STATUS_MODEL.story.statuses),
      kanbanColumn: fc.constantFrom('review', null),
      epic: fc.constantFrom('E1', null),
      ownerId: fc.constantFrom('u-1', null),
    }),
  }),
  fc.record({ type: fc.constant('story.status_changed'), entity: pick(STORIES), payload: transitions('story').map(([from, to]) => ({ from, to })) }),
  fc.record({
    type: fc.constant('project.upserted'),
    entity: pick(PROJECTS),
    payload: fc.record({
      name: fc.constantFrom('Alpha', 'Beta'),
      status: pick(STATUS_MODEL.project.statuses),
      progressPct: fc.constantFrom(null, 40),
      dueAt: fc.constantFrom(null, '2020-01-01T00:00:00.000Z', '2099-01-01T00:00:00.000Z'),
      riskFlag: fc.boolean(),
    }),
  }),
);

const eventSet = fc.uniqueArray(fc.record({ n: fc.nat(10_000), source, occurredAt: instant, body: eventBody }), {
  minLength: 1,
  maxLength: 30,
  selector: (e) => `${e.source}/${e.n}`,
});
type EventSpec = typeof eventSet extends fc.Arbitrary<(infer T)[]> ? T : never;

/** The envelope as a sender posts it, every id prefixed with the run's namespace so runs share one server. */
function scoped(ns: string, e: EventSpec): Record<string, unknown> {
  const payload: Record<string, unknown> = { ...e.body.payload };
  for (const key of ['projectId', 'storyId'] as const) if (typeof payload[key] === 'string') payload[key] = ns + (payload[key] as string);
  const entityType = e.body.type.split('.')[0]!;
  return { id: `${ns}e-${e.n}`, source: e.source, type: e.body.type, occurredAt: e.occurredAt, entity: { type: entityType, id: ns + e.body.entity }, payload };
}

/** Fisher-Yates driven by fast-check's stream, so a failure shrinks and replays. */
function shuffled<T>(xs: readonly T[], seeds: Iterable<number>): T[] {
  const out = [...xs];
  const it = seeds[Symbol.iterator]();
  for (let i = out.length - 1; i > 0; i--) {
    const j = it.next().value! % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

interface Rows {
  workflows: Map<string, Workflow>;
  stories: Map<string, Story>;
  projects: Map<string, Project>;
}

// What the browser's folds maintain, the version each part was built from included (the next event is compared with
// it); the rest (cost, sessions, findings, story titles on runs) comes from elsewhere.
const WORKFLOW_FIELDS = [
  'id',
  'projectId',
  'storyId',
  'name',
  'ownerId',
  'agentId',
  'status',
  'lastTransitionAt',
  'updatedAt',
  'startedAt',
  'endedAt',
  'attrsVersion',
  'statusVersion',
] as const;
const STORY_FIELDS = [
  'id',
  'projectId',
  'title',
  'ownerId',
  'status',
  'kanbanColumn',
  'epic',
  'statusSince',
  'updatedAt',
  'details',
  'attrsVersion',
  'statusVersion',
] as const;
const PROJECT_FIELDS = ['id', 'name', 'ownerId', 'status', 'progressPct', 'dueAt', 'riskFlag', 'overdue', 'updatedAt', 'details', 'rowVersion'] as const;

function fields<T extends object>(rows: ReadonlyMap<string, T>, keys: readonly (keyof T)[]): Record<string, Partial<T>> {
  const out: Record<string, Partial<T>> = {};
  for (const [id, row] of [...rows].sort(([a], [b]) => (a < b ? -1 : 1))) out[id] = Object.fromEntries(keys.map((k) => [k, row[k]])) as Partial<T>;
  return out;
}

const view = (r: Rows) => ({
  workflows: fields(r.workflows, WORKFLOW_FIELDS),
  stories: fields(r.stories, STORY_FIELDS),
  projects: fields(r.projects, PROJECT_FIELDS),
});

let t: TestServer;
let ws: TestWsClient;
let run = 0;

beforeAll(async () => {
  t = await startTestServer({ config: { realtime: { heartbeatIntervalMs: 600_000 } } });
  ws = await TestWsClient.authed(t.url, t.keys.read, ['workflow', 'story', 'project']);
});

afterAll(async () => {
  ws?.ws.close();
  await t?.close();
});

/** The rows a browser would read over REST, parsed with the same schemas the web app uses. */
async function read(ns: string): Promise<Rows> {
  const one = async <T>(path: string, parse: (body: unknown) => T): Promise<T | undefined> => {
    const res = await t.get(`/api/v1/${path}`);
    if (res.status === 404) return undefined;
    expect(res.status, path).toBe(200);
    return parse(await res.json());
  };
  const rows: Rows = { workflows: new Map(), stories: new Map(), projects: new Map() };
  for (const id of WORKFLOWS) {
    const w = await one(`workflows/${ns}${id}`, (b) => workflowSchema.parse(b));
    if (w) rows.workflows.set(w.id, w);
  }
  for (const id of STORIES) {
    const s = await one(`stories/${ns}${id}`, (b) => storyDetailSchema.parse(b).story);
    if (s) rows.stories.set(s.id, s);
  }
  for (const id of PROJECTS) {
    const p = await one(`projects/${ns}${id}`, (b) => projectSchema.parse(b));
    if (p) rows.projects.set(p.id, p);
  }
  return rows;
}

async function ingest(events: readonly Record<string, unknown>[]): Promise<number[]> {
  if (events.length === 0) return [];
  const res = ingestResponseSchema.parse(await (await t.ingest([...events])).json());
  expect(res.rejected, JSON.stringify(res.results)).toBe(0);
  return res.results.map((r) => (r.status === 'rejected' ? -1 : r.eventId));
}

/** The event messages the gateway sent for these events, as a subscribed browser received them. */
async function delivered(eventIds: readonly number[]): Promise<EventMessage[]> {
  const wanted = new Set(eventIds);
  await ws.waitFor((m) => m.type === 'event' && m.eventId === Math.max(...eventIds));
  return ws.messages.filter((m): m is EventMessage => m.type === 'event' && wanted.has(m.eventId));
}

function fold(start: Rows, messages: readonly EventMessage[], now: number): Rows {
  const rows: Rows = { workflows: new Map(start.workflows), stories: new Map(start.stories), projects: new Map(start.projects) };
  for (const msg of messages) {
    const e = typed(msg);
    if (!e) throw new Error(`the browser refused ${JSON.stringify(msg)}`);
    const w = foldWorkflow(rows.workflows.get(e.entityId), e);
    if (w) rows.workflows.set(e.entityId, w);
    const s = foldStory(rows.stories.get(e.entityId), e);
    if (s) rows.stories.set(e.entityId, s);
    const p = foldProject(rows.projects.get(e.entityId), e, now);
    if (p) rows.projects.set(e.entityId, p);
  }
  return rows;
}

describe('the browser folds live events into what the server shows', () => {
  it('whatever order each side sees them in, and whatever the browser read before they arrived', async () => {
    await fc.assert(
      fc.asyncProperty(eventSet, fc.infiniteStream(fc.nat()), fc.infiniteStream(fc.nat()), fc.nat(), async (specs, serverSeeds, browserSeeds, cutSeed) => {
        const ns = `r${++run}-`;
        const server = shuffled(
          specs.map((s) => scoped(ns, s)),
          serverSeeds,
        );
        // The browser reads its rows once part of the events are in, and then receives all of them (those it read
        // already included arrive too: a read racing the stream cannot be told apart from one that followed it).
        const cut = cutSeed % (server.length + 1);
        const first = await ingest(server.slice(0, cut));
        const snapshot = await read(ns);
        const rest = await ingest(server.slice(cut));
        const messages = await delivered([...first, ...rest]);
        expect(messages).toHaveLength(server.length);
        const browser = fold(snapshot, shuffled(messages, browserSeeds), Date.now());
        expect(view(browser)).toEqual(view(await read(ns)));
      }),
      { numRuns: 100 },
    );
  });
});

/**
 * What the web bench puts on the server: the browser tests' small workspace (for /workflows), a 2,000-card project
 * `p-big` and a 50-card project `p-small` (both with epics), and the live stream of story events for the
 * responsiveness phase.
 */
import { ingestResponseSchema, STATUS_MODEL, type Status } from '../../src/contracts/index.js';
import type { TestServer } from '../../tests/support/test-server.js';
import { workspaceEvents } from '../../tests/browser/support/workspace.js';

/** The big board's size: issue 17 asks for 2,000 cards (`BENCH_WEB_BIG_CARDS` to try others). */
export const BIG = { projectId: 'p-big', prefix: 'big-', cards: Number(process.env.BENCH_WEB_BIG_CARDS ?? 2000) } as const;
export const SMALL = { projectId: 'p-small', prefix: 'small-', cards: 50 } as const;
/** The workspace's own project: the neutral board every timed switch starts from. */
export const NEUTRAL = { projectId: 'p-checkout', prefix: 's-', cards: 8 } as const;
export type BoardSpec = typeof BIG | typeof SMALL | typeof NEUTRAL;

const EPICS = ['Epic 1: Onboarding', 'Epic 2: Search', 'Epic 3: Checkout', 'Epic 4: Payments', 'Epic 5: Reporting'];
const OWNERS = ['u-ada', 'u-linus', null];
/** Roughly how a real board fills up: most cards waiting or done, fewer in flight, a few blocked or canceled. */
const STATUS_MIX: Status[] = ['queued', 'queued', 'queued', 'in_progress', 'in_progress', 'blocked', 'done', 'done', 'done', 'canceled'];

export interface SeedStory {
  id: string;
  projectId: string;
  title: string;
  epic: string | null;
  ownerId: string | null;
  status: Status;
}

type BenchEvent = { id: string; source: string; type: string; occurredAt: string; entity: { type: string; id: string }; payload: Record<string, unknown> };

let seq = 0;
const runTag = Date.now().toString(36);
const eventId = () => `bench-web-${runTag}-${++seq}`;
const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

function storiesOf(spec: BoardSpec, withoutEpicEvery: number): SeedStory[] {
  return Array.from({ length: spec.cards }, (_, i) => ({
    id: `${spec.prefix}${String(i + 1).padStart(3, '0')}`,
    projectId: spec.projectId,
    title: `${spec === BIG ? 'Large' : 'Small'} board story ${i + 1}: ${['sign-up flow', 'search filters', 'saved carts', 'refund API', 'CSV export'][i % 5]}`,
    // Every n-th card has no epic, so the "No epic" group is on the board too.
    epic: i % withoutEpicEvery === withoutEpicEvery - 1 ? null : EPICS[Math.floor(i / 7) % EPICS.length]!,
    ownerId: OWNERS[i % OWNERS.length]!,
    status: STATUS_MIX[(i * 7) % STATUS_MIX.length]!,
  }));
}

export interface Seed {
  big: SeedStory[];
  small: SeedStory[];
}

function upsert(s: SeedStory, occurredAt: string): BenchEvent {
  return {
    id: eventId(),
    source: 'bench-web',
    type: 'story.upserted',
    occurredAt,
    entity: { type: 'story', id: s.id },
    payload: { projectId: s.projectId, title: s.title, ownerId: s.ownerId, status: s.status, epic: s.epic },
  };
}

export async function ingest(t: TestServer, events: readonly unknown[]): Promise<void> {
  const res = await t.ingest([...events]);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${text.slice(0, 300)}`);
  const body = ingestResponseSchema.parse(JSON.parse(text));
  if (body.accepted !== events.length) throw new Error(`ingest accepted ${body.accepted} of ${events.length}: ${text.slice(0, 300)}`);
}

/** Seeds the server (at most 1,000 events per request, the API's limit) and returns the stories it created. */
export async function seed(t: TestServer): Promise<Seed> {
  const big = storiesOf(BIG, 9);
  const small = storiesOf(SMALL, 9);
  const projectEvent = (id: string, name: string): BenchEvent => ({
    id: eventId(),
    source: 'bench-web',
    type: 'project.upserted',
    occurredAt: ago(400),
    entity: { type: 'project', id },
    payload: { name, status: 'in_progress', ownerId: 'u-ada', progressPct: 40 },
  });
  const events: unknown[] = [
    ...workspaceEvents(),
    projectEvent(BIG.projectId, `Large board (${BIG.cards} cards)`),
    projectEvent(SMALL.projectId, 'Small board (50 cards)'),
    ...[...big, ...small].map((s, i) => upsert(s, ago(300 - i * 0.25))),
  ];
  for (let i = 0; i < events.length; i += 1000) await ingest(t, events.slice(i, i + 1000));
  return { big, small };
}

/** A small deterministic PRNG (mulberry32), so every run streams the same sequence of moves. */
function rng(seedValue: number): () => number {
  let a = seedValue >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Live story events for the board: alternately `story.upserted` with a new status and `story.status_changed` along an
 * allowed transition (src/contracts/status-model.ts), each with a fresh, strictly increasing occurredAt so the newest
 * one always wins the conflict rule. Tracks each story's status so every `from` is the one the board shows.
 */
export class StoryStream {
  private readonly next = rng(20261129);
  private readonly status = new Map<string, Status>();
  private lastAt = 0;
  private count = 0;

  constructor(private readonly stories: readonly SeedStory[]) {
    for (const s of stories) this.status.set(s.id, s.status);
  }

  batch(size: number): BenchEvent[] {
    const picked = new Set<SeedStory>();
    for (let guard = 0; picked.size < Math.min(size, this.stories.length) && guard < size * 20; guard++) {
      picked.add(this.stories[Math.floor(this.next() * this.stories.length)]!);
    }
    return [...picked].map((s) => {
      this.lastAt = Math.max(Date.now(), this.lastAt + 1);
      const occurredAt = new Date(this.lastAt).toISOString();
      const from = this.status.get(s.id)!;
      const useUpsert = this.count++ % 2 === 0;
      const choices = useUpsert ? STATUS_MODEL.story.statuses.filter((x) => x !== from) : (STATUS_MODEL.story.transitions[from] ?? []);
      const to = choices[Math.floor(this.next() * choices.length)]!;
      this.status.set(s.id, to);
      if (useUpsert) return upsert({ ...s, status: to }, occurredAt);
      return { id: eventId(), source: 'bench-web', type: 'story.status_changed', occurredAt, entity: { type: 'story', id: s.id }, payload: { from, to } };
    });
  }
}

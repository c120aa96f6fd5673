import type net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TOPIC_OF_EVENT, type ResyncCompleteMessage, type ServerMessage, type Topic, type WelcomeMessage } from '../../src/contracts/index.js';
import {
  agentUpserted,
  costRecorded,
  projectUpserted,
  storyStatusChanged,
  storyUpserted,
  userUpserted,
  workflowTransitioned,
  workflowUpserted,
} from '../support/events.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';
import { between, eventsOf, ingestAccepted, mark, roundTrip, streamViolations, type IngestedEvent } from './support.js';

/**
 * The replay table of Centrifuge's recovery suite, against the real gateway: what a resync_request answers for each
 * kind of client position, and the ordering contract (eventId / prevEventId) on every connection.
 */

const open: TestWsClient[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

const dbFile = (t: TestServer) => path.join(t.dataDir, 'bmad-ops.sqlite');

function readDb<T>(t: TestServer, q: (db: Database.Database) => T): T {
  const db = new Database(dbFile(t), { readonly: true });
  try {
    return q(db);
  } finally {
    db.close();
  }
}

const headOf = (t: TestServer) => readDb(t, (db) => (db.prepare('select coalesce(max(id), 0) as head from domain_events').get() as { head: number }).head);

async function subscribed(t: TestServer, topics: Topic[]): Promise<{ c: TestWsClient; epoch: string; position: number }> {
  const c = await TestWsClient.authed(t.url, t.keys.read);
  open.push(c);
  const welcome = c.messages[0] as WelcomeMessage;
  expect(welcome.type).toBe('welcome');
  const from = mark(c);
  c.send({ type: 'subscribe', topics });
  const done = await c.waitFor<ResyncCompleteMessage>((m) => m.type === 'resync_complete', 5000, from);
  expect(done).toMatchObject({ recovered: false, reason: 'subscribe', fromEventId: 0 });
  return { c, epoch: welcome.epoch, position: done.toEventId };
}

/** Sends a resync_request and returns everything the server sent for it, ending with its resync_complete. */
async function resync(c: TestWsClient, lastAckEventId: number, epoch: string): Promise<{ answer: ServerMessage[]; done: ResyncCompleteMessage }> {
  const from = mark(c);
  c.send({ type: 'resync_request', lastAckEventId, epoch });
  const done = await c.waitFor<ResyncCompleteMessage>((m) => m.type === 'resync_complete', 10_000, from);
  return { answer: between(c, from, done), done };
}

/** The two ways to ask for a replay: on a live connection, or when reconnecting (subscribe with resumeFrom). */
type Via = 'resync_request' | 'resumeFrom';
const VIAS: Via[] = ['resync_request', 'resumeFrom'];

/** A fresh connection asks for a replay from `lastAck`; returns everything the server sent for it, ending with its resync_complete. */
async function recover(
  t: TestServer,
  via: Via,
  topics: Topic[],
  lastAck: number,
  epochOverride?: string,
): Promise<{ c: TestWsClient; epoch: string; answer: ServerMessage[]; done: ResyncCompleteMessage }> {
  if (via === 'resync_request') {
    const { c, epoch } = await subscribed(t, topics);
    return { c, epoch, ...(await resync(c, lastAck, epochOverride ?? epoch)) };
  }
  const c = await TestWsClient.authed(t.url, t.keys.read);
  open.push(c);
  const epoch = (c.messages[0] as WelcomeMessage).epoch;
  const from = mark(c);
  c.send({ type: 'subscribe', topics, resumeFrom: { lastAckEventId: lastAck, epoch: epochOverride ?? epoch } });
  const done = await c.waitFor<ResyncCompleteMessage>((m) => m.type === 'resync_complete', 10_000, from);
  return { c, epoch, answer: between(c, from, done), done };
}

/**
 * After a heartbeat round trip nothing more can be in flight for an earlier request: returns what came after `done`,
 * leaving out heartbeats and the stale/sync pushes (stale.test.ts covers those).
 */
async function afterSettled(c: TestWsClient, done: ServerMessage): Promise<ServerMessage[]> {
  await roundTrip(c);
  return c.messages.slice(c.messages.indexOf(done) + 1).filter((m) => m.type !== 'heartbeat' && m.type !== 'stale_state' && m.type !== 'sync_status');
}

const shape = (answer: ServerMessage[]) => answer.map((m) => (m.type === 'snapshot' ? `snapshot:${m.module}@${m.version}` : m.type));

const expectSound = (c: TestWsClient) => expect(streamViolations(c.messages)).toEqual([]);

describe('replay of an empty stream', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(VIAS)('recovers position 0 with nothing to send (%s)', async (via) => {
    const { c, answer, done } = await recover(t, via, ['workflow', 'story', 'cost', 'sync'], 0);
    expect(answer).toEqual([{ type: 'resync_complete', recovered: true, fromEventId: 1, toEventId: 0 }]);
    expect(await afterSettled(c, done)).toEqual([]);
    expectSound(c);
  });
});

describe('replay from a position', () => {
  let t: TestServer;
  let log: IngestedEvent[] = [];
  const head = () => log.at(-1)!.eventId;
  /** What a client subscribed to `topics` missed after `position`, in sequence order. */
  const missed = (topics: Topic[], position: number) =>
    log.filter((e) => e.eventId > position && topics.includes(TOPIC_OF_EVENT[e.type])).map((e) => e.eventId);

  beforeAll(async () => {
    t = await startTestServer();
    log = await ingestAccepted(t, [projectUpserted('p-1'), agentUpserted('a-0')]);
    // Several requests, each interleaving every topic, so a topic's events are never contiguous in the log.
    for (let batch = 0; batch < 3; batch++) {
      const events = [];
      for (let i = 0; i < 4; i++) {
        const n = `${batch}-${i}`;
        events.push(
          workflowUpserted(`wf-${n}`, { projectId: 'p-1' }),
          storyUpserted(`s-${n}`, 'p-1'),
          costRecorded(`c-${n}`, { projectId: 'p-1' }),
          i % 2 === 0 ? userUpserted(`u-${n}`) : agentUpserted(`a-${n}`),
          workflowTransitioned(`wf-${n}`, 'queued', 'in_progress'),
          storyStatusChanged(`s-${n}`, 'in_progress', 'queued'),
        );
      }
      log.push(...(await ingestAccepted(t, events)));
    }
    // The ingest responses must describe the whole log, or they are no oracle for it.
    const rows = readDb(t, (db) => db.prepare('select id, event_type from domain_events order by id').all() as { id: number; event_type: string }[]);
    expect(rows.map((r) => [r.id, r.event_type])).toEqual(log.map((e) => [e.eventId, e.type]));
  });
  afterAll(async () => {
    await t.close();
  });

  it('sends the welcome epoch of the database', async () => {
    const { epoch } = await subscribed(t, ['workflow']);
    const stored = readDb(t, (db) => (db.prepare("select value from meta where key = 'epoch'").get() as { value: string }).value);
    expect(epoch).toBe(stored);
  });

  const table: { topics: Topic[]; position: number }[] = [
    { topics: ['workflow', 'cost'], position: 0 },
    { topics: ['workflow', 'cost'], position: 9 },
    { topics: ['agent'], position: 3 },
    { topics: ['story', 'project'], position: 20 },
    { topics: ['workflow', 'story', 'cost', 'agent', 'project'], position: 37 },
  ];
  describe.each(VIAS)('via %s', (via) => {
    it.each(table)('replays exactly the missed events of $topics after $position, in order', async ({ topics, position }) => {
      const { c, epoch, answer, done } = await recover(t, via, topics, position);
      const replayed = eventsOf(answer);
      expect(
        answer.slice(0, -1).every((m) => m.type === 'event'),
        'only events precede resync_complete',
      ).toBe(true);
      expect(replayed.map((e) => e.eventId)).toEqual(missed(topics, position));
      expect(replayed.length).toBeGreaterThan(0);
      const sent = new Map(log.map((e) => [e.eventId, e]));
      for (const e of replayed) {
        expect(e.eventType).toBe(sent.get(e.eventId)!.type);
        // Its sender and id: how a client breaks an occurredAt tie as the server did.
        expect({ source: e.source, sourceEventId: e.sourceEventId }).toEqual({
          source: sent.get(e.eventId)!.source,
          sourceEventId: sent.get(e.eventId)!.sourceEventId,
        });
        expect(e.module).toBe(TOPIC_OF_EVENT[e.eventType]);
        expect(e.epoch).toBe(epoch);
        expect(e.lineageRef).toBe(`event:${e.eventId}`);
      }
      expect(replayed[0]!.prevEventId).toBe(position);
      expect(done).toEqual({ type: 'resync_complete', recovered: true, fromEventId: position + 1, toEventId: head() });
      expect(await afterSettled(c, done)).toEqual([]);
      expectSound(c);
    });

    it('sends nothing for a client already at the head', async () => {
      const { c, answer, done } = await recover(t, via, ['workflow', 'story'], head());
      expect(answer).toEqual([{ type: 'resync_complete', recovered: true, fromEventId: head() + 1, toEventId: head() }]);
      expect(await afterSettled(c, done)).toEqual([]);
      expectSound(c);
    });

    it('sends nothing when only other topics moved since the position', async () => {
      // Every event after the last project event belongs to another topic.
      const lastProject = log.filter((e) => TOPIC_OF_EVENT[e.type] === 'project').at(-1)!.eventId;
      const { c, answer } = await recover(t, via, ['project'], lastProject);
      expect(answer).toEqual([{ type: 'resync_complete', recovered: true, fromEventId: lastProject + 1, toEventId: head() }]);
      expectSound(c);
    });

    it('answers a position ahead of the head with snapshots, not events', async () => {
      const { c, answer, done } = await recover(t, via, ['workflow', 'cost'], head() + 3);
      expect(shape(answer)).toEqual([`snapshot:workflow@${head()}`, `snapshot:cost@${head()}`, 'resync_complete']);
      expect(done).toEqual({ type: 'resync_complete', recovered: false, reason: 'ahead_of_head', fromEventId: head() + 4, toEventId: head() });
      expect(eventsOf(await afterSettled(c, done))).toEqual([]);
      expectSound(c);
    });

    it('answers another epoch with snapshots and no event messages', async () => {
      const { c, answer, done } = await recover(t, via, ['story', 'agent'], 5, 'some-other-epoch');
      expect(shape(answer)).toEqual([`snapshot:story@${head()}`, `snapshot:agent@${head()}`, 'resync_complete']);
      expect(done).toEqual({ type: 'resync_complete', recovered: false, reason: 'epoch_changed', fromEventId: 6, toEventId: head() });
      expect(eventsOf(c.messages)).toEqual([]);
      expect(eventsOf(await afterSettled(c, done))).toEqual([]);
      expectSound(c);
    });
  });

  it('replays the payloads as stored', async () => {
    const { answer } = await recover(t, 'resync_request', ['cost'], 0);
    const stored = readDb(
      t,
      (db) =>
        db.prepare("select id, entity_id, occurred_at_utc, payload_json from domain_events where event_type = 'cost.recorded' order by id").all() as {
          id: number;
          entity_id: string;
          occurred_at_utc: string;
          payload_json: string;
        }[],
    );
    expect(eventsOf(answer).map((e) => ({ id: e.eventId, entityId: e.entityId, occurredAt: e.occurredAt, payload: e.payload }))).toEqual(
      stored.map((r) => ({ id: r.id, entityId: r.entity_id, occurredAt: r.occurred_at_utc, payload: JSON.parse(r.payload_json) as unknown })),
    );
  });

  it('continues live from the recovered position without a gap', async () => {
    const topics: Topic[] = ['workflow'];
    const position = 30;
    const { c, done } = await recover(t, 'resumeFrom', topics, position);
    expect(done.toEventId).toBe(head());
    const more = await ingestAccepted(t, [workflowUpserted('wf-live-1'), storyUpserted('s-live-1', 'p-1'), workflowUpserted('wf-live-2')]);
    log.push(...more);
    await c.waitFor((m) => m.type === 'event' && m.eventId === more[2]!.eventId);
    const live = eventsOf(c.messages.slice(c.messages.indexOf(done) + 1));
    expect(live.map((e) => [e.eventId, e.prevEventId])).toEqual([
      [more[0]!.eventId, done.toEventId],
      [more[2]!.eventId, more[0]!.eventId],
    ]);
    expect(eventsOf(c.messages).map((e) => e.eventId)).toEqual(missed(topics, position));
    expectSound(c);
  });
});

describe('replay over the replay limit', () => {
  const replayLimit = 5;
  let t: TestServer;
  let log: IngestedEvent[] = [];
  const head = () => log.at(-1)!.eventId;
  beforeAll(async () => {
    t = await startTestServer({ config: { realtime: { replayLimit } } });
    log = await ingestAccepted(
      t,
      Array.from({ length: 12 }, (_, i) => (i % 3 === 2 ? storyUpserted(`s-${i}`, 'p-x') : workflowUpserted(`wf-${i}`))),
    );
  });
  afterAll(async () => {
    await t.close();
  });

  describe.each(VIAS)('via %s', (via) => {
    it('still replays a gap of exactly the limit', async () => {
      const { c, answer, done } = await recover(t, via, ['workflow', 'story'], head() - replayLimit);
      expect(eventsOf(answer).map((e) => e.eventId)).toEqual(log.slice(-replayLimit).map((e) => e.eventId));
      expect(done).toEqual({ type: 'resync_complete', recovered: true, fromEventId: head() - replayLimit + 1, toEventId: head() });
      expectSound(c);
    });

    it.each([{ behind: replayLimit + 1 }, { behind: 12 }])('sends snapshots with gap_too_large when $behind events behind', async ({ behind }) => {
      const lastAck = head() - behind;
      const { c, answer, done } = await recover(t, via, ['workflow', 'story'], lastAck);
      expect(eventsOf(answer)).toEqual([]);
      expect(shape(answer)).toEqual([`snapshot:workflow@${head()}`, `snapshot:story@${head()}`, 'resync_complete']);
      const workflows = answer.find((m) => m.type === 'snapshot' && m.module === 'workflow') as Extract<ServerMessage, { type: 'snapshot' }>;
      expect((workflows.data as { items: { id: string }[] }).items.map((w) => w.id).sort()).toEqual(
        log.flatMap((e, i) => (e.type === 'workflow.upserted' ? [`wf-${i}`] : [])).sort(),
      );
      expect(done).toEqual({ type: 'resync_complete', recovered: false, reason: 'gap_too_large', fromEventId: lastAck + 1, toEventId: head() });
      expect(eventsOf(await afterSettled(c, done))).toEqual([]);
      expectSound(c);
    });
  });
});

describe('replay from a pruned position', () => {
  let t: TestServer;
  let log: IngestedEvent[] = [];
  const head = () => log.at(-1)!.eventId;
  const prunedUpTo = 6;
  beforeAll(async () => {
    t = await startTestServer();
    // Upserts of projects and stories have no dependent rows, so deleting them is all a retention job would do.
    log = await ingestAccepted(t, [
      ...Array.from({ length: 6 }, (_, i) => projectUpserted(`p-${i}`)),
      ...Array.from({ length: 4 }, (_, i) => storyUpserted(`s-${i}`, 'p-0')),
      ...Array.from({ length: 5 }, (_, i) => workflowUpserted(`wf-${i}`)),
    ]);
    expect(log.map((e) => e.eventId)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    const db = new Database(dbFile(t));
    try {
      db.pragma('busy_timeout = 5000');
      expect(db.prepare('delete from domain_events where id <= ?').run(prunedUpTo).changes).toBe(prunedUpTo);
    } finally {
      db.close();
    }
    expect(headOf(t)).toBe(15);
  });
  afterAll(async () => {
    await t.close();
  });

  describe.each(VIAS)('via %s', (via) => {
    it.each([{ lastAck: prunedUpTo - 1 }, { lastAck: 0 }, { lastAck: 2 }])('sends snapshots with reason pruned from position $lastAck', async ({ lastAck }) => {
      const { c, answer, done } = await recover(t, via, ['project', 'story', 'workflow'], lastAck);
      expect(eventsOf(answer)).toEqual([]);
      expect(shape(answer)).toEqual([`snapshot:project@${head()}`, `snapshot:story@${head()}`, `snapshot:workflow@${head()}`, 'resync_complete']);
      expect(done).toEqual({ type: 'resync_complete', recovered: false, reason: 'pruned', fromEventId: lastAck + 1, toEventId: head() });
      expect(eventsOf(await afterSettled(c, done))).toEqual([]);
      expectSound(c);
    });

    it('replays from the position just before the oldest retained event', async () => {
      const { c, answer, done } = await recover(t, via, ['project', 'story', 'workflow'], prunedUpTo);
      expect(eventsOf(answer).map((e) => e.eventId)).toEqual(log.filter((e) => e.eventId > prunedUpTo).map((e) => e.eventId));
      expect(done).toEqual({ type: 'resync_complete', recovered: true, fromEventId: prunedUpTo + 1, toEventId: head() });
      expectSound(c);
    });
  });
});

describe('live events committed during a replay', () => {
  let t: TestServer;
  const log: IngestedEvent[] = [];
  const topics: Topic[] = ['workflow', 'story'];
  const inTopics = (e: IngestedEvent) => topics.includes(TOPIC_OF_EVENT[e.type]);
  const pad = (s: string, n: number) => `${s}-${'x'.repeat(n)}`.slice(0, n);
  /** About 1.2 kB per workflow event on the wire, so a replay of the log is several megabytes. */
  const bulky = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) =>
      i % 25 === 24
        ? costRecorded(`c-${prefix}-${i}`)
        : workflowUpserted(pad(`wf-${prefix}-${i}`, 128), {
            name: pad(`workflow ${prefix} ${i}`, 200),
            projectId: pad('p', 128),
            storyId: pad('s', 128),
            ownerId: pad('o', 128),
            agentId: pad('a', 128),
          }),
    );
  const mixed = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => {
      const id = `${prefix}-${i}`;
      return i % 3 === 0 ? workflowUpserted(`wf-${id}`) : i % 3 === 1 ? storyUpserted(`s-${id}`, 'p-1') : costRecorded(`c-${id}`);
    });

  beforeAll(async () => {
    t = await startTestServer();
    for (let b = 0; b < 16; b++) log.push(...(await ingestAccepted(t, bulky(`pre${b}`, 500))));
  });
  afterAll(async () => {
    await t.close();
  });

  it('holds them back until resync_complete, then sends them in order, exactly once', async () => {
    const { c, epoch, position } = await subscribed(t, topics);
    expect(position).toBe(log.at(-1)!.eventId);
    const start = mark(c);
    // The client stops reading, so the replay fills the socket buffers and the server waits for it to drain in the
    // middle of the replay: everything committed now is committed while the replay runs.
    const socket = (c.ws as unknown as { _socket: net.Socket })._socket;
    socket.pause();
    c.send({ type: 'resync_request', lastAckEventId: 0, epoch });
    const live: IngestedEvent[] = [];
    for (let b = 0; b < 5; b++) live.push(...(await ingestAccepted(t, mixed(`live${b}`, 12))));
    // Answered at once, so it lands among the replayed events if the replay was still running.
    c.send({ type: 'heartbeat', ts: 42 });
    socket.resume();
    const lastLive = live.filter(inTopics).at(-1)!.eventId;
    await c.waitFor((m) => m.type === 'event' && m.eventId === lastLive, 15_000, start);

    const received = c.messages.slice(start);
    const doneIndex = received.findIndex((m) => m.type === 'resync_complete');
    const done = received[doneIndex] as ResyncCompleteMessage;
    expect(done).toEqual({ type: 'resync_complete', recovered: true, fromEventId: 1, toEventId: position });
    const beat = received.findIndex((m) => m.type === 'heartbeat' && m.ts === 42);
    expect(beat, 'the live events were committed while the replay was still being sent').toBeLessThan(doneIndex);
    expect((received[beat] as Extract<ServerMessage, { type: 'heartbeat' }>).lastEventId).toBeLessThan(position);

    expect(eventsOf(received.slice(0, doneIndex)).map((e) => e.eventId)).toEqual(log.filter(inTopics).map((e) => e.eventId));
    const after = eventsOf(received.slice(doneIndex + 1));
    expect(after.map((e) => e.eventId)).toEqual(live.filter(inTopics).map((e) => e.eventId));
    expect(after[0]!.prevEventId).toBe(done.toEventId);
    expectSound(c);
    log.push(...live);
  });

  it('stays gap-free and duplicate-free while ingestion runs concurrently with the request', async () => {
    const { c, epoch } = await subscribed(t, topics);
    const start = mark(c);
    const pending = Array.from({ length: 40 }, (_, b) => ingestAccepted(t, mixed(`conc${b}`, 15)));
    log.push(...(await pending[0]!));
    c.send({ type: 'resync_request', lastAckEventId: 0, epoch });
    for (const p of pending.slice(1)) log.push(...(await p));
    log.sort((a, b) => a.eventId - b.eventId);
    const last = log.filter(inTopics).at(-1)!.eventId;
    await c.waitFor((m) => m.type === 'event' && m.eventId === last, 15_000, start);

    const received = c.messages.slice(start);
    const doneIndex = received.findIndex((m) => m.type === 'resync_complete');
    const done = received[doneIndex] as ResyncCompleteMessage;
    expect(done).toMatchObject({ recovered: true, fromEventId: 1 });
    // Live events sent before the server took up the request were superseded by the rewind to 0: count from there.
    const replayStart = received.findIndex((m) => m.type === 'event' && m.prevEventId === 0);
    expect(replayStart).toBeGreaterThanOrEqual(0);
    expect(replayStart).toBeLessThan(doneIndex);
    expect(received.slice(0, replayStart).every((m) => m.type === 'event')).toBe(true);
    const replayed = eventsOf(received.slice(replayStart, doneIndex));
    const live = eventsOf(received.slice(doneIndex + 1));
    expect(replayed.map((e) => e.eventId)).toEqual(log.filter((e) => inTopics(e) && e.eventId <= done.toEventId).map((e) => e.eventId));
    expect(live.map((e) => e.eventId)).toEqual(log.filter((e) => inTopics(e) && e.eventId > done.toEventId).map((e) => e.eventId));
    expect(streamViolations(c.messages, { allowRewind: true })).toEqual([]);
  });
});

import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ingestResponseSchema, parseIncomingEvent, type IngestResponse } from '../../src/contracts/index.js';
import { fixedClock } from '../../src/server/clock.js';
import { configSchema } from '../../src/server/config.js';
import { createCore, type Core } from '../../src/server/core.js';
import { WriteLockTimeoutError } from '../../src/server/db/write-transaction.js';
import { storageFailureOf } from '../../src/server/db/storage-failure.js';
import { EventWriter, WriterThreadExitedError, type StoredEvent } from '../../src/server/modules/events/index.js';
import { contentHash } from '../../src/server/modules/events/content-hash.js';
import { commitRound, type RoundCommitter } from '../../src/server/modules/events/round-commit.js';
import { fromWriterError, toWriterError } from '../../src/server/modules/events/writer-thread/messages.js';
import { createProjectionEngine } from '../../src/server/projections.js';
import { at, costRecorded, projectUpserted, storyStatusChanged, storyUpserted, workflowTransitioned, workflowUpserted } from '../support/events.js';
import { openTestDb } from '../support/test-db.js';
import { startTestServer, tempDir, type TestServer } from '../support/test-server.js';

// Rounds committed on the writer's worker thread (ingest.writerThread 'worker', the embedded default) against the
// same rounds on the main thread: the same answers, the same rows, the same pushes.

const servers: TestServer[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(writerThread: 'worker' | 'main'): Promise<{ t: TestServer; published: StoredEvent[] }> {
  const t = await startTestServer({ backend: 'sqlite', clock: fixedClock(new Date('2026-12-01T09:00:00.000Z')), config: { ingest: { writerThread } } });
  servers.push(t);
  const published: StoredEvent[] = [];
  t.server.core.publisher.subscribe((events) => published.push(...events));
  return { t, published };
}

async function ingest(t: TestServer, events: unknown[]): Promise<IngestResponse> {
  const res = await t.ingest(events);
  expect([200, 207]).toContain(res.status);
  return ingestResponseSchema.parse(await res.json());
}

/** Every row of the tables these events reach, in a fixed order. */
async function rows(t: TestServer): Promise<Record<string, unknown[]>> {
  const db = openTestDb(t.dataDir);
  try {
    const out: Record<string, unknown[]> = {};
    for (const table of [
      'domain_events',
      'projects',
      'stories',
      'status_transitions',
      'workflows',
      'workflow_transitions',
      'cost_events',
      'cost_rollup_hourly',
    ])
      out[table] = await db.all(`select * from ${table} order by 1, 2, 3`);
    // Each server has its own ingest key: the sender is stored with every event, under that key's id.
    const senders = new Set((out.domain_events as { sent_by: string }[]).map((r) => r.sent_by));
    expect([...senders]).toEqual([expect.stringMatching(/^key:/)]);
    out.domain_events = (out.domain_events as { sent_by: string }[]).map((r) => ({ ...r, sent_by: 'the ingest key' }));
    return out;
  } finally {
    await db.close();
  }
}

/** Rounds that exercise dedup (within a round and across), a conflict, several projections and the pricing table. */
function rounds(): unknown[][] {
  const story = storyUpserted('s-wt', 'p-wt');
  const flow = workflowUpserted('wf-wt', { projectId: 'p-wt', storyId: 's-wt' });
  const priced = costRecorded('c-wt', {
    amount: undefined,
    currency: undefined,
    projectId: 'p-wt',
    model: 'claude-sonnet-4-5',
    tokens: { input: 1000, output: 200 },
  });
  return [
    [projectUpserted('p-wt'), story, flow, story],
    [
      flow,
      workflowTransitioned('wf-wt', 'queued', 'in_progress', { occurredAt: at(5) }),
      storyStatusChanged('s-wt', 'in_progress', 'queued', { occurredAt: at(6) }),
      priced,
    ],
    [{ ...flow, payload: { ...flow.payload, name: 'changed' } }, costRecorded('c-wt-2', { projectId: 'p-wt' }, { occurredAt: at(9) }), priced],
  ];
}

describe('the writer thread', () => {
  it('answers, stores, projects and publishes exactly as the main thread does', async () => {
    const threaded = await server('worker');
    const plain = await server('main');
    const post = Worker.prototype.postMessage;
    const sent = vi.spyOn(Worker.prototype, 'postMessage').mockImplementation(function (this: Worker, message: unknown) {
      post.call(this, message);
    });
    const plan = rounds();
    for (const events of plan) {
      const [a, b] = [await ingest(threaded.t, events), await ingest(plain.t, events)];
      expect(a).toEqual(b);
    }
    const answers = await ingest(threaded.t, plan[2]!);
    expect(answers.results.map((r) => r.status)).toEqual(['rejected', 'duplicate', 'duplicate']);
    await ingest(plain.t, plan[2]!);

    const [a, b] = [await rows(threaded.t), await rows(plain.t)];
    expect(a.domain_events).toHaveLength(7);
    expect(a.cost_events!.length).toBe(2);
    expect(a).toEqual(b);
    // Every round of the threaded server went through its thread; none of the other's did.
    expect(sent.mock.calls.filter(([m]) => (m as { type?: string }).type === 'commit')).toHaveLength(plan.length + 1);
    expect(threaded.published).toEqual(plain.published);
    expect(threaded.published.map((e) => e.sourceEventId)).toEqual(
      (a.domain_events as { source_event_id: string; source_system: string }[]).filter((r) => r.source_system === 'test').map((r) => r.source_event_id),
    );
    // The lock wait of each threaded round reaches the metric, as the main thread's does.
    const waits = await threaded.t.server.core.metrics.sqliteWriteLockWait.get();
    expect(waits.values.find((v) => v.metricName?.endsWith('_count'))?.value).toBeGreaterThanOrEqual(plan.length + 1);
  });

  it('refuses the round of a thread that died with 503, starts a new one, and leaves every event stored once and published once', async () => {
    const { t, published } = await server('worker');
    await ingest(t, [projectUpserted('p-dies')]); // the thread is up
    const post = Worker.prototype.postMessage;
    vi.spyOn(Worker.prototype, 'postMessage').mockImplementation(function (this: Worker, message: unknown) {
      post.call(this, message);
      if ((message as { type?: string }).type === 'commit') void this.terminate();
    });
    const events = [workflowUpserted('wf-dies', { projectId: 'p-dies' }), storyUpserted('s-dies', 'p-dies')];
    const refused = await t.ingest(events);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('writer_restarting');
    vi.restoreAllMocks();

    const again = await ingest(t, events);
    expect(again.rejected).toBe(0);
    expect(again.accepted + again.duplicates).toBe(2);
    const db = openTestDb(t.dataDir);
    try {
      const stored = await db.all<{ source_event_id: string }>("select source_event_id from domain_events where source_system = 'test' order by id");
      expect(stored.map((r) => r.source_event_id)).toEqual([expect.any(String), ...events.map((e) => e.id)]);
      // Whether or not the dead thread had committed, what is stored went out once, in order.
      expect(published.map((e) => e.sourceEventId)).toEqual(stored.map((r) => r.source_event_id));
    } finally {
      await db.close();
    }
  });
});

describe('a writer thread that keeps dying', () => {
  it('is given up after three exits in a row: the next rounds commit on the main thread', async () => {
    const { t, published } = await server('worker');
    const post = Worker.prototype.postMessage;
    vi.spyOn(Worker.prototype, 'postMessage').mockImplementation(function (this: Worker, message: unknown) {
      post.call(this, message);
      if ((message as { type?: string }).type === 'commit') void this.terminate();
    });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await t.ingest([workflowUpserted(`wf-keeps-dying-${i}`)])).status);
    expect(statuses).toEqual([503, 503, 503, 200]);
    expect(await ingest(t, [workflowUpserted('wf-after')])).toMatchObject({ accepted: 1 });
    const commits = vi.mocked(Worker.prototype.postMessage).mock.calls.filter(([m]) => (m as { type?: string }).type === 'commit');
    expect(commits).toHaveLength(3);
    // A thread may have committed before it was stopped: whatever is stored was published, once and in order.
    const db = openTestDb(t.dataDir);
    try {
      const stored = await db.all<{ entity_id: string }>("select entity_id from domain_events where source_system = 'test' order by id");
      expect(published.map((e) => e.entityId)).toEqual(stored.map((r) => r.entity_id));
      expect(stored.map((r) => r.entity_id).slice(-2)).toEqual(['wf-keeps-dying-3', 'wf-after']);
    } finally {
      await db.close();
    }
  });
});

describe('an EventWriter handed a committer of its own', () => {
  let core: Core | undefined;
  afterEach(async () => {
    await core?.close();
    core = undefined;
  });
  const clock = fixedClock(new Date('2026-12-01T09:00:00.000Z'));
  /** A core whose own rounds commit on the main thread: the test's committer stands in for the writer's thread. */
  async function mainThreadCore() {
    core = await createCore(
      configSchema.parse({ dataDir: tempDir(), logLevel: 'silent', ingest: { writerThread: 'main' }, analytics: { rollupThread: 'main' } }),
      { clock },
    );
    return { core, engine: createProjectionEngine(core.pricing), db: core.db };
  }

  it('refuses a round a dead thread had committed to its callers, publishes it from the log page by page, and a retry finds it stored', async () => {
    const { core, engine, db } = await mainThreadCore();
    const committedThenDied: RoundCommitter = {
      usable: true,
      async commit(events, hashes, origins, recordedAt) {
        await commitRound(db, engine, events, origins, () => recordedAt, { maxRetries: 0, retryDelayMs: 0 }, hashes);
        throw new WriterThreadExitedError('exit code 1');
      },
      warm: () => undefined,
      close: async () => undefined,
    };
    const published: StoredEvent[] = [];
    core.publisher.subscribe((events) => published.push(...events));
    const writer = new EventWriter(db, engine, core.publisher, clock, {
      maxQueuedEvents: 10_000,
      maxEventsPerTransaction: 100,
      transaction: { maxRetries: 0, retryDelayMs: 0 },
      thread: committedThenDied,
    });
    // One request is taken whole however large, so a round can hold more than a page of the log (1,000) and more than
    // maxEventsPerTransaction.
    const events = Array.from({ length: 2_500 }, (_, i) => (i % 2 ? workflowUpserted(`wf-orphan-${i}`) : storyUpserted(`s-orphan-${i}`, 'p-orphan')));
    const incoming = events.map((e) => {
      const p = parseIncomingEvent(e);
      if (!p.ok) throw new Error('invalid test event');
      return p.event;
    });
    await expect(writer.append(incoming)).rejects.toBeInstanceOf(WriterThreadExitedError);
    expect(published.map((e) => e.sourceEventId)).toEqual(events.map((e) => e.id));

    const local = new EventWriter(db, engine, core.publisher, clock, {
      maxQueuedEvents: 10_000,
      maxEventsPerTransaction: 100,
      transaction: { maxRetries: 0, retryDelayMs: 0 },
    });
    const retried = await local.append(incoming);
    expect(new Set(retried.map((o) => o.status))).toEqual(new Set(['duplicate']));
    expect(retried.map((o) => o.eventId)).toEqual(published.map((e) => e.eventId));
    expect(published).toHaveLength(events.length);
  });

  it("starts the next round before the last one's callers are answered, with hashes taken as the requests queued", async () => {
    const { core, engine, db } = await mainThreadCore();
    const log: string[] = [];
    let releaseFirst = () => undefined as void;
    const firstHeld = new Promise<void>((r) => (releaseFirst = r));
    const thread: RoundCommitter = {
      usable: true,
      async commit(events, hashes, origins, recordedAt) {
        const name = events.map((e) => e.sourceEventId).join('+');
        log.push(`commit ${name}`);
        expect(hashes).toEqual(events.map(contentHash));
        if (log.length === 1) await firstHeld;
        return commitRound(db, engine, events, origins, () => recordedAt, { maxRetries: 0, retryDelayMs: 0 }, hashes);
      },
      warm: () => undefined,
      close: async () => undefined,
    };
    const published: string[] = [];
    core.publisher.subscribe((events) => published.push(...events.map((e) => e.sourceEventId)));
    const writer = new EventWriter(db, engine, core.publisher, clock, {
      maxQueuedEvents: 10_000,
      maxEventsPerTransaction: 100,
      transaction: { maxRetries: 0, retryDelayMs: 0 },
      thread,
    });
    const parsed = (e: unknown) => {
      const p = parseIncomingEvent(e);
      if (!p.ok) throw new Error('invalid test event');
      return p.event;
    };
    const first = writer.append([parsed(workflowUpserted('wf-a', {}, { id: 'ev-a' }))]).then((o) => (log.push('answered ev-a'), o));
    await vi.waitFor(() => expect(log).toEqual(['commit ev-a']));
    // Queued while the first round commits: the next round, which the writer sends as soon as the first one is done.
    const second = writer.append([parsed(workflowUpserted('wf-b', {}, { id: 'ev-b' }))]).then((o) => (log.push('answered ev-b'), o));
    releaseFirst();
    expect((await first).map((o) => o.status)).toEqual(['accepted']);
    expect((await second).map((o) => o.status)).toEqual(['accepted']);
    expect(log).toEqual(['commit ev-a', 'commit ev-b', 'answered ev-a', 'answered ev-b']);
    expect(published).toEqual(['ev-a', 'ev-b']);
  });
});

describe("the writer thread's errors", () => {
  it('cross as what the writer and storage health branch on', () => {
    const full = Object.assign(new Error('database or disk is full'), { name: 'SqliteError', code: 'SQLITE_FULL' });
    expect(storageFailureOf(fromWriterError(toWriterError(full)))).toBe('full');
    const io = Object.assign(new Error('disk I/O error'), { name: 'SqliteError', code: 'SQLITE_IOERR_WRITE' });
    expect(storageFailureOf(fromWriterError(toWriterError(io)))).toBe('io');
    const lock = fromWriterError(toWriterError(new WriteLockTimeoutError(1234, new Error('busy'))));
    expect(lock).toBeInstanceOf(WriteLockTimeoutError);
    expect((lock as WriteLockTimeoutError).waitedMs).toBe(1234);
    const other = fromWriterError(toWriterError(new TypeError('boom')));
    expect([other.name, other.message, storageFailureOf(other)]).toEqual(['TypeError', 'boom', null]);
  });
});

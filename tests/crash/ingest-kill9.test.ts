import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestResponseSchema, parseIncomingEvent, STATUS_MODEL, type IngestResponse, type Status } from '../../src/contracts/index.js';
import { databaseFile } from '../../src/server/config.js';
import type { DomainEventRow } from '../../src/server/db/schema.js';
import { contentHash } from '../../src/server/modules/events/content-hash.js';
import { rowToStoredEvent } from '../../src/server/modules/events/events.repository.js';
import { emptyWorkflowRow, foldWorkflow } from '../../src/server/modules/workflows/workflows.projection.js';
import type { WorkflowRow } from '../../src/server/modules/workflows/workflows.repository.js';
import { runCli } from '../support/cli.js';
import { at, workflowTransitioned, workflowUpserted } from '../support/events.js';
import { postEvents as postIngest, provisionIngestKey, startIngestServer } from './ingest-harness.js';
import { freePort, type ServerProcess } from './server-process.js';

/**
 * Issue requirement: kill -9 the server during an ingest burst at least 5 times; after each restart every
 * acknowledged event is stored exactly once and PRAGMA integrity_check is ok. On top of that (reliability anchors):
 * events in flight at the kill may or may not be stored, but re-sending them is accepted or duplicate, never a
 * conflict, and leaves one row each; and the read models agree with the event log.
 */

const ROUNDS = 6;
const LOOPS = 4;
const MAX_BATCH = 200;
const KILL_AFTER_MS: [number, number] = [150, 700];
const START_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 15_000;
const SOURCE = 'test';

/** Printed with every failure so a bad interleaving can at least be approximated again with CRASH_SEED. */
const SEED = Number(process.env.CRASH_SEED ?? Date.now() % 2 ** 31);

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(SEED);
const randInt = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type WireEvent = ReturnType<typeof workflowUpserted> | ReturnType<typeof workflowTransitioned>;

interface Batch {
  round: number;
  events: WireEvent[];
  /** Set once a 200 response listing every event as accepted was fully read: the server vouched for durability. */
  acked: boolean;
}

interface SentEvent {
  event: WireEvent;
  batch: Batch;
  /** The sequence number the server acknowledged (on the burst or on a re-send after restart). */
  eventId?: number;
}

const WORKFLOW = STATUS_MODEL.workflow;
const TRANSITIONS: [Status | null, Status][] = [
  ...WORKFLOW.statuses.map((to): [null, Status] => [null, to]),
  ...Object.entries(WORKFLOW.transitions).flatMap(([from, tos]) => (tos ?? []).map((to): [Status, Status] => [from as Status, to])),
];

/**
 * Shared ids make later rounds update rows an earlier (killed) round wrote; per-round ids make new rows appear
 * during every burst, so both the insert and the upsert path of the projection are under the kill.
 */
function workflowId(round: number): string {
  return rand() < 0.7 ? `crash-wf-${randInt(0, 39)}` : `crash-wf-r${round}-${randInt(0, 19)}`;
}

function randomEvent(round: number): WireEvent {
  // Spread occurredAt so "newest wins" in the projection actually decides something.
  const extra = { occurredAt: at(randInt(0, 50_000)) };
  if (rand() < 0.5) return workflowUpserted(workflowId(round), { status: pick(WORKFLOW.statuses) }, extra);
  const [from, to] = pick(TRANSITIONS);
  return workflowTransitioned(workflowId(round), from, to, extra);
}

const sent = new Map<string, SentEvent>();
const batches: Batch[] = [];

let dataDir: string;
let dbFile: string;
let port: number;
let ingestKey: string;
let server: ServerProcess | undefined;

async function startServer(): Promise<ServerProcess> {
  server = await startIngestServer({ port, dataDir, startTimeoutMs: START_TIMEOUT_MS });
  return server;
}

function postEvents(url: string, events: readonly WireEvent[]): Promise<{ status: number; body: unknown }> {
  return postIngest(url, ingestKey, events, REQUEST_TIMEOUT_MS);
}

function describeResponse(status: number, body: unknown): string {
  return `HTTP ${status} ${JSON.stringify(body).slice(0, 500)}`;
}

interface BurstStats {
  killAfterMs: number;
  ackedBatches: number;
  ackedEvents: number;
  inFlightBatches: number;
  inFlightEvents: number;
  anomalies: string[];
  exitSignal: NodeJS.Signals | null;
}

/** Several clients post as fast as the server answers; the server is SIGKILLed under them after a random delay. */
async function burstAndKill(srv: ServerProcess, round: number): Promise<BurstStats> {
  const stats: BurstStats = {
    killAfterMs: randInt(...KILL_AFTER_MS),
    ackedBatches: 0,
    ackedEvents: 0,
    inFlightBatches: 0,
    inFlightEvents: 0,
    anomalies: [],
    exitSignal: null,
  };
  let killed = false;
  const roundBatches: Batch[] = [];

  const client = async () => {
    while (!killed) {
      const batch: Batch = { round, events: Array.from({ length: randInt(1, MAX_BATCH) }, () => randomEvent(round)), acked: false };
      batches.push(batch);
      roundBatches.push(batch);
      for (const event of batch.events) sent.set(event.id, { event, batch });
      let reply: { status: number; body: unknown };
      try {
        reply = await postEvents(srv.url, batch.events);
      } catch (err) {
        // After the kill this is the point of the test (the batch is in flight); before it, something broke.
        if (!killed) stats.anomalies.push(`request failed while the server was up: ${String(err)}`);
        return;
      }
      const parsed = reply.status === 200 ? ingestResponseSchema.safeParse(reply.body) : undefined;
      const results = parsed?.success ? parsed.data.results : undefined;
      const allAccepted = results?.length === batch.events.length && results.every((r, i) => r.status === 'accepted' && r.id === batch.events[i]!.id);
      if (!allAccepted) {
        stats.anomalies.push(`fresh batch not accepted whole: ${describeResponse(reply.status, reply.body)}`);
        continue;
      }
      batch.acked = true;
      results.forEach((r, i) => {
        if (r.status === 'accepted') sent.get(batch.events[i]!.id)!.eventId = r.eventId;
      });
    }
  };

  const clients = Array.from({ length: LOOPS }, client);
  await sleep(stats.killAfterMs);
  // A slow start must not turn the round vacuous; bounded so a wedged server fails the round instead of hanging it.
  const firstAckDeadline = Date.now() + 10_000;
  while (!roundBatches.some((b) => b.acked) && Date.now() < firstAckDeadline) await sleep(10);
  // Same synchronous step as the SIGKILL, so no client can start a request the test would misread as in flight.
  killed = true;
  const exit = await srv.kill9();
  stats.exitSignal = exit.signal;
  await Promise.all(clients);

  for (const b of roundBatches) {
    if (b.acked) {
      stats.ackedBatches++;
      stats.ackedEvents += b.events.length;
    } else {
      stats.inFlightBatches++;
      stats.inFlightEvents += b.events.length;
    }
  }
  return stats;
}

type EventRow = Pick<DomainEventRow, 'id' | 'source_system' | 'source_event_id' | 'event_type' | 'entity_id' | 'content_hash'>;

interface Snapshot {
  /** Stored row id by source event id. */
  stored: Map<string, number>;
}

function expectedHash(e: WireEvent): string {
  const parsed = parseIncomingEvent(e);
  if (!parsed.ok) throw new Error(`test built an invalid event: ${JSON.stringify(parsed.errors)}`);
  return contentHash(parsed.event);
}

const hashCache = new Map<string, string>();
const hashOf = (e: WireEvent) => {
  let h = hashCache.get(e.id);
  if (h === undefined) hashCache.set(e.id, (h = expectedHash(e)));
  return h;
};

/** Order-independent recomputation of the workflows read model straight from the event log. */
function expectedWorkflows(rows: readonly DomainEventRow[]): Map<string, WorkflowRow> {
  const out = new Map<string, WorkflowRow>();
  for (const row of rows) {
    if (row.event_type !== 'workflow.upserted' && row.event_type !== 'workflow.transitioned') continue;
    const e = rowToStoredEvent(row) as Parameters<typeof foldWorkflow>[1];
    const current = out.get(e.entityId) ?? emptyWorkflowRow(e.entityId);
    out.set(e.entityId, foldWorkflow(current, e));
  }
  return out;
}

/**
 * Every invariant that must hold on the database whatever the server was doing when it died. Read in one
 * transaction so the checks see a single consistent snapshot even though the server is running.
 */
function verifyDatabase(context: string): Snapshot {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return db.transaction((): Snapshot => {
      const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
      expect(integrity, `${context}: integrity_check`).toEqual(['ok']);
      expect(db.pragma('foreign_key_check'), `${context}: foreign_key_check`).toEqual([]);

      const all = db.prepare('select * from domain_events order by id').all() as DomainEventRow[];
      const stored = new Map<string, number>();
      const phantoms: EventRow[] = [];
      const repeats: string[] = [];
      for (const r of all) {
        if (r.source_system !== SOURCE || !sent.has(r.source_event_id)) phantoms.push(r);
        if (stored.has(r.source_event_id)) repeats.push(r.source_event_id);
        stored.set(r.source_event_id, r.id);
      }
      expect(phantoms, `${context}: rows for events nobody sent`).toEqual([]);
      expect(repeats, `${context}: events stored more than once`).toEqual([]);

      const rowById = new Map(all.map((r) => [r.id, r]));
      const missing: string[] = [];
      const wrong: string[] = [];
      for (const [id, s] of sent) {
        const rowId = stored.get(id);
        if (s.eventId !== undefined && rowId === undefined) missing.push(`${id} (acked as sequence ${s.eventId})`);
        if (rowId === undefined) continue;
        const row = rowById.get(rowId)!;
        if (s.eventId !== undefined && rowId !== s.eventId) wrong.push(`${id}: acked as sequence ${s.eventId}, stored as ${rowId}`);
        if (row.event_type !== s.event.type || row.entity_id !== s.event.entity.id || row.content_hash !== hashOf(s.event)) {
          wrong.push(`${id}: stored content differs from what was sent`);
        }
      }
      expect(missing, `${context}: acknowledged events missing`).toEqual([]);
      expect(wrong, `${context}: stored events that do not match their acknowledgement`).toEqual([]);

      // A request commits in one transaction, so the kill may lose a whole in-flight batch but never half of one.
      const torn = batches
        .map((b) => ({ b, n: b.events.filter((e) => stored.has(e.id)).length }))
        .filter(({ b, n }) => n !== 0 && n !== b.events.length)
        .map(({ b, n }) => `round ${b.round} batch of ${b.events.length}: ${n} stored`);
      expect(torn, `${context}: partially stored batches`).toEqual([]);

      const workflowIds = new Set(all.filter((r) => r.event_type.startsWith('workflow.')).map((r) => r.entity_id));
      const workflowRows = db.prepare('select * from workflows order by id').all() as WorkflowRow[];
      expect(
        workflowRows.map((r) => r.id),
        `${context}: workflows rows vs workflow ids in the log`,
      ).toEqual([...workflowIds].sort());
      const expected = expectedWorkflows(all);
      const stale = workflowRows.filter((r) => !isDeepStrictEqual({ ...r }, expected.get(r.id)));
      expect(
        stale.map((r) => ({ actual: r, expected: expected.get(r.id) })),
        `${context}: workflows rows that disagree with the event log`,
      ).toEqual([]);

      const transitionMismatch = db
        .prepare(
          `select d.id, d.source_event_id from domain_events d
            where d.event_type = 'workflow.transitioned' and (select count(*) from workflow_transitions t where t.event_id = d.id) != 1`,
        )
        .all();
      expect(transitionMismatch, `${context}: workflow.transitioned events without exactly one transition row`).toEqual([]);
      const orphanTransitions = db
        .prepare(
          `select t.id, t.event_id from workflow_transitions t left join domain_events d on d.id = t.event_id
            where d.id is null or d.event_type != 'workflow.transitioned' or d.entity_id != t.workflow_id`,
        )
        .all();
      expect(orphanTransitions, `${context}: transition rows without their workflow.transitioned event`).toEqual([]);

      return { stored };
    })();
  } finally {
    db.close();
  }
}

interface ResendStats {
  resent: number;
  alreadyStored: number;
}

/** Re-sends what the server never acknowledged, as a client retrying after a crash would, then a sample of acked events. */
async function resend(url: string, before: Snapshot, context: string): Promise<ResendStats> {
  const unacked = [...sent.values()].filter((s) => s.eventId === undefined);
  const stats: ResendStats = { resent: unacked.length, alreadyStored: 0 };
  const bad: string[] = [];
  const settle = (chunk: readonly SentEvent[], body: IngestResponse) => {
    chunk.forEach((s, i) => {
      const r = body.results[i];
      const wasStored = before.stored.get(s.event.id);
      if (!r || r.id !== s.event.id || r.status === 'rejected') {
        bad.push(`${s.event.id}: ${JSON.stringify(r)}`);
        return;
      }
      if (r.status === 'duplicate' && r.eventId !== wasStored) bad.push(`${s.event.id}: duplicate of ${r.eventId}, but stored as ${wasStored}`);
      if (r.status === 'accepted' && wasStored !== undefined) bad.push(`${s.event.id}: accepted again though stored as ${wasStored}`);
      if (r.status === 'duplicate') stats.alreadyStored++;
      s.eventId = r.eventId;
    });
  };
  const post = async (chunk: readonly SentEvent[]) => {
    const reply = await postEvents(
      url,
      chunk.map((s) => s.event),
    );
    expect(reply.status, `${context}: re-send ${describeResponse(reply.status, reply.body)}`).toBe(200);
    return ingestResponseSchema.parse(reply.body);
  };
  for (let i = 0; i < unacked.length; i += 1000) {
    const chunk = unacked.slice(i, i + 1000);
    settle(chunk, await post(chunk));
  }
  expect(bad, `${context}: re-sent in-flight events`).toEqual([]);

  const resent = new Set(unacked);
  const acked = [...sent.values()].filter((s) => s.eventId !== undefined && !resent.has(s));
  if (acked.length === 0) return stats;
  const sample = Array.from({ length: Math.min(100, acked.length) }, () => pick(acked));
  const body = await post(sample);
  const notDuplicate = sample.filter((s, i) => {
    const r = body.results[i];
    return r?.status !== 'duplicate' || r.eventId !== s.eventId;
  });
  expect(
    notDuplicate.map((s) => s.event.id),
    `${context}: re-sent acknowledged events not reported as duplicate of their sequence`,
  ).toEqual([]);
  return stats;
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bmad-ops-crash-'));
  dbFile = databaseFile({ dataDir });
  port = await freePort();
  ingestKey = await provisionIngestKey(dataDir, 'crash');
});

afterAll(async () => {
  try {
    if (server?.alive) await server.kill9();
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

describe(`kill -9 during an ingest burst (seed ${SEED})`, () => {
  it(`loses no acknowledged event and keeps the database and read models consistent over ${ROUNDS} crashes`, async () => {
    let srv = await startServer();
    let totalInFlightBatches = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const context = `round ${round} (seed ${SEED})`;
      const burst = await burstAndKill(srv, round);
      expect(burst.anomalies, `${context}: unexpected responses during the burst`).toEqual([]);
      expect(burst.exitSignal, `${context}: the server must have died from our SIGKILL`).toBe('SIGKILL');
      expect(burst.ackedEvents, `${context}: no event was acknowledged before the kill, the round proves nothing`).toBeGreaterThan(0);
      totalInFlightBatches += burst.inFlightBatches;

      const restartedAt = performance.now();
      srv = await startServer();
      const restartMs = Math.round(performance.now() - restartedAt);

      const before = verifyDatabase(`${context}, after restart`);
      const re = await resend(srv.url, before, context);
      verifyDatabase(`${context}, after re-sending`);
      expect(
        [...sent.values()].filter((s) => s.eventId === undefined),
        `${context}: events still unacknowledged after re-send`,
      ).toEqual([]);

      console.log(
        `crash round ${round} (seed ${SEED}): kill after ${burst.killAfterMs} ms, acked ${burst.ackedEvents} events in ${burst.ackedBatches} batches, ` +
          `in flight ${burst.inFlightEvents} events in ${burst.inFlightBatches} batches (${re.alreadyStored} already stored), ` +
          `restart ${restartMs} ms, ${sent.size} events total`,
      );
    }
    // Each round may by chance die between requests; over all rounds the kill must have hit requests in flight.
    expect(totalInFlightBatches, 'no request was ever in flight at a kill').toBeGreaterThan(0);

    const exit = await srv.stop();
    expect(exit, `graceful stop after the crashes\n${srv.stderrTail()}`).toEqual({ code: 0, signal: null });
    verifyDatabase('after a clean shutdown');
    // The consistency monitor agrees: every read model equals its rebuild from the log the crashes left.
    const verify = runCli(['verify', '--data-dir', dataDir], { timeoutMs: 120_000 });
    expect(verify.stdout, verify.stderr).toMatch(/: ok, 0 findings/);
    expect(verify.code).toBe(0);
  }, 150_000);
});

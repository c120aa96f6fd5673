/**
 * Crash soak (issue 13 §4): `npm run soak:crash [-- --cycles N --clients N --seed N --keep]`.
 *
 * One data directory; every cycle starts the real server (tests/crash/server-process.ts), lets several clients post
 * bursts of event batches (fresh events, and re-sends of earlier or still in-flight batches), and SIGKILLs the server
 * 50–1500 ms into the burst. An event counts as acknowledged once a 200 response listing it as accepted or duplicate
 * was read completely. After the last cycle the server is started once more and the database is read (read-only,
 * one transaction): every acknowledged event must be stored exactly once, under the sequence it was acknowledged
 * with, no event twice, no batch half, and integrity_check must be ok. Exit code 1 when any of that fails.
 *
 * Knobs: --cycles / SOAK_CYCLES (50), --clients / SOAK_CLIENTS (4), --seed / SOAK_SEED (time), --keep (keep the data
 * directory), SOAK_TMPDIR (where it goes). Everything runs on 127.0.0.1; every loop ends by itself.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ingestResponseSchema, parseIncomingEvent, STATUS_MODEL, type Status } from '../../src/contracts/index.js';
import { databaseFile } from '../../src/server/config.js';
import { contentHash } from '../../src/server/modules/events/content-hash.js';
import { SeededRandom } from '../../src/server/simulator/random.js';
import { postEvents, provisionIngestKey, startIngestServer } from '../../tests/crash/ingest-harness.js';
import { freePort, type ServerProcess } from '../../tests/crash/server-process.js';
import { at, workflowTransitioned, workflowUpserted } from '../../tests/support/events.js';

const MAX_BATCH = 200;
const KILL_AFTER_MS: [number, number] = [50, 1500];
/** Share of requests that re-send an earlier batch instead of a fresh one. */
const RESEND_SHARE = 0.15;
const START_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 15_000;
const PROBE_SIZE = 1000;
const MAX_MESSAGES = 10;
const SOURCE = 'test';

function intOption(flag: string | undefined, envName: string, fallback: number, min: number, max: number): number {
  const raw = flag ?? process.env[envName];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`--${envName.slice(5).toLowerCase()} / ${envName} must be a whole number in [${min}, ${max}] (got ${raw})`);
  return n;
}

const { values: args } = parseArgs({
  options: { cycles: { type: 'string' }, clients: { type: 'string' }, seed: { type: 'string' }, keep: { type: 'boolean', default: false } },
  strict: true,
});
const CYCLES = intOption(args.cycles, 'SOAK_CYCLES', 50, 1, 10_000);
const CLIENTS = intOption(args.clients, 'SOAK_CLIENTS', 4, 1, 64);
const SEED = intOption(args.seed, 'SOAK_SEED', Date.now() % 2 ** 31, 0, 2 ** 31);
const rng = new SeededRandom(SEED);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type WireEvent = ReturnType<typeof workflowUpserted> | ReturnType<typeof workflowTransitioned>;

const WORKFLOW = STATUS_MODEL.workflow;
const TRANSITIONS: [Status | null, Status][] = [
  ...WORKFLOW.statuses.map((to): [null, Status] => [null, to]),
  ...Object.entries(WORKFLOW.transitions).flatMap(([from, tos]) => (tos ?? []).map((to): [Status, Status] => [from as Status, to])),
];

/** Shared ids make later cycles update rows an earlier (killed) cycle wrote; per-cycle ids add new rows every burst. */
function randomEvent(cycle: number): WireEvent {
  const wf = rng.chance(0.7) ? `soak-wf-${rng.int(0, 99)}` : `soak-wf-c${cycle}-${rng.int(0, 19)}`;
  const extra = { occurredAt: at(rng.int(0, 50_000)) };
  if (rng.chance(0.5)) return workflowUpserted(wf, { status: rng.pick(WORKFLOW.statuses) }, extra);
  const [from, to] = rng.pick(TRANSITIONS);
  return workflowTransitioned(wf, from, to, extra);
}

interface Batch {
  cycle: number;
  events: WireEvent[];
}

interface SentEvent {
  event: WireEvent;
  /** The sequence (domain_events.id) the server acknowledged it with; set by the first complete 200. */
  seq?: number;
}

const sent = new Map<string, SentEvent>();
/** Fresh batches in the order they were built; re-sends pick from here, also batches another client still has in flight. */
const batches: Batch[] = [];
/** Broken promises: a re-send answered differently from the acknowledgement, a rejected event. These fail the run. */
const violations: string[] = [];
/** Requests that failed or were refused while the server was up: nothing acknowledged, reported but not fatal. */
const clientErrors: string[] = [];
let clientErrorCount = 0;
const note = (list: string[], msg: string) => {
  if (list.length < MAX_MESSAGES) list.push(msg);
};

interface CycleStats {
  cycle: number;
  killAfterMs: number;
  startMs: number;
  requests: number;
  resends: number;
  ackedRequests: number;
  freshEvents: number;
  /** Events first acknowledged during this cycle. */
  newlyAcked: number;
  inFlightRequests: number;
  inFlightEvents: number;
  /** From the start of the burst (the server just reported ready) to the first acknowledged request. */
  firstAckMs?: number;
  exitSignal: NodeJS.Signals | null;
}

/** Applies a complete response to the bookkeeping; returns whether it acknowledged the whole batch. */
function settle(events: readonly WireEvent[], status: number, body: unknown, context: string): { acked: boolean; newlyAcked: number } {
  const parsed = status === 200 ? ingestResponseSchema.safeParse(body) : undefined;
  if (!parsed?.success) {
    clientErrorCount++;
    note(clientErrors, `${context}: HTTP ${status} ${JSON.stringify(body).slice(0, 300)}`);
    return { acked: false, newlyAcked: 0 };
  }
  const { results } = parsed.data;
  let acked = results.length === events.length;
  let newlyAcked = 0;
  events.forEach((e, i) => {
    const r = results[i];
    if (!r || r.id !== e.id || r.status === 'rejected') {
      acked = false;
      note(violations, `${context}: ${e.id} answered ${JSON.stringify(r)}`);
      return;
    }
    const s = sent.get(e.id)!;
    if (s.seq === undefined) {
      s.seq = r.eventId;
      newlyAcked++;
    } else if (r.status === 'accepted') note(violations, `${context}: ${e.id} accepted again as ${r.eventId}, already acknowledged as ${s.seq}`);
    else if (r.eventId !== s.seq) note(violations, `${context}: ${e.id} duplicate of ${r.eventId}, acknowledged as ${s.seq}`);
  });
  return { acked, newlyAcked };
}

async function burstAndKill(srv: ServerProcess, key: string, stats: CycleStats): Promise<void> {
  let killed = false;
  const burstStart = performance.now();
  const client = async (n: number) => {
    while (!killed) {
      let batch: Batch;
      if (batches.length > 0 && rng.chance(RESEND_SHARE)) {
        // Half of the re-sends go to the newest batches: those may still be in flight on another client.
        batch = rng.chance(0.5) ? batches[Math.max(0, batches.length - 1 - rng.int(0, 15))]! : rng.pick(batches);
        stats.resends++;
      } else {
        batch = { cycle: stats.cycle, events: Array.from({ length: rng.int(1, MAX_BATCH) }, () => randomEvent(stats.cycle)) };
        for (const event of batch.events) sent.set(event.id, { event });
        batches.push(batch);
        stats.freshEvents += batch.events.length;
      }
      stats.requests++;
      let reply: { status: number; body: unknown };
      try {
        reply = await postEvents(srv.url, key, batch.events, REQUEST_TIMEOUT_MS);
      } catch (err) {
        if (killed) {
          stats.inFlightRequests++;
          return;
        }
        clientErrorCount++;
        note(clientErrors, `cycle ${stats.cycle} client ${n}: request failed while the server was up: ${String(err)}`);
        continue;
      }
      // A response read completely after the kill signal still counts: the server sent it, so it had committed.
      const r = settle(batch.events, reply.status, reply.body, `cycle ${stats.cycle} client ${n}`);
      if (r.acked) stats.ackedRequests++;
      if (r.acked && stats.firstAckMs === undefined) stats.firstAckMs = performance.now() - burstStart;
      stats.newlyAcked += r.newlyAcked;
    }
  };
  const clients = Array.from({ length: CLIENTS }, (_, i) => client(i + 1));
  await sleep(stats.killAfterMs);
  // Same synchronous step as the SIGKILL, so no client starts a request after it.
  killed = true;
  const exit = await srv.kill9();
  stats.exitSignal = exit.signal;
  await Promise.all(clients);
  stats.inFlightEvents = batches
    .filter((b) => b.cycle === stats.cycle && b.events.some((e) => sent.get(e.id)!.seq === undefined))
    .reduce((n, b) => n + b.events.length, 0);
}

interface Verdict {
  integrity: string[];
  foreignKeyProblems: number;
  rows: number;
  acked: number;
  lost: string[];
  doubled: string[];
  mismatched: string[];
  torn: string[];
  foreign: string[];
  unacked: number;
  landed: number;
}

/** Every invariant on the database, read in one transaction (the server may be running). */
function verify(dbFile: string): Verdict {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return db.transaction((): Verdict => {
      const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
      const foreignKeyProblems = (db.pragma('foreign_key_check') as unknown[]).length;
      const rows = db.prepare('select id, source_system, source_event_id, event_type, entity_id, content_hash from domain_events order by id').all() as {
        id: number;
        source_system: string;
        source_event_id: string;
        event_type: string;
        entity_id: string;
        content_hash: string;
      }[];
      const stored = new Map<string, number[]>();
      const foreign: string[] = [];
      for (const r of rows) {
        if (r.source_system !== SOURCE || !sent.has(r.source_event_id)) {
          foreign.push(`${r.source_system}/${r.source_event_id} (${r.event_type})`);
          continue;
        }
        const ids = stored.get(r.source_event_id) ?? [];
        ids.push(r.id);
        stored.set(r.source_event_id, ids);
      }
      const rowById = new Map(rows.map((r) => [r.id, r]));
      const v: Verdict = {
        integrity,
        foreignKeyProblems,
        rows: rows.length,
        acked: 0,
        lost: [],
        doubled: [],
        mismatched: [],
        torn: [],
        foreign,
        unacked: 0,
        landed: 0,
      };
      for (const [id, s] of sent) {
        const ids = stored.get(id);
        if (s.seq !== undefined) v.acked++;
        else v.unacked++;
        if (ids === undefined) {
          if (s.seq !== undefined) v.lost.push(`${id} (acknowledged as ${s.seq})`);
          continue;
        }
        if (s.seq === undefined) v.landed++;
        if (ids.length > 1) v.doubled.push(`${id} stored as ${ids.join(', ')}`);
        if (s.seq !== undefined && !ids.includes(s.seq)) v.mismatched.push(`${id}: acknowledged as ${s.seq}, stored as ${ids.join(', ')}`);
        const row = rowById.get(ids[0]!)!;
        const parsed = parseIncomingEvent(s.event);
        if (!parsed.ok) throw new Error(`the soak built an invalid event: ${JSON.stringify(parsed.errors)}`);
        if (row.event_type !== s.event.type || row.entity_id !== s.event.entity.id || row.content_hash !== contentHash(parsed.event)) {
          v.mismatched.push(`${id}: stored content differs from what was sent`);
        }
      }
      // A request commits in one transaction: a kill may lose a whole in-flight batch but never half of one.
      for (const b of batches) {
        const n = b.events.filter((e) => stored.has(e.id)).length;
        if (n !== 0 && n !== b.events.length) v.torn.push(`cycle ${b.cycle} batch of ${b.events.length}: ${n} stored`);
      }
      return v;
    })();
  } finally {
    db.close();
  }
}

/** Re-sends a sample of acknowledged events: every one must come back as a duplicate of its acknowledged sequence. */
async function idempotencyProbe(srv: ServerProcess, key: string): Promise<number> {
  const acked = [...sent.values()].filter((s) => s.seq !== undefined);
  const sample = acked.length <= PROBE_SIZE ? acked : Array.from({ length: PROBE_SIZE }, () => rng.pick(acked));
  for (let i = 0; i < sample.length; i += 100) {
    const chunk = sample.slice(i, i + 100);
    const reply = await postEvents(
      srv.url,
      key,
      chunk.map((s) => s.event),
      REQUEST_TIMEOUT_MS,
    );
    const before = violations.length;
    const r = settle(
      chunk.map((s) => s.event),
      reply.status,
      reply.body,
      'final idempotency probe',
    );
    if (!r.acked && violations.length === before) note(violations, `final idempotency probe: HTTP ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`);
  }
  return sample.length;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}
const fmtLoad = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');
const ms = (x: number) => `${Math.round(x)} ms`;

async function main(): Promise<number> {
  const loadStart = os.loadavg();
  const wallStart = performance.now();
  const dataDir = fs.mkdtempSync(path.join(process.env.SOAK_TMPDIR || os.tmpdir(), 'bmad-ops-soak-crash-'));
  const dbFile = databaseFile({ dataDir });
  const port = await freePort();
  console.log(
    `soak:crash: ${CYCLES} cycles, ${CLIENTS} clients, seed ${SEED}, data ${dataDir}, port ${port}, load average ${fmtLoad(loadStart)} (${os.cpus().length} cpus)`,
  );
  const key = await provisionIngestKey(dataDir, 'soak');

  let srv: ServerProcess | undefined;
  let ok = false;
  // Ctrl-C: leave through process.exit so the helper's exit hook SIGKILLs a running server.
  process.once('SIGINT', () => process.exit(130));
  try {
    const restartMs: number[] = [];
    let firstStartMs = 0;
    const kills: CycleStats[] = [];
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      const t0 = performance.now();
      srv = await startIngestServer({ port, dataDir, startTimeoutMs: START_TIMEOUT_MS });
      const startMs = performance.now() - t0;
      if (cycle === 1) firstStartMs = startMs;
      else restartMs.push(startMs);
      const stats: CycleStats = {
        cycle,
        killAfterMs: rng.int(...KILL_AFTER_MS),
        startMs,
        requests: 0,
        resends: 0,
        ackedRequests: 0,
        freshEvents: 0,
        newlyAcked: 0,
        inFlightRequests: 0,
        inFlightEvents: 0,
        exitSignal: null,
      };
      await burstAndKill(srv, key, stats);
      if (stats.exitSignal !== 'SIGKILL')
        note(violations, `cycle ${cycle}: the server ended with ${stats.exitSignal ?? 'an exit'} instead of our SIGKILL\n${srv.stderrTail()}`);
      kills.push(stats);
      const ackedTotal = [...sent.values()].filter((s) => s.seq !== undefined).length;
      console.log(
        `cycle ${String(cycle).padStart(String(CYCLES).length)}/${CYCLES}: ${cycle === 1 ? 'start' : 'restart'} ${ms(startMs)}, kill after ${ms(stats.killAfterMs)}; ` +
          `${stats.requests} requests (${stats.resends} re-sends), ${stats.ackedRequests} acknowledged${stats.firstAckMs === undefined ? '' : ` (first after ${ms(stats.firstAckMs)})`}, ${stats.newlyAcked} events newly acknowledged; ` +
          `in flight ${stats.inFlightRequests} requests / ${stats.inFlightEvents} events; totals ${ackedTotal} acked of ${sent.size} sent; load ${os.loadavg()[0]!.toFixed(2)}`,
      );
    }

    const t0 = performance.now();
    srv = await startIngestServer({ port, dataDir, startTimeoutMs: START_TIMEOUT_MS });
    restartMs.push(performance.now() - t0);
    const v = verify(dbFile);
    const probed = await idempotencyProbe(srv, key);
    const afterProbe = verify(dbFile);
    const exit = await srv.stop();
    const cleanStop = exit.code === 0 && exit.signal === null;
    const afterStop = verify(dbFile);
    const wallMs = performance.now() - wallStart;
    const loadEnd = os.loadavg();

    const restarts = [...restartMs].sort((a, b) => a - b);
    const killDelays = kills.map((k) => k.killAfterMs).sort((a, b) => a - b);
    const firstAcks = kills.flatMap((k) => (k.firstAckMs === undefined ? [] : [k.firstAckMs])).sort((a, b) => a - b);
    const integrityOk = [v, afterProbe, afterStop].every((x) => x.integrity.length === 1 && x.integrity[0] === 'ok');
    const probeChanged = afterProbe.rows !== v.rows || afterStop.rows !== v.rows;
    ok =
      v.lost.length === 0 &&
      v.doubled.length === 0 &&
      afterStop.doubled.length === 0 &&
      v.mismatched.length === 0 &&
      v.torn.length === 0 &&
      v.foreignKeyProblems === 0 &&
      integrityOk &&
      !probeChanged &&
      violations.length === 0 &&
      cleanStop;

    const line = (label: string, value: string | number) => console.log(`  ${label.padEnd(26)} ${value}`);
    console.log(`\nsoak:crash summary (seed ${SEED})`);
    line('cycles', `${kills.length} (ended by our SIGKILL: ${kills.filter((k) => k.exitSignal === 'SIGKILL').length})`);
    line('kill delay', `median ${ms(quantile(killDelays, 0.5))}, range ${ms(killDelays[0]!)}–${ms(killDelays.at(-1)!)}`);
    line('requests', `${kills.reduce((n, k) => n + k.requests, 0)} (${kills.reduce((n, k) => n + k.resends, 0)} re-sends of earlier batches)`);
    line('events sent (unique)', sent.size);
    line('events acknowledged', v.acked);
    line('lost', v.lost.length);
    line('doubled', v.doubled.length);
    line('stored ≠ acknowledged', v.mismatched.length);
    line('half-stored batches', v.torn.length);
    line('in flight, never acked', `${v.unacked} (in ${kills.reduce((n, k) => n + k.inFlightRequests, 0)} requests cut by the kills)`);
    line('  of which landed anyway', v.landed);
    line('rows in domain_events', `${v.rows}${v.foreign.length ? ` (${v.foreign.length} not sent by the soak)` : ''}`);
    line('cycles with no ack', `${kills.filter((k) => k.ackedRequests === 0).length} (killed before the first response)`);
    line(
      'ready → first ack',
      firstAcks.length
        ? `median ${ms(quantile(firstAcks, 0.5))}, p95 ${ms(quantile(firstAcks, 0.95))}, max ${ms(firstAcks.at(-1)!)} over ${firstAcks.length} cycles`
        : 'never',
    );
    line('idempotency probe', `${probed} acknowledged events re-sent; rows before/after ${v.rows}/${afterProbe.rows}`);
    line(
      'integrity_check',
      `${v.integrity.join(',')} (after restart), ${afterProbe.integrity.join(',')} (after probe), ${afterStop.integrity.join(',')} (after clean stop)`,
    );
    line('foreign_key_check', v.foreignKeyProblems === 0 ? 'ok' : `${v.foreignKeyProblems} problems`);
    line('clean stop at the end', cleanStop ? 'yes' : `no (${JSON.stringify(exit)})`);
    line(
      'restart, spawn→ready',
      `median ${ms(quantile(restarts, 0.5))}, p95 ${ms(quantile(restarts, 0.95))}, max ${ms(restarts.at(-1)!)} over ${restarts.length} restarts after a kill (cold first start ${ms(firstStartMs)})`,
    );
    line('violations', violations.length);
    line('client errors while up', clientErrorCount);
    line('wall time', `${(wallMs / 1000).toFixed(1)} s`);
    line('load average', `start ${fmtLoad(loadStart)}, end ${fmtLoad(loadEnd)} (${os.cpus().length} cpus)`);
    line('result', ok ? 'PASS' : 'FAIL');
    const show = (title: string, items: readonly string[]) => {
      if (items.length === 0) return;
      console.log(`\n${title} (first ${Math.min(items.length, MAX_MESSAGES)} of ${items.length}):`);
      for (const item of items.slice(0, MAX_MESSAGES)) console.log(`  ${item}`);
    };
    show('lost', v.lost);
    show('doubled', v.doubled);
    show('stored ≠ acknowledged', v.mismatched);
    show('half-stored batches', v.torn);
    show('rows not sent by the soak', v.foreign);
    show('violations', violations);
    show('client errors while the server was up', clientErrors);
    if (!integrityOk) show('integrity_check', [...v.integrity, ...afterProbe.integrity, ...afterStop.integrity]);
    return ok ? 0 : 1;
  } finally {
    if (srv?.alive) await srv.kill9();
    if (ok && !args.keep) fs.rmSync(dataDir, { recursive: true, force: true });
    else console.log(`data directory kept: ${dataDir}`);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('soak:crash aborted:', err);
    process.exit(2);
  },
);

/**
 * The write round alone: what a round of N events costs inside the writer (dedup, append, every projection, commit),
 * with no HTTP, no validation and no thread hop, on bench:ingest's workload. bench:ingest measures the product end to
 * end and shows the serial round to be its bound; this says what that round is made of, by taking parts away:
 *
 *   shipped        the schema and durability as they ship
 *   no fsync       the same with synchronous=OFF: the rest is statement and page-writing time
 *   no secondary   also without any secondary index on the tables this workload writes: the floor of the round
 *   ...            and one variant per index worth knowing alone (the ones that insert at random places)
 *   cost-heavy     a log that is four fifths cost records (what transcripts and OTLP send), as shipped and with
 *                  domain_events' entity index as it was before migration 022, measured in the same run
 *
 * BENCH_ROUND (events per round, default 400: what bench:ingest's 8 x 100 in flight groups into), BENCH_ROUNDS (timed
 * rounds per variant, default 300, after 50 untimed), BENCH_VARIANTS (names, `;`-separated), BENCH_REPEAT (passes over the
 * variants, alternating; with more than one, the median pass of each is printed too). See bench/README.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { parseIncomingEvent, type IncomingEvent } from '../../src/contracts/index.js';
import { migrate } from '../../src/server/db/migrator.js';
import { openSqlite } from '../../src/server/db/sqlite-connection.js';
import { contentHash } from '../../src/server/modules/events/content-hash.js';
import { commitRound, type RoundOrigin } from '../../src/server/modules/events/round-commit.js';
import { createProjectionEngine } from '../../src/server/projections.js';
import { benchTmpBase, envInt } from '../support/env.js';
import { measured, reportOthers, waitForQuiet } from '../support/machine-load.js';
import { benchEvent, correlatedEvent, costHeavyEvent } from '../support/workload.js';

const roundSize = envInt('BENCH_ROUND', 400);
const rounds = envInt('BENCH_ROUNDS', 300);
const repeat = envInt('BENCH_REPEAT', 1);
const WARM_ROUNDS = 50;

/** Every secondary index of the tables a round of this workload writes (domain_events, workflows, transitions, stories). */
const SECONDARY = [
  'domain_events_status_history_idx',
  'workflows_status_transition_idx',
  'workflows_transition_idx',
  'workflows_project_order_idx',
  'workflows_story_agent_idx',
  'workflows_owner_idx',
  'workflows_agent_idx',
  'workflow_transitions_workflow_idx',
  'workflow_transitions_key_uq',
  'stories_column_updated_idx',
  'stories_project_idx',
];

interface Variant {
  name: string;
  synchronous: 'FULL' | 'OFF';
  drop: readonly string[];
  /** Statements run after the drops (an index as it was before a migration, to compare in the same run). */
  create?: readonly string[];
  /**
   * bench:ingest's events (the default), a log that is four fifths cost records, or bench:ingest's events carrying a
   * project and a correlation id (a run's id, as the simulator and the connector send them).
   */
  workload?: 'ingest' | 'cost-heavy' | 'correlated';
}

/** domain_events' entity index before migration 022: every event, by entity and time. */
const FORMER_ENTITY_INDEX = 'create index domain_events_entity_idx on domain_events (entity_type, entity_id, occurred_at_utc desc)';
const formerEntityIndex = { drop: ['domain_events_status_history_idx'], create: [FORMER_ENTITY_INDEX] };
/** domain_events' project and correlation indexes, dropped by migration 024 (no query read them). */
const formerEventIndexes = {
  drop: [],
  create: [
    'create index domain_events_project_idx on domain_events (project_id, id)',
    'create index domain_events_correlation_idx on domain_events (correlation_id)',
  ],
};

const ALL_VARIANTS: Variant[] = [
  { name: 'shipped', synchronous: 'FULL', drop: [] },
  { name: 'no fsync', synchronous: 'OFF', drop: [] },
  { name: 'no fsync, former entity index', synchronous: 'OFF', ...formerEntityIndex },
  { name: 'no fsync, no domain_events_status_history_idx', synchronous: 'OFF', drop: ['domain_events_status_history_idx'] },
  { name: 'no fsync, no workflow_transitions_workflow_idx', synchronous: 'OFF', drop: ['workflow_transitions_workflow_idx'] },
  { name: 'no fsync, no workflows secondary', synchronous: 'OFF', drop: SECONDARY.filter((i) => i.startsWith('workflows_')) },
  { name: 'no fsync, no secondary index', synchronous: 'OFF', drop: SECONDARY },
  { name: 'former event indexes', synchronous: 'FULL', ...formerEventIndexes },
  { name: 'correlated', synchronous: 'FULL', drop: [], workload: 'correlated' },
  { name: 'correlated, former event indexes', synchronous: 'FULL', ...formerEventIndexes, workload: 'correlated' },
  { name: 'cost-heavy', synchronous: 'FULL', drop: [], workload: 'cost-heavy' },
  { name: 'cost-heavy, former event indexes', synchronous: 'FULL', ...formerEventIndexes, workload: 'cost-heavy' },
  { name: 'cost-heavy, former entity index', synchronous: 'FULL', ...formerEntityIndex, workload: 'cost-heavy' },
];

// BENCH_VARIANTS='shipped;no fsync': only these variants, by name.
const VARIANTS = process.env.BENCH_VARIANTS ? ALL_VARIANTS.filter((v) => process.env.BENCH_VARIANTS!.split(';').includes(v.name)) : ALL_VARIANTS;

interface Figures {
  usPerEvent: number;
  cpuUsPerEvent: number;
  roundP50Ms: number;
  eventsPerSec: number;
  kibWrittenPerRound: number | undefined;
}

function incoming(n: number, workload: Variant['workload']): IncomingEvent {
  const parsed = parseIncomingEvent(workload === 'cost-heavy' ? costHeavyEvent(n) : workload === 'correlated' ? correlatedEvent(n) : benchEvent(n));
  if (!parsed.ok) throw new Error(`bench event ${n} is invalid: ${JSON.stringify(parsed.errors)}`);
  return parsed.event;
}

/** Bytes this process has written (WAL frames, checkpoints), or undefined without /proc. */
function bytesWritten(): number | undefined {
  try {
    return Number(/wchar: (\d+)/.exec(fs.readFileSync('/proc/self/io', 'utf8'))?.[1]);
  } catch {
    return undefined;
  }
}

async function runVariant(v: Variant, dir: string): Promise<Figures> {
  const file = path.join(dir, `${v.name.replace(/\W+/g, '-')}.db`);
  const db = openSqlite({ file, busyTimeoutMs: 2000 });
  try {
    await migrate(db);
    for (const name of v.drop) await sql`drop index ${sql.ref(name)}`.execute(db.write);
    for (const statement of v.create ?? []) await sql.raw(statement).execute(db.write);
    await sql.raw(`pragma synchronous = ${v.synchronous}`).execute(db.write);
    const projections = createProjectionEngine();
    const tx = { maxRetries: 0, retryDelayMs: 0 };
    const at = () => new Date().toISOString();
    // Built before the timed part: parsing and hashing are the main thread's work, not the round's.
    let next = 0;
    const prepare = (count: number) =>
      Array.from({ length: count }, () => {
        const events = Array.from({ length: roundSize }, () => incoming(next++, v.workload));
        const origins: RoundOrigin[] = events.map(() => ({ sentBy: null, traceId: null, spanId: null }));
        return { events, origins, hashes: events.map(contentHash) };
      });
    for (const r of prepare(WARM_ROUNDS)) await commitRound(db, projections, r.events, r.origins, at, tx, r.hashes);
    const timed = prepare(rounds);

    const times: number[] = [];
    const written0 = bytesWritten();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const r of timed) {
      const started = performance.now();
      await commitRound(db, projections, r.events, r.origins, at, tx, r.hashes);
      times.push(performance.now() - started);
    }
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const written1 = bytesWritten();
    times.sort((a, b) => a - b);
    const events = rounds * roundSize;
    return {
      usPerEvent: (wallMs * 1000) / events,
      cpuUsPerEvent: (cpu.user + cpu.system) / events,
      roundP50Ms: times[Math.floor(times.length / 2)]!,
      eventsPerSec: (events / wallMs) * 1000,
      kibWrittenPerRound: written0 === undefined || written1 === undefined ? undefined : (written1 - written0) / rounds / 1024,
    };
  } finally {
    await db.close();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${file}${suffix}`, { force: true });
  }
}

const row = (name: string, f: Figures) =>
  `${name.padEnd(48)} | ${f.usPerEvent.toFixed(1).padStart(8)} | ${f.cpuUsPerEvent.toFixed(1).padStart(12)} | ` +
  `${f.roundP50Ms.toFixed(1).padStart(6)} ms | ${Math.round(f.eventsPerSec).toLocaleString('en-US').padStart(8)} | ` +
  `${f.kibWrittenPerRound === undefined ? 'n/a' : Math.round(f.kibWrittenPerRound).toLocaleString('en-US')}`;
const HEADER = [
  'variant                                          | us/event | CPU us/event | round p50 | events/s | KiB written/round',
  '-------------------------------------------------|----------|--------------|-----------|----------|------------------',
];

/** Per variant, the pass with the median wall time. */
function medians(passes: Map<string, Figures[]>): [string, Figures][] {
  return [...passes].map(([name, fs]) => [name, [...fs].sort((a, b) => a.usPerEvent - b.usPerEvent)[Math.floor(fs.length / 2)]!]);
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(benchTmpBase(), 'bmad-rounds-'));
  console.log(
    `write rounds: ${roundSize} events per round, ${rounds} timed rounds per variant, ${repeat} pass(es), ${os.cpus().length} CPUs, node ${process.version}`,
  );
  console.log(HEADER.join('\n'));
  const others: (number | undefined)[] = [];
  const passes = new Map<string, Figures[]>();
  try {
    // Variants alternate within each pass, so a machine that slows down for a while slows all of them, not one.
    for (let pass = 1; pass <= repeat; pass++) {
      for (const v of VARIANTS) {
        await waitForQuiet(v.name, 0.5, 30, 'user');
        const { value: f, othersCores } = await measured(() => runVariant(v, dir), 'user');
        others.push(othersCores);
        passes.set(v.name, [...(passes.get(v.name) ?? []), f]);
        console.log(row(repeat > 1 ? `${v.name} (${pass})` : v.name, f));
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (repeat > 1) {
    console.log(`\nmedian of ${repeat} passes\n${HEADER.join('\n')}`);
    for (const [name, f] of medians(passes)) console.log(row(name, f));
  }
  reportOthers(others);
}

await main();

import SqliteDatabase from 'better-sqlite3';
import { migrate } from '../../src/server/db/migrator.js';
import { openSqlite } from '../../src/server/db/sqlite-connection.js';
import type { DomainEventValues } from './workload.js';

/**
 * The pragmas of src/server/db/sqlite-connection.ts (writer role). That function is private to the server, so they
 * are repeated here; checkPragmas() below fails the run if the ones that decide write cost ever drift.
 */
const PRAGMAS = [
  'journal_mode = WAL',
  'synchronous = FULL',
  'busy_timeout = 2000',
  'foreign_keys = ON',
  'journal_size_limit = 67108864',
  'cache_size = -65536',
  'temp_store = MEMORY',
];

function checkPragmas(db: SqliteDatabase.Database): void {
  const actual = {
    journal_mode: db.pragma('journal_mode', { simple: true }),
    synchronous: db.pragma('synchronous', { simple: true }),
    foreign_keys: db.pragma('foreign_keys', { simple: true }),
    cache_size: db.pragma('cache_size', { simple: true }),
  };
  const expected = { journal_mode: 'wal', synchronous: 2, foreign_keys: 1, cache_size: -65536 };
  if (JSON.stringify(actual) !== JSON.stringify(expected))
    throw new Error(`ceiling pragmas ${JSON.stringify(actual)} differ from the server's ${JSON.stringify(expected)}`);
}

const INSERT = `insert into domain_events (event_type, entity_type, entity_id, project_id, story_id, workflow_id, occurred_at_utc,
  ingested_at_utc, source_system, source_event_id, correlation_id, payload_json, content_hash)
  values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export interface CeilingResult {
  events: number;
  elapsedMs: number;
}

/**
 * The fastest this machine can append these rows to domain_events with the server's schema and durability: one
 * prepared statement, one transaction per batch, no HTTP, validation, dedup lookup or projections.
 * `warmup` batches are written first, untimed, so both sides start from the same table size.
 */
export async function runCeiling(file: string, warmup: readonly DomainEventValues[][], timed: readonly DomainEventValues[][]): Promise<CeilingResult> {
  const handle = openSqlite({ file, busyTimeoutMs: 2000 });
  try {
    await migrate(handle);
  } finally {
    await handle.close();
  }

  const db = new SqliteDatabase(file);
  try {
    for (const p of PRAGMAS) db.pragma(p);
    checkPragmas(db);
    const insert = db.prepare(INSERT);
    const appendBatch = db.transaction((rows: readonly DomainEventValues[], ingestedAt: string) => {
      for (const r of rows) insert.run(r[0], r[1], r[2], r[3], r[4], r[5], r[6], ingestedAt, r[7], r[8], r[9], r[10], r[11]);
    });
    // better-sqlite3's default BEGIN is deferred; the server takes the write lock up front, so match it.
    const append = (rows: readonly DomainEventValues[]) => appendBatch.immediate(rows, new Date().toISOString());

    for (const batch of warmup) append(batch);
    const started = performance.now();
    for (const batch of timed) append(batch);
    const elapsedMs = performance.now() - started;

    const stored = (db.prepare('select count(*) as n from domain_events').get() as { n: number }).n;
    const expected = [...warmup, ...timed].reduce((sum, b) => sum + b.length, 0);
    if (stored !== expected) throw new Error(`ceiling stored ${stored} rows, expected ${expected}`);
    return { events: timed.reduce((sum, b) => sum + b.length, 0), elapsedMs };
  } finally {
    db.close();
  }
}

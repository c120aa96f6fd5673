import { createHash, randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { DatabaseHandle } from './handle.js';
import type { Database } from './schema.js';
import type { Migration } from './migrations/types.js';
import { MIGRATIONS } from './migrations/index.js';
import { toPostgresTypes } from './migrations/postgres-types.js';

export class MigrationMismatchError extends Error {
  constructor(message: string) {
    super(`${message}. Refusing to start: this build and the database disagree about the schema.`);
    this.name = 'MigrationMismatchError';
  }
}

interface CompiledMigration {
  migration: Migration;
  statements: string[];
  checksum: string;
}

function compile(db: Kysely<unknown>, dialect: DatabaseHandle['dialect'], migration: Migration): CompiledMigration {
  const compiled = migration.statements(db, dialect).map((s) => s.compile().sql);
  const statements = dialect === 'postgres' ? compiled.map(toPostgresTypes) : compiled;
  const checksum = createHash('sha256').update(statements.join(';\n')).digest('hex');
  return { migration, statements, checksum };
}

export interface MigrationStatus {
  applied: number;
  expected: number;
  current: boolean;
}

/**
 * Applies pending forward-only migrations, each in its own transaction, and refuses a database that has applied
 * a migration this build does not know or whose SQL differs (edited after release).
 */
export async function migrate(handle: DatabaseHandle, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationStatus> {
  if (handle.dialect === 'sqlite') {
    // A command opening the database beside a running server may need the write lock (a pending migration, a first
    // epoch) while the server's writer or rollup holds it. The connection's own busy timeout is tuned for the hot path,
    // where the writer retries; a start-up has no such retry, so it waits as long as a person would.
    const [previous] = (await sql<{ timeout: number }>`pragma busy_timeout`.execute(handle.write)).rows;
    await sql.raw(`pragma busy_timeout = ${MIGRATION_BUSY_TIMEOUT_MS}`).execute(handle.write);
    try {
      return await migrateWith(handle.write, handle.dialect, migrations, (work) => handle.write.transaction().execute(work));
    } finally {
      await sql.raw(`pragma busy_timeout = ${Math.max(0, Math.floor(previous?.timeout ?? 0))}`).execute(handle.write);
    }
  }
  // Several instances may start at once: one migrates, under a lock, in one transaction (Postgres DDL is transactional).
  return handle.write.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK}::bigint)`.execute(trx);
    return migrateWith(trx, handle.dialect, migrations, (work) => work(trx));
  });
}

const MIGRATION_LOCK = '7164170123';
const MIGRATION_BUSY_TIMEOUT_MS = 15_000;

async function migrateWith(
  db: Kysely<Database>,
  dialect: DatabaseHandle['dialect'],
  migrations: readonly Migration[],
  inTransaction: (work: (trx: Kysely<Database>) => Promise<void>) => Promise<void>,
): Promise<MigrationStatus> {
  await db.schema
    .createTable('schema_migrations')
    .ifNotExists()
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('checksum', 'text', (c) => c.notNull())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .execute();

  const compiled = migrations.map((m) => compile(db as Kysely<unknown>, dialect, m));
  const applied = await db.selectFrom('schema_migrations').selectAll().orderBy('version').execute();
  for (const row of applied) {
    const known = compiled.find((c) => c.migration.version === row.version);
    if (!known) throw new MigrationMismatchError(`the database has migration ${row.version} (${row.name}) that this build does not know`);
    if (known.checksum !== row.checksum || known.migration.name !== row.name) {
      throw new MigrationMismatchError(`migration ${row.version} (${row.name}) was changed after it was applied`);
    }
  }
  const done = new Set(applied.map((r) => r.version));
  for (const c of compiled) {
    if (done.has(c.migration.version)) continue;
    await inTransaction(async (trx) => {
      for (const statement of c.statements) await sql.raw(statement).execute(trx);
      await trx
        .insertInto('schema_migrations')
        .values({ version: c.migration.version, name: c.migration.name, checksum: c.checksum, applied_at: new Date().toISOString() })
        .execute();
    });
  }
  // The epoch identifies this database's event sequence; a client holding positions from another epoch must resync.
  // Read first: opening a migrated database must not need the write lock at all.
  const epoch = await db.selectFrom('meta').select('value').where('key', '=', 'epoch').executeTakeFirst();
  if (epoch) return { applied: compiled.length, expected: compiled.length, current: true };
  await db
    .insertInto('meta')
    .values({ key: 'epoch', value: randomUUID() })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  return { applied: compiled.length, expected: compiled.length, current: true };
}

/** Read-only check used by /health: are the applied migrations exactly the ones this build ships? */
export async function migrationStatus(handle: DatabaseHandle, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationStatus> {
  const rows = await handle.read.selectFrom('schema_migrations').select(['version', 'checksum']).execute();
  const compiled = migrations.map((m) => compile(handle.read as Kysely<unknown>, handle.dialect, m));
  const current = rows.length === compiled.length && compiled.every((c) => rows.some((r) => r.version === c.migration.version && r.checksum === c.checksum));
  return { applied: rows.length, expected: compiled.length, current };
}

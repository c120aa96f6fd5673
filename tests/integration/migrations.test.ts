import Database from 'better-sqlite3';
import { testBackend } from '../support/postgres.js';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema, databaseFile } from '../../src/server/config.js';
import { MigrationMismatchError } from '../../src/server/db/migrator.js';
import { MIGRATIONS } from '../../src/server/db/migrations/index.js';
import { createLogger } from '../../src/server/observability/logger.js';
import { createCore } from '../../src/server/core.js';
import { tempDir } from '../support/test-server.js';
import { holdWriteLock as holdLock } from '../support/sqlite-lock.js';

const dirs: string[] = [];
const holders: ChildProcess[] = [];
async function holdWriteLock(file: string, holdMs: number): Promise<ChildProcess> {
  const child = await holdLock(file, holdMs);
  holders.push(child);
  return child;
}

afterAll(() => {
  holders.forEach((h) => h.kill());
  dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

async function freshDatabase() {
  const dataDir = tempDir('bmad-ops-mig-');
  dirs.push(dataDir);
  const config = configSchema.parse({ dataDir, logLevel: 'silent' });
  const core = await createCore(config, { logger: createLogger('silent') });
  await core.close();
  return { config, file: databaseFile(config) };
}

// SQLite only: these cases edit the SQLite file's schema_migrations by hand; tests/contract migrates Postgres.
describe.skipIf(testBackend() === 'postgres')('migrations', () => {
  it('are applied once, in WAL mode, with an epoch, and re-opening changes nothing', async () => {
    const { config, file } = await freshDatabase();
    const db = new Database(file, { readonly: true });
    const epoch = (db.prepare("select value from meta where key = 'epoch'").get() as { value: string }).value;
    expect(epoch).toMatch(/^[0-9a-f-]{36}$/);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = (db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]).map((r) => r.name);
    for (const name of [
      'users',
      'agents',
      'projects',
      'stories',
      'workflows',
      'domain_events',
      'workflow_transitions',
      'cost_events',
      'agent_metrics',
      'agent_outliers',
      'documents',
      'sync_state',
      'client_sessions',
      'api_keys',
      'audit_log',
      'meta',
      'schema_migrations',
      'consistency_reports',
      'consistency_findings',
    ]) {
      expect(tables).toContain(name);
    }
    const indexes = (db.prepare("select name from sqlite_master where type = 'index'").all() as { name: string }[]).map((r) => r.name);
    expect(indexes).toEqual(
      expect.arrayContaining([
        'domain_events_status_history_idx',
        'cost_events_project_time_idx',
        'agent_metrics_agent_kpi_idx',
        'workflows_status_transition_idx',
        'projects_status_due_idx',
        'stories_column_updated_idx',
        'workflow_transitions_workflow_idx',
      ]),
    );
    db.close();
    const again = await createCore(config, { logger: createLogger('silent') });
    await again.close();
    const db2 = new Database(file, { readonly: true });
    expect((db2.prepare("select value from meta where key = 'epoch'").get() as { value: string }).value).toBe(epoch);
    expect((db2.prepare('select count(*) as n from schema_migrations').get() as { n: number }).n).toBe(MIGRATIONS.length);
    db2.close();
  });

  it('opens a migrated database without its write lock, while another process holds it', async () => {
    const { config } = await freshDatabase();
    const holder = await holdWriteLock(databaseFile(config), 60_000);
    const core = await createCore(config, { logger: createLogger('silent') });
    await core.close();
    expect(holder.exitCode).toBeNull();
  });

  it('migrates a new database once another process lets go of its write lock, instead of failing at once', async () => {
    const dataDir = tempDir('bmad-ops-mig-busy-');
    dirs.push(dataDir);
    const config = configSchema.parse({ dataDir, logLevel: 'silent' });
    fs.mkdirSync(dataDir, { recursive: true });
    const holder = await holdWriteLock(databaseFile(config), 600);
    const core = await createCore(config, { logger: createLogger('silent') });
    await core.close();
    expect(holder.exitCode ?? (await new Promise((r) => holder.once('exit', r)))).toBe(0);
    const db = new Database(databaseFile(config), { readonly: true });
    expect((db.prepare('select count(*) as n from schema_migrations').get() as { n: number }).n).toBe(MIGRATIONS.length);
    db.close();
  });

  it('creates the data directory 0700 and the database file 0600 (they hold credential hashes)', async () => {
    const base = tempDir('bmad-ops-perm-');
    dirs.push(base);
    const dataDir = `${base}/nested/data`;
    const config = configSchema.parse({ dataDir, logLevel: 'silent' });
    const core = await createCore(config, { logger: createLogger('silent') });
    await core.close();
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(databaseFile(config)).mode & 0o777).toBe(0o600);
    for (const suffix of ['-wal', '-shm']) {
      const f = `${databaseFile(config)}${suffix}`;
      if (fs.existsSync(f)) expect(fs.statSync(f).mode & 0o077).toBe(0);
    }
  });

  it('refuses a database with a migration this build does not know', async () => {
    const { config, file } = await freshDatabase();
    const db = new Database(file);
    db.prepare("insert into schema_migrations values (999, 'from-the-future', 'x', '2026-01-01T00:00:00Z')").run();
    db.close();
    await expect(createCore(config, { logger: createLogger('silent') })).rejects.toThrow(MigrationMismatchError);
    await expect(createCore(config, { logger: createLogger('silent') })).rejects.toThrow(/999 \(from-the-future\)/);
  });

  it('refuses a database whose applied migration differs from the code', async () => {
    const { config, file } = await freshDatabase();
    const db = new Database(file);
    db.prepare("update schema_migrations set checksum = 'tampered' where version = 1").run();
    db.close();
    await expect(createCore(config, { logger: createLogger('silent') })).rejects.toThrow(/changed after it was applied/);
  });
});

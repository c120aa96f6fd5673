import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/server/db/sqlite-connection.js';
import { sql } from 'kysely';
import { tempDir } from '../support/test-server.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

async function synchronousOf() {
  const dir = tempDir('bmad-ops-pragmas-');
  dirs.push(dir);
  const handle = openSqlite({ file: path.join(dir, 'x.db'), busyTimeoutMs: 50 });
  try {
    const read = async (db: typeof handle.write) => (await sql<{ synchronous: number }>`pragma synchronous`.execute(db)).rows[0]!.synchronous;
    return { writer: await read(handle.write), reader: await read(handle.read) };
  } finally {
    await handle.close();
  }
}

// 2 = FULL (the WAL is fsynced at every commit), 1 = NORMAL (synced at the next checkpoint: power loss can lose commits).
describe('SQLite durability per connection', () => {
  it('syncs every commit on every connection: an acknowledged ingest survives power loss', async () => {
    expect(await synchronousOf()).toEqual({ writer: 2, reader: 2 });
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/server/clock.js';
import { BmadSimulator } from '../../src/server/simulator/bmad-simulator.js';
import { SeededRandom } from '../../src/server/simulator/random.js';
import { runCliAsync } from '../support/cli.js';
import { createTestDatabase, dropTestDatabase } from '../support/postgres.js';
import { startTestServer, tempDir, type TestServer } from '../support/test-server.js';

const NOW = new Date('2026-11-29T18:00:00Z');
/** Read endpoints whose answers must not change with the move. */
const READS = [
  '/api/v1/projects',
  '/api/v1/workflows?limit=200',
  '/api/v1/stories?limit=200',
  '/api/v1/costs/summary?window=30d',
  '/api/v1/directory',
  '/api/v1/kanban/board',
];

const databases: string[] = [];
afterAll(async () => {
  for (const d of databases) await dropTestDatabase(d);
});

async function answers(t: TestServer): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const p of READS) {
    const r = await t.get(p);
    out[p] = { status: r.status, body: await r.json() };
  }
  return out;
}

describe('bmad-ops migrate --to', () => {
  it('copies a simulator-filled installation into an empty Postgres database, verifies every table, and the server answers the same there', async () => {
    const dataDir = tempDir();
    const clock = fixedClock(new Date('2026-11-29T08:00:00Z'));
    const sim = new BmadSimulator({ runId: 'migrate', random: new SeededRandom(11), clock, source: 'test' });
    const local = await startTestServer({ dataDir, backend: 'sqlite', clock: fixedClock(NOW) });
    for (let i = 0; i < 8; i++) {
      clock.advance(60_000);
      const r = await local.ingest(sim.next(250));
      expect(r.status, await r.clone().text()).toBe(200);
    }
    await local.server.core.rollup.drain();
    const before = await answers(local);
    await local.close();

    const db = await createTestDatabase('migrate');
    databases.push(db.name);
    // Postgres here trusts local connections, so any password is accepted: the point is that it is never printed.
    const url = db.url.replace('postgres@', 'postgres:s3cret-pw@');
    const moved = await runCliAsync(['migrate', '--to', url, '--data-dir', dataDir]);
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout).toMatch(/verified: \d+ tables, [\d,]+ rows, counts and checksums equal/);
    expect(moved.stdout).toContain('BMAD_OPS_DATABASE_URL=');
    expect(moved.stdout + moved.stderr).not.toContain('s3cret-pw');
    expect(moved.stderr).toMatch(/domain_events: 2,000 rows/);

    const remote = await startTestServer({ backend: 'postgres', config: { database: { url: db.url } }, clock: fixedClock(NOW) });
    try {
      await remote.server.core.rollup.drain();
      expect(await answers(remote)).toEqual(before);
    } finally {
      await remote.close();
    }

    // Only into an empty database: a second run is refused and changes nothing.
    const again = await runCliAsync(['migrate', '--to', db.url, '--data-dir', dataDir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already has a BMAD Ops schema');
  });

  it('names a --to that is not a Postgres URL', async () => {
    const r = await runCliAsync(['migrate', '--to', 'mysql://localhost/x', '--data-dir', tempDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--to: must be a postgres:// or postgresql:// URL');
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ENDPOINTS, fullPath, type EndpointSpec } from '../../src/contracts/index.js';
import { fixedClock } from '../../src/server/clock.js';
import { BmadSimulator, type SimulatedEvent } from '../../src/server/simulator/bmad-simulator.js';
import { SeededRandom } from '../../src/server/simulator/random.js';
import { ADMIN, startTestServer, type TestServer } from '../support/test-server.js';

/**
 * SQLite and Postgres must give the same answers: the same events, shuffled, go to one server on each backend, and
 * every read endpoint's JSON is compared, including pages of single projects, stories and workflows.
 */

const NOW = new Date('2026-11-29T18:00:00Z');
/** Answers about the instance rather than the data (its process, its checks), or not JSON. */
const INSTANCE = new Set(['/api/v1/status', '/api/v1/health', '/api/v1/consistency/runs', '/api/v1/openapi.json', '/metrics']);
const LISTS: readonly EndpointSpec[] = ENDPOINTS.filter(
  (e) => e.method === 'GET' && e.access === 'read' && e.response !== null && !e.path.includes(':') && !INSTANCE.has(fullPath(e)),
);

function simulated(count: number): SimulatedEvent[] {
  const clock = fixedClock(new Date('2026-11-29T08:00:00Z'));
  const sim = new BmadSimulator({ runId: 'backends', random: new SeededRandom(5), clock, source: 'test' });
  const out: SimulatedEvent[] = [];
  while (out.length < count) {
    clock.advance(30_000);
    out.push(...sim.next(Math.min(25, count - out.length)));
  }
  return out;
}

async function everything(t: TestServer): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const read = async (path: string) => {
    const r = await t.get(path);
    out[path] = { status: r.status, body: await r.json() };
    return out[path] as { status: number; body: unknown };
  };
  for (const e of LISTS) await read(fullPath(e));
  const ids = (body: unknown): string[] => ((body as { items?: { id: string }[] }).items ?? []).slice(0, 3).map((x) => x.id);
  for (const id of ids((await read('/api/v1/projects')).body)) await read(`/api/v1/projects/${encodeURIComponent(id)}`);
  for (const id of ids((await read('/api/v1/stories?limit=50')).body)) await read(`/api/v1/stories/${encodeURIComponent(id)}`);
  for (const id of ids((await read('/api/v1/workflows?limit=50')).body)) await read(`/api/v1/workflows/${encodeURIComponent(id)}`);
  // The test server's own account has a random id of its own on each server: the one difference that is not data.
  const people = (out['/api/v1/directory'] as { body: { people: { id: string; email: string | null }[] } }).body.people;
  const admin = people.find((p) => p.email === ADMIN.email)?.id;
  return admin ? (JSON.parse(JSON.stringify(out).replaceAll(admin, '<admin>')) as Record<string, unknown>) : out;
}

async function answersOf(backend: 'sqlite' | 'postgres', events: readonly SimulatedEvent[]): Promise<Record<string, unknown>> {
  const t = await startTestServer({ backend, clock: fixedClock(NOW) });
  try {
    for (let i = 0; i < events.length; i += 100) {
      const r = await t.ingest(events.slice(i, i + 100) as unknown[]);
      expect(r.status, await r.clone().text()).toBe(200);
    }
    await t.server.core.rollup.drain();
    return await everything(t);
  } finally {
    await t.close();
  }
}

describe('SQLite and Postgres', () => {
  const events = simulated(400);

  it('answer every read endpoint with the same JSON for the same shuffled events', async () => {
    expect(LISTS.length).toBeGreaterThan(10);
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray(events, { minLength: events.length }), async (shuffled) => {
        const [onSqlite, onPostgres] = [await answersOf('sqlite', shuffled), await answersOf('postgres', shuffled)];
        expect(Object.keys(onSqlite).length).toBeGreaterThan(15);
        expect(onPostgres).toEqual(onSqlite);
      }),
      { numRuns: 5 },
    );
  }, 240_000);
});

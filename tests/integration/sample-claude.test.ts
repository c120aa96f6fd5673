import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Workflow } from '../../src/contracts/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** A fresh `npm start` (serve --sample): the sample's synthetic Claude Code sessions give it costs and agent runs. */
describe('the sample project has Claude Code usage from its first start', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ config: { bmad: { sample: true } } });
  }, 60_000);
  afterAll(() => t.close());

  it('imports the sample transcripts, prices every request and joins sessions to the runs the history shows', async () => {
    expect(t.server.claude).toMatchObject({ sessionsByProject: { streakly: 29 }, requestsByProject: { streakly: 320 }, sessionsOutside: 0, malformed: 0 });
    const usd = t.server.claude!.costByProject.find((c) => c.currency === 'USD');
    expect(usd!.amount).toBeGreaterThan(10);
    // Every model the sample uses has a price: nothing is left unpriced.
    expect(t.server.claude!.costByProject.map((c) => [c.projectId, c.currency, c.requests, c.unpriced])).toEqual([['bmad:streakly', 'USD', 320, 0]]);

    const res = await t.get('/api/v1/workflows?projectId=bmad%3Astreakly&pageSize=200');
    const runs = ((await res.json()) as { items: Workflow[] }).items;
    const withSessions = runs.filter((r) => r.sessions.length > 0);
    // Every session run is shown once: as a run BMAD's files show, or as its own (sprint planning, the retrospective).
    expect(withSessions.reduce((n, r) => n + r.sessions.length, 0)).toBe(28);
    expect(
      runs
        .filter((r) => r.id.includes(':wf:session:'))
        .map((r) => r.name)
        .sort(),
    ).toEqual(['retrospective', 'sprint-planning']);
    // Story 2-3's development run: a session that ended on API errors, and one still going a few minutes ago.
    const dev23 = runs.find((r) => r.id === 'bmad:streakly:wf:2-3-streak-freeze-tokens:dev-story')!;
    expect(dev23.sessions.map((s) => s.status)).toEqual(['failed', 'in_progress']);
    expect(dev23.cost!.requests).toBe(14);
    // Planning runs carry their sessions' cost too.
    expect(runs.find((r) => r.id === 'bmad:streakly:wf:plan:create-prd')!.cost!.requests).toBe(14);

    const summary = (await (await t.get('/api/v1/costs/summary?window=30d&groupBy=workflow')).json()) as {
      availability: string;
      breakdown: { key: string | null }[];
      priceTable: { version: string };
    };
    expect(summary.availability).not.toBe('unavailable');
    expect(summary.priceTable).toEqual({ version: t.server.core.pricing.version });
    expect(summary.breakdown.map((b) => b.key)).toEqual(expect.arrayContaining(['dev-story', 'code-review', 'create-story']));
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Workflow } from '../../src/contracts/index.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * Runs made from Claude Code sessions (the importer's workflow events, `:wf:session:` ids) and the runs BMAD's files
 * show (the connector's) are one run when they did the same work, whichever arrives first.
 */
let n = 0;
const P = 'bmad:p';
const story = (key: string) => `${P}:story:${key}`;
const at = (min: number) => new Date(Date.UTC(2026, 10, 20, 9, 0) + min * 60_000).toISOString();

function run(id: string, name: string, storyId: string | null, startMin: number, source = 'bmad-connector') {
  return {
    id: `e-${++n}`,
    source,
    type: 'workflow.upserted',
    occurredAt: at(startMin),
    entity: { type: 'workflow', id },
    payload: { projectId: P, storyId, name, status: 'in_progress' },
  };
}
function transition(id: string, to: string, min: number, from = 'in_progress', source = 'bmad-connector') {
  return { id: `e-${++n}`, source, type: 'workflow.transitioned', occurredAt: at(min), entity: { type: 'workflow', id }, payload: { from, to } };
}
function cost(workflowId: string, amount: number, min: number, extra: Record<string, unknown> = {}) {
  return {
    id: `e-${++n}`,
    source: 'claude-code-importer',
    type: 'cost.recorded',
    occurredAt: at(min),
    entity: { type: 'cost', id: `c-${n}` },
    payload: {
      amount,
      currency: 'USD',
      projectId: P,
      workflowId,
      requestId: `req-${n}`,
      tokens: { input: 10, output: 5, cacheWrite: 0, cacheRead: 100 },
      ...extra,
    },
  };
}

describe('runs from Claude Code sessions', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(() => t.close());

  const ingest = async (events: unknown[]) => {
    const res = await t.ingest(events);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { rejected: number }).rejected).toBe(0);
  };
  const list = async (storyId?: string) => {
    const res = await t.get(`/api/v1/workflows?projectId=${encodeURIComponent(P)}${storyId ? `&storyId=${encodeURIComponent(storyId)}` : ''}&pageSize=100`);
    return ((await res.json()) as { items: Workflow[] }).items;
  };

  it('a session that did a story run BMAD already shows is that run, with its cost', async () => {
    const inferred = `${P}:wf:1-2-habits:dev-story`;
    const session = `${P}:wf:session:aaa`;
    await ingest([run(inferred, 'dev-story 1-2-habits', story('1-2-habits'), 0)]);
    await ingest([
      run(session, 'dev-story 1-2-habits', story('1-2-habits'), 10, 'claude-code-importer'),
      transition(session, 'in_progress', 10, 'queued', 'claude-code-importer'),
    ]);
    await ingest([cost(session, 1.25, 11), cost(session, 0.5, 20), transition(session, 'done', 40, 'in_progress', 'claude-code-importer')]);
    const runs = await list(story('1-2-habits'));
    expect(runs.map((r) => r.id)).toEqual([inferred]);
    expect(runs[0]!.cost).toEqual({
      totals: [{ currency: 'USD', amount: 1.75 }],
      requests: 2,
      unpriced: 0,
      tokens: { input: 20, output: 10, cacheWrite: 0, cacheRead: 200 },
    });
    expect(runs[0]!.sessions).toEqual([{ id: session, startedAt: at(10), endedAt: at(40), status: 'done' }]);
    // The run's own page says the same; the session run has no page of its own.
    const detail = (await (await t.get(`/api/v1/workflows/${encodeURIComponent(inferred)}`)).json()) as Workflow;
    expect(detail.cost?.totals).toEqual([{ currency: 'USD', amount: 1.75 }]);
    expect((await t.get(`/api/v1/workflows/${encodeURIComponent(session)}`)).status).toBe(404);
  });

  it('a session shown on its own is taken over when the run BMAD infers for it arrives later', async () => {
    const session = `${P}:wf:session:bbb`;
    await ingest([run(session, 'dev-story 1-3-check-in', story('1-3-check-in'), 100, 'claude-code-importer'), cost(session, 2, 101)]);
    expect((await list(story('1-3-check-in'))).map((r) => [r.id, r.status])).toEqual([[session, 'in_progress']]);
    const inferred = `${P}:wf:1-3-check-in:dev-story`;
    await ingest([run(inferred, 'dev-story 1-3-check-in', story('1-3-check-in'), 105)]);
    const runs = await list(story('1-3-check-in'));
    expect(runs.map((r) => r.id)).toEqual([inferred]);
    expect(runs[0]!.cost?.totals).toEqual([{ currency: 'USD', amount: 2 }]);
    // Later events of the session still fold onto it (its state is kept with its link), and never bring its row back.
    await ingest([transition(session, 'failed', 130, 'in_progress', 'claude-code-importer')]);
    const again = await list(story('1-3-check-in'));
    expect(again.map((r) => r.id)).toEqual([inferred]);
    expect(again[0]!.sessions).toEqual([{ id: session, startedAt: at(100), endedAt: at(130), status: 'failed' }]);
  });

  it('a session with no matching run is a run of its own; one too far in time from a run is not that run', async () => {
    const inferred = `${P}:wf:2-1-streaks:dev-story`;
    await ingest([run(inferred, 'dev-story 2-1-streaks', story('2-1-streaks'), 0), transition(inferred, 'done', 60)]);
    // Three days later: rework nobody has recorded in the files yet.
    const late = `${P}:wf:session:ccc`;
    await ingest([
      run(late, 'dev-story 2-1-streaks', story('2-1-streaks'), 3 * 24 * 60, 'claude-code-importer'),
      transition(late, 'failed', 3 * 24 * 60 + 30, 'in_progress', 'claude-code-importer'),
    ]);
    const runs = await list(story('2-1-streaks'));
    expect(runs.map((r) => [r.id, r.status]).sort()).toEqual([
      [inferred, 'done'],
      [late, 'failed'],
    ]);
    expect(runs.find((r) => r.id === late)!.cost).toBeNull();
  });

  it("a planning session is the project's planning run of that workflow, and build is dev-story renamed", async () => {
    const plan = `${P}:wf:plan:create-prd`;
    await ingest([run(plan, 'create-prd', null, 0), transition(plan, 'done', 5 * 24 * 60)]);
    const session = `${P}:wf:session:ddd`;
    await ingest([run(session, 'create-prd', null, -60, 'claude-code-importer'), cost(session, 3, -50)]);
    const prd = (await list()).filter((r) => r.name === 'create-prd');
    expect(prd.map((r) => r.id)).toEqual([plan]);
    expect(prd[0]!.cost?.totals).toEqual([{ currency: 'USD', amount: 3 }]);

    const build = `${P}:wf:3-1-charts:build`;
    const dev = `${P}:wf:session:eee`;
    await ingest([run(build, 'build 3-1-charts', story('3-1-charts'), 0), run(dev, 'dev-story 3-1-charts', story('3-1-charts'), 30, 'claude-code-importer')]);
    expect((await list(story('3-1-charts'))).map((r) => r.id)).toEqual([build]);
  });

  it('the Costs page breaks cost down by BMAD workflow and by epic', async () => {
    await ingest([
      {
        id: 's-epic',
        source: 'bmad-connector',
        type: 'story.upserted',
        occurredAt: at(0),
        entity: { type: 'story', id: story('4-1-export') },
        payload: { projectId: P, title: 'Export', epic: '4', status: 'in_progress' },
      },
      {
        id: 'e-epic',
        source: 'bmad-connector',
        type: 'epic.upserted',
        occurredAt: at(0),
        entity: { type: 'epic', id: `${P}:epic:4` },
        payload: { projectId: P, key: '4', title: 'Data ownership', status: 'in_progress' },
      },
      { ...cost(`${P}:wf:session:fff`, 0.75, 200, { workflow: 'dev-story', storyId: story('4-1-export') }), storyId: story('4-1-export') },
      cost(`${P}:wf:session:ggg`, 0.25, 201, { workflow: 'code-review' }),
    ]);
    const q = `window=custom&start=${encodeURIComponent(at(-24 * 60))}&end=${encodeURIComponent(at(5 * 24 * 60))}&projectId=${encodeURIComponent(P)}`;
    const byWorkflow = (await (await t.get(`/api/v1/costs/summary?${q}&groupBy=workflow`)).json()) as {
      breakdown: { key: string | null; totals: { amount: number }[] }[];
    };
    const amount = (rows: typeof byWorkflow.breakdown, key: string | null) => rows.find((r) => r.key === key)?.totals[0]?.amount;
    expect(amount(byWorkflow.breakdown, 'dev-story')).toBe(0.75);
    expect(amount(byWorkflow.breakdown, 'code-review')).toBe(0.25);
    const byEpic = (await (await t.get(`/api/v1/costs/summary?${q}&groupBy=epic`)).json()) as {
      breakdown: { key: string | null; label: string | null; totals: { amount: number }[] }[];
    };
    expect(byEpic.breakdown.find((r) => r.key === `${P}|4`)).toMatchObject({ label: 'Epic 4: Data ownership', totals: [{ amount: 0.75 }] });
    expect(amount(byEpic.breakdown, null)).toBeGreaterThan(0);
    // A title that already names the epic is not prefixed twice.
    await ingest([
      {
        id: 'e-epic-2',
        source: 'bmad-connector',
        type: 'epic.upserted',
        occurredAt: at(1),
        entity: { type: 'epic', id: `${P}:epic:4` },
        payload: { projectId: P, key: '4', title: 'Epic 4: Data ownership', status: 'in_progress' },
      },
    ]);
    const again = (await (await t.get(`/api/v1/costs/summary?${q}&groupBy=epic`)).json()) as typeof byEpic;
    expect(again.breakdown.find((r) => r.key === `${P}|4`)?.label).toBe('Epic 4: Data ownership');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  directorySchema,
  lineageResponseSchema,
  flowResponseSchema,
  flowSourcesResponseSchema,
  storyDetailSchema,
  syncStatusSchema,
  transitionListSchema,
  type StoryDetail,
} from '../../../src/contracts/index.js';
import { ids } from '../../../src/server/connector/bmad/to-events.js';
import { eventsRepository } from '../../../src/server/modules/events/events.repository.js';
import { GitRepo, IMPL, MARCO, PRIYA, SPRINT, sprint, story } from '../../support/git-repo.js';
import { startTestServer, tempDir, type TestServer } from '../../support/test-server.js';
import { until } from '../../support/wait.js';

/**
 * A BMAD project with a known history: story 1-1 goes backlog → ready → in-progress → review → back to in-progress
 * (a review sent it back) → review → done, one backdated commit each, by two people.
 */
const AT = {
  c1: '2026-09-01T09:00:00.000Z',
  c2: '2026-09-02T09:00:00.000Z',
  c3: '2026-09-03T10:00:00.000Z',
  c4: '2026-09-05T12:00:00.000Z',
  c5: '2026-09-06T09:00:00.000Z',
  c6: '2026-09-07T15:00:00.000Z',
  c7: '2026-09-08T09:00:00.000Z',
};

function buildRepo(): { repo: GitRepo; hashes: Record<keyof typeof AT, string> } {
  const repo = new GitRepo();
  repo.write({ '_bmad/_config/manifest.yaml': 'installation:\n  version: 6.0.1\n', '_bmad/bmm/config.yaml': 'project_name: Ledger\n' });
  const s = (a: string, b: string) =>
    sprint({ 'epic-1': a === 'done' && b === 'done' ? 'done' : 'in-progress', '1-1-login': a, '1-2-signup': b, 'epic-1-retrospective': 'optional' });
  const hashes = {
    c1: repo.commit('plan the sprint', AT.c1, PRIYA, { [SPRINT]: s('backlog', 'backlog') }),
    c2: repo.commit('create story 1.1', AT.c2, MARCO, {
      [SPRINT]: s('ready-for-dev', 'backlog'),
      [`${IMPL}/1-1-login.md`]: story('1.1', 'Login', 'ready-for-dev'),
    }),
    c3: repo.commit('start 1.1', AT.c3, MARCO, { [SPRINT]: s('in-progress', 'backlog'), [`${IMPL}/1-1-login.md`]: story('1.1', 'Login', 'in-progress') }),
    c4: repo.commit('1.1 ready for review', AT.c4, MARCO, { [SPRINT]: s('review', 'backlog'), [`${IMPL}/1-1-login.md`]: story('1.1', 'Login', 'review') }),
    c5: repo.commit('review: changes requested', AT.c5, PRIYA, { [SPRINT]: s('in-progress', 'backlog') }),
    c6: repo.commit('1.1 fixed', AT.c6, MARCO, { [SPRINT]: s('review', 'backlog') }),
    c7: repo.commit('review: approved; create 1.2', AT.c7, PRIYA, {
      [SPRINT]: s('done', 'ready-for-dev'),
      [`${IMPL}/1-1-login.md`]: story('1.1', 'Login', 'done'),
      [`${IMPL}/1-2-signup.md`]: story('1.2', 'Signup', 'ready-for-dev'),
    }),
  };
  return { repo, hashes };
}

const storyId = ids.story('ledger', '1-1-login');
const projectId = ids.project('ledger');

async function detail(t: TestServer, id: string): Promise<StoryDetail> {
  const res = await t.get(`/api/v1/stories/${encodeURIComponent(id)}`);
  expect(res.status).toBe(200);
  return storyDetailSchema.parse(await res.json());
}

describe('git history: a project shows its real history from the first start', () => {
  let t: TestServer;
  let repo: GitRepo;
  let hashes: Record<keyof typeof AT, string>;

  beforeAll(async () => {
    ({ repo, hashes } = buildRepo());
    t = await startTestServer({ config: { bmad: { projects: [repo.dir] } } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("every status change is a transition at its commit's author date, by its author, with the commit's hash", async () => {
    const d = await detail(t, storyId);
    expect(d.history.map((h) => [h.fromColumn, h.toColumn, h.occurredAt, h.actorId, h.seenIn, h.commit?.hash])).toEqual([
      [null, 'backlog', AT.c1, 'person:priya@example.com', 'commit', hashes.c1],
      ['backlog', 'ready-for-dev', AT.c2, 'person:marco@example.com', 'commit', hashes.c2],
      ['ready-for-dev', 'in-progress', AT.c3, 'person:marco@example.com', 'commit', hashes.c3],
      ['in-progress', 'review', AT.c4, 'person:marco@example.com', 'commit', hashes.c4],
      ['review', 'in-progress', AT.c5, 'person:priya@example.com', 'commit', hashes.c5],
      ['in-progress', 'review', AT.c6, 'person:marco@example.com', 'commit', hashes.c6],
      ['review', 'done', AT.c7, 'person:priya@example.com', 'commit', hashes.c7],
    ]);
    expect(d.history.map((h) => h.commit?.subject)).toEqual([
      'plan the sprint',
      'create story 1.1',
      'start 1.1',
      '1.1 ready for review',
      'review: changes requested',
      '1.1 fixed',
      'review: approved; create 1.2',
    ]);
    // The story's own "since" is the time it reached its status, not the time the server read it.
    expect(d.story.statusSince).toBe(AT.c7);
    const dir = directorySchema.parse(await (await t.get('/api/v1/directory')).json());
    expect(dir.people).toEqual(
      expect.arrayContaining([
        { id: 'person:priya@example.com', displayName: 'Priya Shah', email: 'priya@example.com' },
        { id: 'person:marco@example.com', displayName: 'Marco Diaz', email: 'marco@example.com' },
      ]),
    );
  });

  it('workflow runs start and end when the story did: development from in-progress to review, review to done or back (rework)', async () => {
    const d = await detail(t, storyId);
    const runs = d.workflows.map((w) => [w.name, w.agentId, w.status, w.startedAt, w.endedAt]).sort((a, b) => String(a[3]).localeCompare(String(b[3])));
    expect(runs).toEqual([
      ['create-story 1-1-login', 'bmad-agent-sm', 'done', AT.c2, AT.c2],
      ['dev-story 1-1-login', 'bmad-agent-dev', 'done', AT.c3, AT.c4],
      ['code-review 1-1-login', 'bmad-agent-dev', 'done', AT.c4, AT.c5],
      ['dev-story 1-1-login', 'bmad-agent-dev', 'done', AT.c5, AT.c6],
      ['code-review 1-1-login', 'bmad-agent-dev', 'done', AT.c6, AT.c7],
    ]);
    const rework = d.workflows.find((w) => w.name === 'code-review 1-1-login' && w.startedAt === AT.c4)!;
    const timeline = transitionListSchema.parse(await (await t.get(`/api/v1/workflows/${encodeURIComponent(rework.id)}/transitions`)).json()).items;
    expect(timeline.map((x) => [x.toStatus, x.occurredAt, x.commit?.hash, x.seenIn])).toEqual([
      ['in_progress', AT.c4, hashes.c4, 'commit'],
      ['done', AT.c5, hashes.c5, 'commit'],
    ]);
    expect(timeline[1]!.reason).toMatch(/changes requested/);
  });

  it('cycle time, rework and completions have values from the first start, traceable to the commit events', async () => {
    const q = `agentIds=bmad-agent-dev&kpis=median_cycle_time,rework_rate&start=2026-09-01T00:00:00Z&end=2026-09-10T00:00:00Z&bucket=day`;
    let trends: { series: { kpi: string; points: { start: string; value: number | null; lineageRef: string | null }[] }[] } = { series: [] };
    await until(async () => {
      trends = (await (await t.get(`/api/v1/analytics/agents/trends?${q}`)).json()) as typeof trends;
      return trends.series.some((s) => s.kpi === 'median_cycle_time' && s.points.some((p) => p.value !== null));
    }, 'the rollup counted the history');
    const cycle = trends.series.find((s) => s.kpi === 'median_cycle_time')!;
    const byDay = Object.fromEntries(cycle.points.filter((p) => p.value !== null).map((p) => [p.start.slice(0, 10), p.value]));
    // dev-story c3→c4 = 50 h; code-review c4→c5 = 21 h; dev-story c5→c6 = 30 h; code-review c6→c7 = 18 h.
    expect(byDay).toEqual({ '2026-09-05': 50, '2026-09-06': 21, '2026-09-07': 30, '2026-09-08': 18 });
    const rework = trends.series.find((s) => s.kpi === 'rework_rate')!;
    expect(Object.fromEntries(rework.points.filter((p) => p.value !== null).map((p) => [p.start.slice(0, 10), p.value]))).toEqual({
      '2026-09-06': 1,
      '2026-09-08': 0,
    });
    const ref = cycle.points.find((p) => p.start.startsWith('2026-09-05'))!.lineageRef!;
    const lineage = lineageResponseSchema.parse(await (await t.get(`/api/v1/analytics/lineage/${encodeURIComponent(ref)}`)).json());
    expect(lineage.events.map((i) => [i.occurredAt, i.commit?.hash]).sort()).toEqual([
      [AT.c3, hashes.c3],
      [AT.c4, hashes.c4],
    ]);
  });

  it('the project flow: stories per column over time, burndown, throughput and cycle-time percentiles, each point traceable', async () => {
    const res = await t.get(`/api/v1/projects/${encodeURIComponent(projectId)}/flow?bucket=day&start=2026-08-31T00:00:00Z&end=2026-09-09T00:00:00Z`);
    expect(res.status).toBe(200);
    const flow = flowResponseSchema.parse(await res.json());
    expect(flow.firstTransitionAt).toBe(AT.c1);
    expect(flow.columns).toEqual(['backlog', 'ready-for-dev', 'in-progress', 'review', 'done']);
    const day = (d: string) => flow.cfd.find((b) => b.start.startsWith(d))!.counts;
    expect(day('2026-08-31')).toBeNull();
    expect(day('2026-09-01')).toEqual({ backlog: 2, 'ready-for-dev': 0, 'in-progress': 0, review: 0, done: 0 });
    expect(day('2026-09-05')).toEqual({ backlog: 1, 'ready-for-dev': 0, 'in-progress': 0, review: 1, done: 0 });
    expect(day('2026-09-08')).toEqual({ backlog: 0, 'ready-for-dev': 1, 'in-progress': 0, review: 0, done: 1 });
    const burn = flow.burndown.find((b) => b.epic.startsWith('Epic 1'))!;
    expect(burn.points.map((p) => p.remaining)).toEqual([null, 2, 2, 2, 2, 2, 2, 2, 1]);
    const week = flow.throughput.find((w) => w.done === 1)!;
    // First in progress (c3) to done (c7): 5 days less an hour.
    expect(week.cycleTimeHours).toEqual({ p50: 119, p85: 119, p95: 119, n: 1 });
    const src = flowSourcesResponseSchema.parse(
      await (await t.get(`/api/v1/projects/${encodeURIComponent(projectId)}/flow/sources?kind=throughput&start=${week.start}&end=${week.end}`)).json(),
    );
    expect(src.items.map((i) => [i.storyTitle, i.toColumn, i.occurredAt, i.commit?.hash])).toEqual([
      ['Login', 'in-progress', AT.c3, hashes.c3],
      ['Login', 'done', AT.c7, hashes.c7],
    ]);
    const cfdSrc = flowSourcesResponseSchema.parse(
      await (
        await t.get(`/api/v1/projects/${encodeURIComponent(projectId)}/flow/sources?kind=cfd&start=2026-09-05T00:00:00Z&end=2026-09-06T00:00:00Z&column=review`)
      ).json(),
    );
    expect(cfdSrc.items.map((i) => [i.storyId, i.occurredAt])).toEqual([[storyId, AT.c4]]);
  });

  it('bad flow parameters are a 422 naming the field, an unknown project a 404', async () => {
    const bad = await t.get(`/api/v1/projects/${encodeURIComponent(projectId)}/flow?bucket=month&tz=Mars/Olympus`);
    expect(bad.status).toBe(422);
    const fields = ((await bad.json()) as { error: { fields: { path: string }[] } }).error.fields.map((f) => f.path).sort();
    expect(fields).toEqual(['bucket', 'tz']);
    expect(
      (await t.get(`/api/v1/projects/${encodeURIComponent(projectId)}/flow/sources?kind=burndown&start=2026-09-05T00:00:00Z&end=2026-09-04T00:00:00Z`)).status,
    ).toBe(422);
    expect((await t.get('/api/v1/projects/nope/flow')).status).toBe(404);
  });

  it('incremental and idempotent: a new commit adds its transition; a restart on the same data reads nothing again', async () => {
    const connector = t.server.bmad.all[0]!;
    const c8 = repo.commit('start 1.2', '2026-09-09T09:00:00Z', MARCO, {
      [SPRINT]: sprint({ 'epic-1': 'in-progress', '1-1-login': 'done', '1-2-signup': 'in-progress', 'epic-1-retrospective': 'optional' }),
    });
    await connector.sync();
    const d = await detail(t, ids.story('ledger', '1-2-signup'));
    expect(d.history.at(-1)).toMatchObject({
      fromColumn: 'ready-for-dev',
      toColumn: 'in-progress',
      occurredAt: '2026-09-09T09:00:00.000Z',
      commit: { hash: c8 },
    });
    const before = await eventsRepository.headEventId(t.server.core.db.read);
    const dataDir = t.dataDir;
    await t.server.close();
    t = await startTestServer({ dataDir, config: { bmad: { projects: [repo.dir] } } });
    // Only sync health reports (checked just now) are new: every fact from the history was already there.
    const fresh = await t.server.core.db.read.selectFrom('domain_events').select('event_type').where('id', '>', before).execute();
    expect(fresh.length).toBeGreaterThan(0);
    expect(new Set(fresh.map((e) => e.event_type))).toEqual(new Set(['sync.reported']));
    expect((await detail(t, storyId)).history).toHaveLength(7);
  });

  it('a change seen in the working tree and committed later stays one transition, at the time it was first seen, linked to its commit', async () => {
    const connector = t.server.bmad.all[0]!;
    repo.write({ [SPRINT]: sprint({ 'epic-1': 'in-progress', '1-1-login': 'done', '1-2-signup': 'review', 'epic-1-retrospective': 'optional' }) });
    await connector.sync();
    const id = ids.story('ledger', '1-2-signup');
    const seen = (await detail(t, id)).history.at(-1)!;
    expect(seen).toMatchObject({ fromColumn: 'in-progress', toColumn: 'review', seenIn: 'working_tree', commit: null });
    const later = new Date(Date.parse(seen.occurredAt) + 3_600_000).toISOString();
    const c9 = repo.commit('1.2 ready for review', later, MARCO);
    await connector.sync();
    const history = (await detail(t, id)).history;
    expect(history.filter((h) => h.toColumn === 'review')).toEqual([
      expect.objectContaining({
        occurredAt: seen.occurredAt,
        seenIn: 'commit',
        commit: expect.objectContaining({ hash: c9 }),
        actorId: 'person:marco@example.com',
      }),
    ]);
  });

  it('rewritten history (an amended commit) does not double a transition: it links to the rewritten commit', async () => {
    const connector = t.server.bmad.all[0]!;
    const before = (await detail(t, ids.story('ledger', '1-2-signup'))).history;
    const when = repo.git(['log', '-1', '--format=%aI']).trim();
    // A rewrite is committed later than what it rewrites (the author date is kept).
    const rewrittenAt = new Date(Date.parse(repo.git(['log', '-1', '--format=%cI']).trim()) + 60_000).toISOString();
    repo.git(['-c', 'user.name=Marco Diaz', '-c', 'user.email=marco@example.com', 'commit', '-q', '--amend', '-m', '1.2: ready for review (reworded)'], {
      GIT_COMMITTER_DATE: rewrittenAt,
      GIT_AUTHOR_DATE: when,
    });
    const amended = repo.head();
    await connector.sync();
    const after = (await detail(t, ids.story('ledger', '1-2-signup'))).history;
    expect(after).toHaveLength(before.length);
    expect(after.at(-1)!.commit).toEqual({ hash: amended, subject: '1.2: ready for review (reworded)' });
  });

  it('the sync status says how the history was read (nothing to say for a full local history)', async () => {
    const status = syncStatusSchema.parse(await (await t.get('/api/v1/sync/status')).json());
    const story = status.modules.find((m) => m.module === 'story')!;
    expect(story.status).toBe('ok');
  });
});

describe('git history: what a repository cannot give is said, and the connector carries on', () => {
  it('not a git repository: the sync status says so; the history starts with what the server saw', async () => {
    const { repo } = buildRepo();
    const plain = `${tempDir('bmad-nogit-')}/project`;
    repo.git(['checkout-index', '-a', `--prefix=${plain}/`]);
    const t = await startTestServer({ config: { bmad: { projects: [plain] } } });
    try {
      const raw = (await (await t.get('/api/v1/sync/status')).json()) as { modules: { module: string; sources: { source: string }[] }[] };
      const notes = JSON.stringify(raw);
      expect(notes).toMatch(/git history unavailable: not a git repository/);
      const d = await detail(t, storyId);
      expect(d.history).toEqual([expect.objectContaining({ fromColumn: null, toColumn: 'done', seenIn: 'working_tree', commit: null })]);
    } finally {
      await t.close();
    }
  });

  it('a shallow clone: the history starts at its oldest commit (not as transitions), and the sync status says so', async () => {
    const { repo, hashes } = buildRepo();
    const shallow = `${tempDir('bmad-shallow-')}/project`;
    repo.git(['clone', '-q', '--depth', '3', `file://${repo.dir}`, shallow]);
    const t = await startTestServer({ config: { bmad: { projects: [shallow] } } });
    try {
      expect(JSON.stringify(await (await t.get('/api/v1/sync/status')).json())).toMatch(/shallow clone: the history starts at/);
      const d = await detail(t, storyId);
      // c5 (the oldest commit in the clone) is where it starts: c6 and c7 are transitions.
      expect(d.history.map((h) => [h.toColumn, h.commit?.hash])).toEqual([
        ['review', hashes.c6],
        ['done', hashes.c7],
      ]);
    } finally {
      await t.close();
    }
  });

  it('--git-since bounds the import: the state then is the starting point, later changes are transitions', async () => {
    const { repo, hashes } = buildRepo();
    const t = await startTestServer({ config: { bmad: { projects: [repo.dir], gitSince: '2026-09-05T00:00:00Z' } } });
    try {
      const d = await detail(t, storyId);
      expect(d.history.map((h) => [h.fromColumn, h.toColumn, h.commit?.hash])).toEqual([
        ['in-progress', 'review', hashes.c4],
        ['review', 'in-progress', hashes.c5],
        ['in-progress', 'review', hashes.c6],
        ['review', 'done', hashes.c7],
      ]);
    } finally {
      await t.close();
    }
  });

  it('--no-git-history: nothing is read from git', async () => {
    const { repo } = buildRepo();
    const t = await startTestServer({ config: { bmad: { projects: [repo.dir], gitHistory: false } } });
    try {
      const d = await detail(t, storyId);
      expect(d.history).toEqual([expect.objectContaining({ toColumn: 'done', seenIn: 'working_tree' })]);
      expect(JSON.stringify(await (await t.get('/api/v1/sync/status')).json())).toMatch(/git history is off/);
    } finally {
      await t.close();
    }
  });

  it('work that arrived through a merge keeps its own commits and times; the merge adds no transition', async () => {
    const repo = new GitRepo();
    repo.commit('base', '2026-09-01T09:00:00Z', PRIYA, { 'README.md': 'x\n', [SPRINT]: sprint({ 'epic-1': 'backlog', '1-1-login': 'backlog' }) });
    repo.git(['checkout', '-q', '-b', 'feature']);
    const f1 = repo.commit('feature: start', '2026-09-02T09:00:00Z', MARCO, { [SPRINT]: sprint({ 'epic-1': 'in-progress', '1-1-login': 'in-progress' }) });
    const f2 = repo.commit('feature: review', '2026-09-03T09:00:00Z', MARCO, { [SPRINT]: sprint({ 'epic-1': 'in-progress', '1-1-login': 'review' }) });
    repo.git(['checkout', '-q', 'main']);
    repo.commit('main: unrelated', '2026-09-02T12:00:00Z', PRIYA, { 'README.md': 'y\n' });
    repo.git(['-c', 'user.name=Priya Shah', '-c', 'user.email=priya@example.com', 'merge', '-q', '--no-ff', 'feature', '-m', 'merge feature'], {
      GIT_AUTHOR_DATE: '2026-09-04T09:00:00Z',
      GIT_COMMITTER_DATE: '2026-09-04T09:00:00Z',
    });
    const t = await startTestServer({ config: { bmad: { projects: [repo.dir] } } });
    try {
      const d = await detail(t, ids.story(repo.dir.split('/').at(-1)!, '1-1-login'));
      expect(d.history.map((h) => [h.toColumn, h.occurredAt, h.commit?.hash])).toEqual([
        ['backlog', '2026-09-01T09:00:00.000Z', expect.any(String)],
        ['in-progress', '2026-09-02T09:00:00.000Z', f1],
        ['review', '2026-09-03T09:00:00.000Z', f2],
      ]);
    } finally {
      await t.close();
    }
  });

  it('a sprint-status.yaml deleted in the last commit: its history is still read, the story files give the board', async () => {
    const { repo } = buildRepo();
    repo.remove(SPRINT);
    const gone = repo.commit('remove sprint-status.yaml', '2026-09-10T09:00:00Z', PRIYA);
    const t = await startTestServer({ config: { bmad: { projects: [repo.dir] } } });
    try {
      const d = await detail(t, storyId);
      expect(d.history.length).toBeGreaterThanOrEqual(7);
      expect(d.story.kanbanColumn).toBe('done');
      expect(d.history.some((h) => h.commit?.hash === gone)).toBe(false);
    } finally {
      await t.close();
    }
  });
});

describe("git history of today's layouts", () => {
  it('v6.12 Build specs: a Build Auto halt is blocked time on the build run, and shows in the time-blocked KPI', async () => {
    const repo = new GitRepo();
    const specFile = `${IMPL}/spec-3-2-digest.md`;
    const specOf = (status: string) => `---\ntitle: Digest\ntype: feature\nstatus: ${status}\n---\n\n# Digest\n`;
    const s = (v: string) => sprint({ 'epic-3': 'in-progress', '3-2-digest': v });
    repo.write({ '_bmad/config.toml': '[core]\nproject_name = "Mailer"\n', '_bmad/_config/manifest.yaml': 'installation:\n  version: 6.12.0\n' });
    repo.commit('plan', '2026-10-01T09:00:00Z', PRIYA, { [SPRINT]: s('ready-for-dev'), [specFile]: specOf('ready-for-dev') });
    repo.commit('build starts', '2026-10-02T09:00:00Z', MARCO, { [SPRINT]: s('in-progress'), [specFile]: specOf('in-progress') });
    const halted = repo.commit('build auto halted', '2026-10-02T15:00:00Z', MARCO, { [specFile]: specOf('blocked') });
    repo.commit('unblocked', '2026-10-03T09:00:00Z', PRIYA, { [specFile]: specOf('in-progress') });
    repo.commit('build done', '2026-10-03T17:00:00Z', MARCO, { [SPRINT]: s('review'), [specFile]: specOf('done') });
    repo.commit('review done', '2026-10-04T09:00:00Z', PRIYA, { [SPRINT]: s('done') });
    const t = await startTestServer({ config: { bmad: { projects: [repo.dir] } } });
    try {
      const d = await detail(t, ids.story('mailer', '3-2-digest'));
      expect(d.history.map((h) => [h.toColumn, h.toStatus, h.occurredAt.slice(0, 13)])).toEqual([
        ['ready-for-dev', 'queued', '2026-10-01T09'],
        ['in-progress', 'in_progress', '2026-10-02T09'],
        ['blocked', 'blocked', '2026-10-02T15'],
        ['in-progress', 'in_progress', '2026-10-03T09'],
        ['review', 'in_progress', '2026-10-03T17'],
        ['done', 'done', '2026-10-04T09'],
      ]);
      expect(d.history[2]!.commit?.hash).toBe(halted);
      const build = d.workflows.find((w) => w.name === 'build 3-2-digest')!;
      expect([build.agentId, build.startedAt, build.endedAt]).toEqual(['bmad-agent-dev', '2026-10-02T09:00:00.000Z', '2026-10-03T17:00:00.000Z']);
      const steps = transitionListSchema.parse(await (await t.get(`/api/v1/workflows/${encodeURIComponent(build.id)}/transitions`)).json()).items;
      expect(steps.map((x) => x.toStatus)).toEqual(['in_progress', 'blocked', 'in_progress', 'done']);
      await until(async () => {
        const r = (await (
          await t.get(
            '/api/v1/analytics/agents/trends?agentIds=bmad-agent-dev&kpis=time_blocked&start=2026-10-01T00:00:00Z&end=2026-10-05T00:00:00Z&bucket=day',
          )
        ).json()) as { series: { points: { start: string; value: number | null }[] }[] };
        return r.series[0]?.points.find((p) => p.start.startsWith('2026-10-03'))?.value === 18;
      }, 'eighteen hours blocked, counted on the day it ended');
    } finally {
      await t.close();
    }
  });

  it("the ticket layout: a plan's status over its commits is the ticket's history, in BMAD's board states", async () => {
    const repo = new GitRepo();
    const base = '_bmad-output/initiative-launch';
    const plan = (status: string) => `---\nticket: 1\nstatus: ${status}\n---\n# Plan\n`;
    repo.write({
      '_bmad/config.toml': '[core]\nproject_name = "Launch"\n',
      [`${base}/tickets.toml`]: '[[epic]]\nid = 1\nslug = "accounts"\ntitle = "Accounts"\n',
      [`${base}/epic-accounts/tickets.toml`]: '[[entry]]\nid = 1\ntype = "story"\ntitle = "Sign up"\n',
    });
    repo.commit('plan the epic', '2026-10-01T09:00:00Z', PRIYA);
    repo.commit('plan sign up', '2026-10-02T09:00:00Z', MARCO, { [`${base}/epic-accounts/story-sign-up-plan.md`]: plan('ready-for-dev') });
    repo.commit('build', '2026-10-03T09:00:00Z', MARCO, { [`${base}/epic-accounts/story-sign-up-plan.md`]: plan('in-progress') });
    repo.commit('built', '2026-10-04T09:00:00Z', MARCO, { [`${base}/epic-accounts/story-sign-up-plan.md`]: plan('built') });
    repo.commit('mark done', '2026-10-05T09:00:00Z', PRIYA, { [`${base}/epic-accounts/story-sign-up-plan.md`]: plan('done') });
    const t = await startTestServer({ config: { bmad: { projects: [repo.dir] } } });
    try {
      const d = await detail(t, ids.story('launch', '1-1-sign-up'));
      expect(d.history.map((h) => [h.toColumn, h.occurredAt.slice(0, 10)])).toEqual([
        ['planned', '2026-10-01'],
        ['backlog', '2026-10-02'],
        ['in-progress', '2026-10-03'],
        ['review', '2026-10-04'],
        ['done', '2026-10-05'],
      ]);
      expect(d.story.kanbanColumn).toBe('done');
    } finally {
      await t.close();
    }
  });
  it("a project migrated with `bmad migrate method` keeps its history: the v6 transitions, then the plan file's", async () => {
    const repo = new GitRepo();
    const base = '_bmad-output/initiative-ledger';
    repo.write({ '_bmad/_config/manifest.yaml': 'installation:\n  version: 6.2.0\n', '_bmad/bmm/config.yaml': 'project_name: Ledger\n' });
    repo.commit('plan', '2026-09-01T09:00:00Z', PRIYA, { [SPRINT]: sprint({ 'epic-1': 'in-progress', '1-1-login': 'ready-for-dev' }) });
    repo.commit('start', '2026-09-02T09:00:00Z', MARCO, { [SPRINT]: sprint({ 'epic-1': 'in-progress', '1-1-login': 'in-progress' }) });
    // The migration: every move a `git mv`, the story now a ticket whose entry keeps its v6 key, its plan in review.
    repo.write({ [`${base}/initiative-ledger.md`]: '---\ntype: initiative\ntitle: Ledger\n---\n# Ledger\n' });
    repo.git(['mv', IMPL, `${base}/archive-v6`]);
    repo.write({
      '_bmad/config.toml': '[core]\nproject_name = "Ledger"\n',
      [`${base}/tickets.toml`]: '[[epic]]\nid = 1\nslug = "accounts"\ntitle = "Accounts"\n',
      [`${base}/epic-accounts/tickets.toml`]: '[[entry]]\nid = 1\ntype = "story"\ntitle = "Login"\nv6_key = "1-1-login"\n',
      [`${base}/epic-accounts/story-login-plan.md`]: '---\nticket: 1\nstatus: in-review\n---\n# Plan\n',
    });
    repo.commit('migrate to the ticket tree', '2026-09-03T09:00:00Z', PRIYA);
    repo.commit('done', '2026-09-04T09:00:00Z', PRIYA, { [`${base}/epic-accounts/story-login-plan.md`]: '---\nticket: 1\nstatus: done\n---\n# Plan\n' });
    const t = await startTestServer({ config: { bmad: { projects: [repo.dir] } } });
    try {
      const d = await detail(t, ids.story('ledger', '1-1-login'));
      expect(d.history.map((h) => [h.toColumn, h.occurredAt.slice(0, 10)])).toEqual([
        ['ready-for-dev', '2026-09-01'],
        ['in-progress', '2026-09-02'],
        ['review', '2026-09-03'],
        ['done', '2026-09-04'],
      ]);
    } finally {
      await t.close();
    }
  });

  it('a rebase onto a newer main: the rebased commits replace the old ones, each transition once, at its new commit', async () => {
    const repo = new GitRepo();
    repo.write({ '_bmad/_config/manifest.yaml': 'installation:\n  version: 6.0.1\n', '_bmad/bmm/config.yaml': 'project_name: Ledger\n' });
    repo.commit('base', '2026-09-01T09:00:00Z', PRIYA, { 'README.md': 'x\n', [SPRINT]: sprint({ 'epic-1': 'in-progress', '1-1-login': 'ready-for-dev' }) });
    repo.git(['checkout', '-q', '-b', 'feature']);
    repo.commit('feature: start', '2026-09-02T09:00:00Z', MARCO, { [SPRINT]: sprint({ 'epic-1': 'in-progress', '1-1-login': 'in-progress' }) });
    repo.commit('feature: review', '2026-09-03T09:00:00Z', MARCO, { [SPRINT]: sprint({ 'epic-1': 'in-progress', '1-1-login': 'review' }) });
    const t = await startTestServer({ config: { bmad: { projects: [repo.dir] } } });
    try {
      const before = await detail(t, ids.story('ledger', '1-1-login'));
      expect(before.history.map((h) => h.toColumn)).toEqual(['ready-for-dev', 'in-progress', 'review']);
      repo.git(['checkout', '-q', 'main']);
      repo.commit('main: docs', '2026-09-02T12:00:00Z', PRIYA, { 'README.md': 'y\n' });
      repo.git(['checkout', '-q', 'feature']);
      repo.git(['-c', 'user.name=Marco Diaz', '-c', 'user.email=marco@example.com', 'rebase', '-q', 'main'], { GIT_COMMITTER_DATE: '2026-09-04T09:00:00Z' });
      const rebased = repo.head();
      await until(async () => (await detail(t, ids.story('ledger', '1-1-login'))).history.at(-1)?.commit?.hash === rebased, 'the rebased commit', 15_000);
      const after = await detail(t, ids.story('ledger', '1-1-login'));
      // Author dates survive a rebase: the transitions keep their times, and there are still three.
      expect(after.history.map((h) => [h.toColumn, h.occurredAt.slice(0, 10)])).toEqual([
        ['ready-for-dev', '2026-09-01'],
        ['in-progress', '2026-09-02'],
        ['review', '2026-09-03'],
      ]);
    } finally {
      await t.close();
    }
  });
});

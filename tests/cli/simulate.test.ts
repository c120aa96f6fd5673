import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTransitionAllowed, parseIncomingEvent, type Status } from '../../src/contracts/index.js';
import { fixedClock } from '../../src/server/clock.js';
import { BMAD_COLUMNS, BmadSimulator, type SimulatedEvent } from '../../src/server/simulator/bmad-simulator.js';
import { SeededRandom } from '../../src/server/simulator/random.js';
import { runSimulation } from '../../src/server/simulator/simulation-runner.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const root = path.resolve(import.meta.dirname, '../..');
const CLI = ['--import', 'tsx', 'src/server/cli/main.ts', 'simulate'];

/** The CLI as a child process, without blocking this process: the server under test lives in it. */
function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLI, ...args], {
      cwd: root,
      env: { ...process.env, BMAD_OPS_KEY: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // A guard against a hung CLI, not a time limit: four of these start at once (tsx compiles each) while browser
    // tests run beside them, and in CI a start took over 20 s.
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function generate(seed: number, count: number): SimulatedEvent[] {
  const clock = fixedClock(new Date('2026-11-29T08:00:00Z'));
  const sim = new BmadSimulator({ runId: 'test1', random: new SeededRandom(seed), clock });
  const out: SimulatedEvent[] = [];
  // Uneven batch sizes and a clock that moves in between, as the runner calls it.
  for (let i = 0; out.length < count; i++) {
    clock.advance(200);
    out.push(...sim.next(Math.min(1 + (i % 37), count - out.length)));
  }
  return out;
}

describe('the simulator generator', () => {
  const events = generate(7, 2000);

  it('produces only events the ingestion contract accepts, with unique time-ordered ids', () => {
    const invalid = events.map((e) => ({ e, r: parseIncomingEvent(e) })).filter((x) => !x.r.ok);
    expect(invalid.slice(0, 3)).toEqual([]);
    const ids = events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids.every((id) => /^sim-test1-\d{12}$/.test(id))).toBe(true);
    expect(events.every((e) => e.source === 'simulator')).toBe(true);
    const times = events.map((e) => e.occurredAt);
    expect([...times].sort()).toEqual(times);
  });

  it('covers the catalogue a BMAD connector feeds, with BMAD columns mapped to canonical statuses', () => {
    const types = new Set(events.map((e) => e.type));
    for (const t of [
      'project.upserted',
      'story.upserted',
      'story.status_changed',
      'agent.upserted',
      'workflow.upserted',
      'workflow.transitioned',
      'cost.recorded',
      'sync.reported',
    ]) {
      expect(types).toContain(t);
    }
    const agents = events.filter((e) => e.type === 'agent.upserted').map((e) => e.payload.type);
    expect(new Set(agents)).toEqual(new Set(['sm', 'dev', 'qa', 'pm', 'architect']));
    const workflowNames = new Set(events.filter((e) => e.type === 'workflow.upserted').map((e) => String(e.payload.name).split(' ')[0]));
    for (const name of ['create-story', 'dev-story', 'code-review']) expect(workflowNames).toContain(name);
    const columns = new Set(events.filter((e) => e.type === 'story.upserted').map((e) => e.payload.kanbanColumn));
    expect([...columns].every((c) => (BMAD_COLUMNS as readonly unknown[]).includes(c))).toBe(true);
    expect(columns.size).toBeGreaterThanOrEqual(4);
    const costs = events.filter((e) => e.type === 'cost.recorded');
    expect(costs.every((c) => c.payload.currency === 'USD' && typeof c.payload.amount === 'number' && typeof c.payload.workflowId === 'string')).toBe(true);
    expect(events.filter((e) => e.type === 'sync.reported').every((e) => e.payload.status === 'ok')).toBe(true);
  });

  it('moves workflows and stories only along allowed transitions, each starting where the last one ended', () => {
    const workflow = new Map<string, Status>();
    const story = new Map<string, Status>();
    const seen = new Set<Status>();
    for (const e of events) {
      const p = e.payload as { status?: Status; from?: Status; to?: Status };
      if (e.type === 'workflow.upserted') workflow.set(e.entity.id, p.status!);
      if (e.type === 'workflow.transitioned') {
        expect(p.from, `${e.id} from`).toBe(workflow.get(e.entity.id));
        expect(isTransitionAllowed('workflow', p.from!, p.to!), `${e.id} ${p.from} -> ${p.to}`).toBe(true);
        workflow.set(e.entity.id, p.to!);
        seen.add(p.to!);
      }
      if (e.type === 'story.upserted') {
        if (story.has(e.entity.id)) expect(p.status, `${e.id} status`).toBe(story.get(e.entity.id));
        story.set(e.entity.id, p.status!);
      }
      if (e.type === 'story.status_changed') {
        expect(p.from, `${e.id} from`).toBe(story.get(e.entity.id));
        expect(isTransitionAllowed('story', p.from!, p.to!), `${e.id} ${p.from} -> ${p.to}`).toBe(true);
        story.set(e.entity.id, p.to!);
      }
    }
    // The unhappy paths a dashboard has to show are in the stream, not just the happy one.
    for (const s of ['in_progress', 'done', 'blocked', 'failed'] as const) expect(seen).toContain(s);
  });

  it('replays the same stream for the same seed and clock', () => {
    expect(generate(7, 300)).toEqual(events.slice(0, 300));
    expect(generate(8, 300)).not.toEqual(events.slice(0, 300));
  });
});

describe('bmad-ops simulate against a real server', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('streams events for ~2 s at 50/s that are all stored, and the read API shows them', async () => {
    const r = await cli(['--rate', '50', '--duration', '2', '--url', t.url, '--seed', '42'], { BMAD_OPS_KEY: t.keys.ingest });
    expect(r.stderr).toMatch(/done\n/);
    expect(r.code).toBe(0);
    const final = /sent (\d+) accepted (\d+) duplicates (\d+) rejected (\d+)/.exec(r.stderr.trim().split('\n').at(-1)!)!;
    const [sent, accepted, duplicates, rejected] = final.slice(1).map(Number);
    expect({ duplicates, rejected }).toEqual({ duplicates: 0, rejected: 0 });
    expect(accepted).toBe(sent);
    expect(sent).toBeGreaterThanOrEqual(90);
    expect(sent).toBeLessThanOrEqual(100);

    const reads = ['/api/v1/projects', '/api/v1/stories?pageSize=200', '/api/v1/workflows?pageSize=200', '/api/v1/sync/status'];
    const responses = await Promise.all(reads.map((p) => t.get(p)));
    expect(responses.map((res) => res.status)).toEqual(reads.map(() => 200));
    const [projects, stories, workflows, sync] = (await Promise.all(responses.map((res) => res.json()))) as [
      { total: number; items: { id: string; status: string }[] },
      { total: number },
      { total: number; items: { status: string }[] },
      { modules: { module: string; status: string }[] },
    ];
    expect(projects.total).toBe(3);
    expect(workflows.total).toBeGreaterThan(0);
    expect(projects.items.some((p) => p.status === 'in_progress')).toBe(true);
    expect(sync.modules.find((m) => m.module === 'workflow')?.status).toBe('ok');
    const board = await t.get(`/api/v1/kanban/board?projectId=${encodeURIComponent(projects.items[0]!.id)}`);
    expect(board.status).toBe(200);
    // 2 s at 50/s is usually enough for the first epic; stories show up in BMAD's own columns when it is.
    if (stories.total > 0) {
      const columns = ((await board.json()) as { columns: { key: string }[] }).columns.map((c) => c.key);
      expect(columns.some((c) => (BMAD_COLUMNS as readonly string[]).includes(c))).toBe(true);
    }
  });

  it('waits out 429 with Retry-After and resends the same batch, losing nothing', async () => {
    const limited = await startTestServer({ config: { ingest: { rateLimitPerSecond: 2 } } });
    try {
      const sim = new BmadSimulator({ runId: 'throttle', random: new SeededRandom(1), clock: fixedClock(new Date('2026-11-29T08:00:00Z')) });
      const stats = await runSimulation({ url: limited.url, key: limited.keys.ingest, rate: 40, durationS: 1.5, events: sim, flushIntervalMs: 100 });
      expect(stats.throttled).toBeGreaterThan(0);
      expect({ sent: stats.sent, accepted: stats.accepted, rejected: stats.rejected, behind: stats.behind }).toEqual({
        sent: 60,
        accepted: 60,
        rejected: 0,
        behind: 0,
      });
    } finally {
      await limited.close();
    }
  });

  it('names the key problem on 401 and 403, and the URL when nothing listens there', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as net.AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const [badKey, readOnly, refused] = await Promise.all([
      cli(['--duration', '1', '--url', t.url], { BMAD_OPS_KEY: 'bmo_000000000000_notarealkeynotarealkeynotarealkey' }),
      cli(['--duration', '1', '--url', t.url, '--key', t.keys.read]),
      cli(['--duration', '1', '--url', `http://127.0.0.1:${closedPort}`, '--key', 'whatever']),
    ]);
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/rejected the API key \(401.*check --key or BMAD_OPS_KEY/);
    expect(readOnly.code).toBe(1);
    expect(readOnly.stderr).toMatch(/may not ingest \(403.*--scope ingest/);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`cannot connect to http://127.0.0.1:${closedPort}: connection refused`);
  });
});

describe('bmad-ops simulate arguments', () => {
  it('refuses a bad --rate or --duration with a message naming the flag', async () => {
    const [negative, tooFast, duration, noKey] = await Promise.all([
      cli(['--rate', '-1']),
      cli(['--rate', '20000']),
      cli(['--duration', 'soon']),
      cli(['--duration', '1']),
    ]);
    expect(negative.code).not.toBe(0);
    expect(negative.stderr).toMatch(/--rate must be events per second, greater than 0 and at most 10000 \(got "-1"\)/);
    expect(tooFast.code).not.toBe(0);
    expect(tooFast.stderr).toMatch(/--rate .*got "20000"/);
    expect(duration.code).not.toBe(0);
    expect(duration.stderr).toMatch(/--duration must be seconds.*got "soon"/);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/pass --key or set BMAD_OPS_KEY/);
  });
});

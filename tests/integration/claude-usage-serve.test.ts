import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, tempDir, type TestServer } from '../support/test-server.js';

const root = path.resolve(import.meta.dirname, '../..');
const fixture = path.join(root, 'tests/fixtures/claude/projects');
/** Claude Code names a session's folder after its cwd, every character but letters and digits turned into "-". */
const folderOf = (cwd: string) => cwd.replace(/[^A-Za-z0-9]/g, '-');

/**
 * The fixture (tests/fixtures/claude/README.md) laid out as Claude Code would for a copy of the sample project and a
 * folder outside it: sess-a (with its sub-agent) and sess-b in the project's folder, sess-c in the other one.
 */
function setUp() {
  const base = tempDir('bmad-ops-claude-serve-');
  const bmad = path.join(base, 'streakly');
  const other = path.join(base, 'other');
  const claudeHome = path.join(base, 'claude');
  fs.cpSync(path.join(root, 'examples/bmad-v6-sample'), bmad, { recursive: true });
  fs.mkdirSync(other);
  const place = (from: string, toFolder: string) => {
    const src = path.join(fixture, from);
    const dst = path.join(claudeHome, 'projects', toFolder);
    fs.cpSync(src, dst, { recursive: true });
    for (const f of fs.readdirSync(dst, { recursive: true, encoding: 'utf8' })) {
      const p = path.join(dst, f);
      if (p.endsWith('.jsonl')) fs.writeFileSync(p, fs.readFileSync(p, 'utf8').replaceAll('__BMAD__', bmad).replaceAll('__OTHER__', other));
    }
  };
  place('-work-streakly', folderOf(bmad));
  place('-work-other', folderOf(other));
  return { base, bmad, claudeHome, sessA: path.join(claudeHome, 'projects', folderOf(bmad), 'sess-a.jsonl') };
}

// Hand-computed (USD per MTok: Sonnet 4.5 3 / 15 / 3.75 / 0.30, Haiku 4.5 1 / 5 / 1.25 / 0.10, Opus 4.1 15 / 75 / 18.75 / 1.50):
// msg_a1 0.0048, msg_a2 0.0123 (its own costUSD), msg_a3 0.001275, msg_s1 0.000505, msg_b1 0.0033, msg_b2 0.0009.
const PROJECT_TOTAL = 0.02308;

async function costRows(t: TestServer) {
  return t.server.core.db.read.selectFrom('cost_events').selectAll().orderBy('occurred_at_utc').execute();
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('serve imports the Claude Code usage of connected projects', () => {
  let env: ReturnType<typeof setUp>;
  let t: TestServer;
  const dataDir = tempDir('bmad-ops-claude-serve-data-');
  const config = () => ({ bmad: { projects: [env.bmad], gitHistory: false }, claude: { dirs: [path.join(env.claudeHome, 'projects')] } });

  beforeAll(async () => {
    env = setUp();
    t = await startTestServer({ dataDir, config: config() });
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(env.base, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('imports the sessions inside the project only, with exact costs, and says what it found', async () => {
    expect(t.server.claude).toMatchObject({
      sessionsByProject: { streakly: 2 },
      requestsByProject: { streakly: 6 },
      sessionsOutside: 1,
      malformed: 1,
      newEvents: 9,
    });
    const rows = await costRows(t);
    expect(rows).toHaveLength(6);
    expect(rows.every((r) => r.project_id === 'bmad:streakly' && r.via === 'transcript')).toBe(true);
    expect(rows.reduce((n, r) => n + (r.cost_amount ?? 0), 0)).toBeCloseTo(PROJECT_TOTAL, 12);
    expect(t.server.claude!.costByProject).toEqual([
      { projectId: 'bmad:streakly', currency: 'USD', amount: expect.closeTo(PROJECT_TOTAL, 12) as number, requests: 6, unpriced: 0 },
    ]);
    // Costs and analytics now have a connected source: the pages do not say that nothing is connected.
    const sync = (await (await t.get('/api/v1/sync/status')).json()) as { modules: { module: string; status: string }[] };
    expect(sync.modules.filter((m) => m.module === 'cost' || m.module === 'agent').map((m) => m.status)).toEqual(['ok', 'ok']);
    // The command's argument (2-1) names the story; the sub-agent is its session's, with its own id.
    const a1 = rows.find((r) => r.request_id === 'req_a1')!;
    expect(a1).toMatchObject({
      story_id: 'bmad:streakly:story:2-1-streak-calculation',
      agent_id: 'bmad-agent-dev',
      session_id: 'sess-a',
      skill: 'bmad:bmm:workflows:dev-story',
    });
    expect(rows.find((r) => r.request_id === 'req_s1')).toMatchObject({
      session_id: 'sess-a/agent-x1',
      story_id: 'bmad:streakly:story:2-1-streak-calculation',
    });
    // After the QA agent was loaded no workflow runs: no story is guessed.
    expect(rows.find((r) => r.request_id === 'req_a3')).toMatchObject({ agent_id: 'bmad-agent-qa', story_id: null });
    // No prompt or response text is stored anywhere: the event log holds usage only.
    const payloads = await t.server.core.db.read.selectFrom('domain_events').select('payload_json').where('event_type', '=', 'cost.recorded').execute();
    expect(payloads.some((p) => p.payload_json.includes('"text"') || p.payload_json.includes('"ok"') || p.payload_json.includes('secret'))).toBe(false);
  });

  it('tails a transcript: an appended request is costed within seconds', async () => {
    const line = {
      type: 'assistant',
      sessionId: 'sess-a',
      cwd: env.bmad,
      timestamp: '2026-11-20T09:10:00.000Z',
      requestId: 'req_a9',
      message: {
        id: 'msg_a9',
        model: 'claude-sonnet-4-5-20250929',
        content: [{ type: 'text', text: 'secret response text' }],
        usage: {
          input_tokens: 1000,
          output_tokens: 100,
          cache_creation_input_tokens: 3000,
          cache_read_input_tokens: 0,
          cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 },
        },
      },
    };
    const started = Date.now();
    fs.appendFileSync(env.sessA, `${JSON.stringify(line)}\n`);
    const rows = await until(
      () => costRows(t),
      (r) => r.length === 7,
    );
    expect(rows).toHaveLength(7);
    expect(Date.now() - started).toBeLessThan(10_000);
    const a9 = rows.find((r) => r.request_id === 'req_a9')!;
    expect(a9).toMatchObject({ input_tokens: 1000, cache_write_tokens: 3000, cache_write_5m_tokens: 1000, cache_write_1h_tokens: 2000 });
    const stored = await t.server.core.db.read.selectFrom('domain_events').select('payload_json').where('event_type', '=', 'cost.recorded').execute();
    expect(stored.some((p) => p.payload_json.includes('secret'))).toBe(false);
  });

  it('counts a request once whichever path brings it again (the ingestion API, a restart)', async () => {
    const before = await costRows(t);
    const res = await t.ingest([
      {
        id: 'otlp-like-a1',
        source: 'another-path',
        type: 'cost.recorded',
        occurredAt: '2026-11-20T09:00:05.000Z',
        entity: { type: 'cost', id: 'another-a1' },
        payload: { amount: 99, currency: 'USD', projectId: 'bmad:streakly', model: 'claude-sonnet-4-5-20250929', requestId: 'req_a1', via: 'api' },
      },
    ]);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { accepted: number }).accepted).toBe(1);
    const after = await costRows(t);
    expect(after.map((r) => [r.request_id, r.cost_amount])).toEqual(before.map((r) => [r.request_id, r.cost_amount]));

    await t.close();
    t = await startTestServer({ dataDir, config: config() });
    expect(t.server.claude).toMatchObject({ newEvents: 0, requestsByProject: { streakly: 7 } });
    expect(await costRows(t)).toHaveLength(7);
  });

  it('--no-claude-usage reads nothing', async () => {
    const other = tempDir('bmad-ops-claude-off-');
    const off = await startTestServer({ dataDir: other, config: { ...config(), claude: { usage: false, dirs: [path.join(env.claudeHome, 'projects')] } } });
    try {
      expect(off.server.claude).toBeUndefined();
      expect(await costRows(off)).toHaveLength(0);
    } finally {
      await off.close();
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});

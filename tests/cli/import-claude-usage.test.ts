import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer, tempDir, type TestServer } from '../support/test-server.js';

const root = path.resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
let server: TestServer | undefined;
afterAll(async () => {
  await server?.close();
  dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

/** A temp copy of the transcript fixture whose cwd placeholders point at a temp BMAD sample and a plain folder. */
function setUp() {
  const base = tempDir('bmad-ops-claude-cli-');
  dirs.push(base);
  const bmad = path.join(base, 'streakly');
  const other = path.join(base, 'other');
  const projects = path.join(base, 'claude/projects');
  fs.cpSync(path.join(root, 'examples/bmad-v6-sample'), bmad, { recursive: true });
  fs.mkdirSync(other);
  fs.cpSync(path.join(root, 'tests/fixtures/claude/projects'), projects, { recursive: true });
  for (const f of fs.readdirSync(projects, { recursive: true, encoding: 'utf8' })) {
    const p = path.join(projects, f);
    if (p.endsWith('.jsonl')) fs.writeFileSync(p, fs.readFileSync(p, 'utf8').replaceAll('__BMAD__', bmad).replaceAll('__OTHER__', other));
  }
  return { base, bmad, other, projects };
}

const ENV = { ...process.env, BMAD_OPS_LOG_LEVEL: 'silent', BMAD_OPS_BMAD_PROJECTS: '', BMAD_OPS_KEY: '' };

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/server/cli/main.ts', ...args], { cwd: root, env: ENV, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function start(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli/main.ts', ...args], { cwd: root, env: { ...ENV, ...env } });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, out, done };
}

/** The remote variant runs while this process serves, so it must not block the event loop (spawnSync would). */
async function cliAsync(args: string[], env: NodeJS.ProcessEnv = {}) {
  const p = start(args, env);
  const code = await p.done;
  return { code, ...p.out };
}

async function waitFor(child: ChildProcessWithoutNullStreams, out: { stdout: string; stderr: string }, re: RegExp, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!re.test(out.stdout)) {
    if (Date.now() > until || child.exitCode !== null) throw new Error(`timed out waiting for ${re}: ${out.stdout} ${out.stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function costRows(dataDir: string) {
  const db = new Database(path.join(dataDir, 'bmad-ops.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare(
        `select count(*) as n, sum(input_tokens) as input, sum(output_tokens) as output, sum(cache_write_tokens) as cacheWrite,
                sum(cache_read_tokens) as cacheRead, sum(input_tokens = 200 and cost_amount = 0.0123 and currency = 'USD') as recorded,
                sum(project_id = 'bmad:streakly') as inProject, sum(agent_id is null) as unattributed,
                sum(agent_id = 'bmad-agent-dev') as dev, sum(agent_id = 'bmad-agent-sm') as sm, sum(agent_id = 'bmad-agent-qa') as qa
           from cost_events where model like 'claude-%'`,
      )
      .get() as Record<string, number>;
  } finally {
    db.close();
  }
}

const SUMMARY = [
  /read 4 transcript files, 17 lines: 8 usage entries \(2 duplicates skipped, 1 malformed lines, 1 API error lines skipped\)/,
  /attribution: 6 in a BMAD project, 2 outside any; 6 attributed to a BMAD agent, 2 unattributed/,
  /tokens: 865 input, 315 output, 1400 cache write, 3500 cache read/,
];

describe('bmad-ops import-claude-usage', () => {
  it('imports the fixture into a running server, attributing by cwd and slash command; a re-import adds nothing', async () => {
    const env = setUp();
    server = await startTestServer({ config: { bmad: { projects: [env.bmad] } } });
    // The BMAD folders come from the environment, as the server's own config would give them.
    const first = await cliAsync(['import-claude-usage', '--dir', env.projects, '--url', server.url, '--key', server.keys.ingest], {
      BMAD_OPS_BMAD_PROJECTS: env.bmad,
    });
    expect(first.code).toBe(0);
    for (const re of SUMMARY) expect(first.stdout).toMatch(re);
    // 8 costs, and the run sess-a's dev-story made (started, in progress, ended): 3 workflow events.
    expect(first.stdout).toMatch(/events: 11 new, 0 already known, 0 rejected/);
    expect(first.stderr).toMatch(/warning: .*sess-b\.jsonl:3: not JSON/);
    expect(costRows(server.dataDir)).toEqual({
      n: 8,
      input: 865,
      output: 315,
      cacheWrite: 1400,
      cacheRead: 3500,
      recorded: 1,
      inProject: 6,
      unattributed: 2,
      dev: 3,
      sm: 2,
      qa: 1,
    });

    const again = await cliAsync(['import-claude-usage', '--dir', env.projects, '--bmad', env.bmad, '--url', server.url, '--key', server.keys.ingest]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/events: 0 new, 11 already known, 0 rejected/);
    expect(costRows(server.dataDir).n).toBe(8);

    // A large import goes in batches the ingestion API takes (at most 1000 events each).
    const big = path.join(env.base, 'big/projects/-work-big');
    fs.mkdirSync(big, { recursive: true });
    const lines = Array.from({ length: 2500 }, (_, i) =>
      JSON.stringify({
        type: 'assistant',
        sessionId: 'big',
        cwd: env.other,
        timestamp: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(),
        requestId: `req_big_${i}`,
        message: { id: `msg_big_${i}`, model: 'claude-sonnet-4-5-20250929', usage: { input_tokens: 1, output_tokens: 2 } },
      }),
    );
    fs.writeFileSync(path.join(big, 'big.jsonl'), `${lines.join('\n')}\n`);
    const bulk = await cliAsync(['import-claude-usage', '--dir', path.join(env.base, 'big/projects'), '--url', server.url, '--key', server.keys.ingest]);
    expect(bulk.code).toBe(0);
    expect(bulk.stdout).toMatch(/2500 usage entries .*\n.*0 in a BMAD project, 2500 outside any; 0 attributed to a BMAD agent, 2500 unattributed/);
    expect(bulk.stdout).toMatch(/events: 2500 new, 0 already known, 0 rejected/);
    expect(costRows(server.dataDir).n).toBe(2508);

    const badKey = await cliAsync(['import-claude-usage', '--dir', env.projects, '--url', server.url, '--key', server.keys.read]);
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/refused the key \(403\)/);
  }, 90_000);

  it('--watch imports the fixture into a data dir, then picks up an appended line until Ctrl-C', async () => {
    const env = setUp();
    const dataDir = path.join(env.base, 'data');
    const w = start(['import-claude-usage', '--watch', '--dir', env.projects, '--bmad', env.bmad, '--data-dir', dataDir]);
    try {
      await waitFor(w.child, w.out, /watching .* for new usage/);
      expect(w.out.stdout).toMatch(/events: 11 new, 0 already known, 0 rejected/);
      const line = {
        type: 'assistant',
        sessionId: 'sess-c',
        cwd: env.bmad,
        timestamp: '2026-11-22T09:00:00.000Z',
        requestId: 'req_c3',
        message: {
          id: 'msg_c3',
          model: 'claude-sonnet-4-5-20250929',
          usage: { input_tokens: 11, output_tokens: 7, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
        },
      };
      fs.appendFileSync(path.join(env.projects, '-work-other/sess-c.jsonl'), `${JSON.stringify(line)}\n`);
      await waitFor(w.child, w.out, /sess-c\.jsonl: \+1 usage entries: 1 events new, 0 already known, 0 rejected/);
    } finally {
      w.child.kill('SIGINT');
    }
    expect(await w.done).toBe(0);
    expect(w.out.stdout).toMatch(/stopped watching/);
    const rows = costRows(dataDir);
    expect(rows).toMatchObject({ n: 9, input: 876, inProject: 7, sm: 3 });
  }, 90_000);

  it('names the problem with missing options or folders', () => {
    const env = setUp();
    const noKey = cli(['import-claude-usage', '--dir', env.projects, '--url', 'http://127.0.0.1:9']);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/--url needs --key/);
    const missing = cli(['import-claude-usage', '--dir', 'no/such/dir']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/no\/such\/dir is not a directory/);
    const notBmad = cli(['import-claude-usage', '--dir', env.projects, '--bmad', env.other, '--data-dir', path.join(env.base, 'd')]);
    expect(notBmad.code).toBe(1);
    expect(notBmad.stderr).toMatch(/--bmad: No BMAD project found in .*other/);
  }, 90_000);
});

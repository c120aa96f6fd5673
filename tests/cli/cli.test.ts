import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { databaseFile, loadConfig } from '../../src/server/config.js';
import { tempDir } from '../support/test-server.js';
import { runCli } from '../support/cli.js';
import { holdWriteLock } from '../support/sqlite-lock.js';
import { COMMAND_BUSY_TIMEOUT_MS, commandConfigFrom } from '../../src/server/cli/options.js';

const root = path.resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const cli = (args: string[], env: Record<string, string> = {}, input?: string) =>
  runCli(args, { env, timeoutMs: 30_000, ...(input !== undefined ? { input } : {}) });

describe('bmad-ops CLI', () => {
  const dataDir = tempDir('bmad-ops-cli-');
  dirs.push(dataDir);

  it('creates a user, printing a generated password once, and refuses a duplicate', () => {
    const ok = cli(['user', 'create', '--email', 'Ops@Example.test', '--role', 'operator', '--data-dir', dataDir]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/created operator ops@example\.test/);
    expect(ok.stdout).toMatch(/password: \S{12,}/);
    const dup = cli(['user', 'create', '--email', 'ops@example.test', '--role', 'viewer', '--data-dir', dataDir]);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/already exists/);
  });

  it('waits for a running server to let go of the write lock instead of failing "database is locked"', async () => {
    const own = tempDir('bmad-ops-cli-lock-');
    dirs.push(own);
    expect(cli(['user', 'list', '--data-dir', own]).code).toBe(0); // migrated: opening it needs no write lock
    // 5 s: longer than the command takes to start, far below the time it waits.
    const holder = await holdWriteLock(databaseFile(loadConfig({}, { dataDir: own })), 5_000);
    try {
      const r = cli(['user', 'create', '--email', 'late@example.test', '--role', 'viewer', '--data-dir', own]);
      expect(r.stderr).not.toMatch(/locked/);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/created viewer late@example\.test/);
    } finally {
      holder.kill();
    }
  });

  it('says the database stayed locked, without a stack trace, once it has waited as long as it was told', async () => {
    const own = tempDir('bmad-ops-cli-lock-');
    dirs.push(own);
    expect(cli(['user', 'list', '--data-dir', own]).code).toBe(0);
    const holder = await holdWriteLock(databaseFile(loadConfig({}, { dataDir: own })), 60_000);
    try {
      // A wait of 2 s, told by the environment, instead of the commands' 15 s.
      const r = cli(['user', 'create', '--email', 'late@example.test', '--role', 'viewer', '--data-dir', own], { BMAD_OPS_SQLITE_BUSY_TIMEOUT_MS: '2000' });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^bmad-ops: the database stayed locked by another process .*BMAD_OPS_SQLITE_BUSY_TIMEOUT_MS/);
      expect(r.stderr).not.toMatch(/\bat \S+ \(/); // no stack frames
    } finally {
      holder.kill();
    }
  });

  it('creates an API key, printing it once and storing only a hash', () => {
    const r = cli(['key', 'create', '--name', 'connector', '--scope', 'ingest,read', '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    const key = r.stdout.trim();
    expect(key).toMatch(/^bmo_[0-9a-f]{12}_[A-Za-z0-9_-]{32}$/);
    const db = new Database(path.join(dataDir, 'bmad-ops.sqlite'), { readonly: true });
    const row = db.prepare('select secret_hash, scopes_json from api_keys where name = ?').get('connector') as { secret_hash: string; scopes_json: string };
    db.close();
    expect(row.secret_hash).not.toContain(key.slice(17));
    expect(JSON.parse(row.scopes_json)).toEqual(['ingest', 'read']);
    expect(cli(['key', 'list', '--data-dir', dataDir]).stdout).toMatch(/connector\tingest,read\tsources connector\t/);
  });

  it("binds an ingest key to the sources it may write: named after it by default, never the server's own", () => {
    const r = cli([
      'key',
      'create',
      '--name',
      'importer',
      '--scope',
      'ingest',
      '--source',
      'bmad-connector',
      '--source',
      'claude-code-importer',
      '--data-dir',
      dataDir,
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/writing as "bmad-connector", "claude-code-importer"/);
    expect(cli(['key', 'list', '--data-dir', dataDir]).stdout).toMatch(/importer\tingest\tsources bmad-connector,claude-code-importer\t/);
    const own = cli(['key', 'create', '--name', 'x', '--scope', 'ingest', '--source', 'bmad-ops-ui', '--data-dir', dataDir]);
    expect(own.code).not.toBe(0);
    expect(own.stderr).toMatch(/--source.*"bmad-ops-ui" is the server's own source/);
    const both = cli(['key', 'create', '--name', 'x', '--scope', 'ingest', '--source', 'a', '--any-source', '--data-dir', dataDir]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--source or --any-source, not both/);
  });

  it('binds an ingest key to one project, and refuses a binding without the ingest scope', () => {
    const r = cli(['key', 'create', '--name', 'ana laptop', '--scope', 'ingest', '--project', 'bmad:streakly', '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/bound to project bmad:streakly/);
    expect(r.stderr).toMatch(/no project bmad:streakly is known yet/);
    const db = new Database(path.join(dataDir, 'bmad-ops.sqlite'), { readonly: true });
    const row = db.prepare('select project_id from api_keys where name = ?').get('ana laptop') as { project_id: string };
    db.close();
    expect(row.project_id).toBe('bmad:streakly');
    expect(cli(['key', 'list', '--data-dir', dataDir]).stdout).toMatch(/ana laptop\tingest\tproject bmad:streakly/);
    const read = cli(['key', 'create', '--name', 'r', '--scope', 'read', '--project', 'bmad:streakly', '--data-dir', dataDir]);
    expect(read.code).toBe(2);
    expect(read.stderr).toMatch(/--project .*needs --scope ingest/);
  });

  it('manages accounts: list, set-role, passwd from stdin, disable / enable, revoke-sessions; an unknown email is one line', () => {
    const email = 'ana@example.test';
    expect(cli(['user', 'create', '--email', email, '--role', 'viewer', '--password', 'a first password', '--data-dir', dataDir]).code).toBe(0);
    expect(cli(['user', 'set-role', '--email', email, '--role', 'manager', '--data-dir', dataDir]).stdout).toMatch(/ana@example\.test is now manager/);
    expect(cli(['user', 'list', '--data-dir', dataDir]).stdout).toMatch(/ana@example\.test\tmanager\tactive/);
    const passwd = cli(['user', 'passwd', '--email', email, '--password-stdin', '--data-dir', dataDir], {}, 'a brand new password\n');
    expect(passwd.code).toBe(0);
    expect(passwd.stdout).toMatch(/password changed for ana@example\.test; 0 session\(s\) ended/);
    const short = cli(['user', 'passwd', '--email', email, '--password-stdin', '--data-dir', dataDir], {}, 'short\n');
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/at least 12 characters/);
    expect(cli(['user', 'disable', '--email', email, '--data-dir', dataDir]).code).toBe(0);
    expect(cli(['user', 'list', '--data-dir', dataDir]).stdout).toMatch(/ana@example\.test\tmanager\tdisabled \d{4}-/);
    expect(cli(['user', 'enable', '--email', email, '--data-dir', dataDir]).code).toBe(0);
    expect(cli(['user', 'revoke-sessions', '--email', email, '--data-dir', dataDir]).stdout).toMatch(/0 session\(s\) of ana@example\.test ended/);
    const unknown = cli(['user', 'disable', '--email', 'nobody@example.test', '--data-dir', dataDir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe('bmad-ops: no account with email nobody@example.test');
    const db = new Database(path.join(dataDir, 'bmad-ops.sqlite'), { readonly: true });
    const actions = (db.prepare("select action from audit_log where action like 'user.%' order by id").all() as { action: string }[]).map((r) => r.action);
    db.close();
    expect(actions).toEqual(expect.arrayContaining(['user.set_role', 'user.set_password', 'user.disable', 'user.enable', 'user.revoke_sessions']));
  });

  it('makes keys that expire: 30d or a date, never a date in the past', () => {
    const r = cli(['key', 'create', '--name', 'temp', '--scope', 'read', '--expires', '30d', '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/expiring \d{4}-\d{2}-\d{2}T/);
    expect(cli(['key', 'list', '--data-dir', dataDir]).stdout).toMatch(/temp\tread\tsources temp\t\S+\tactive until \d{4}-/);
    const past = cli(['key', 'create', '--name', 'old', '--scope', 'read', '--expires', '2001-01-01', '--data-dir', dataDir]);
    expect(past.code).not.toBe(0);
    expect(past.stderr).toMatch(/--expires.*in the past/);
  });

  it('names the flag or variable that is wrong', () => {
    const scope = cli(['key', 'create', '--name', 'x', '--scope', 'admin', '--data-dir', dataDir]);
    expect(scope.code).not.toBe(0);
    expect(scope.stderr).toMatch(/--scope.*unknown scope "admin"/);
    const role = cli(['user', 'create', '--email', 'a@b.test', '--role', 'root', '--data-dir', dataDir]);
    expect(role.code).not.toBe(0);
    expect(role.stderr).toMatch(/--role/);
    const email = cli(['user', 'create', '--email', 'not-an-email', '--role', 'viewer', '--data-dir', dataDir]);
    expect(email.stderr).toMatch(/--email/);
    const port = cli(['serve', '--data-dir', dataDir], { BMAD_OPS_PORT: 'eighty' });
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/BMAD_OPS_PORT/);
    const flag = cli(['serve', '--data-dir', dataDir, '--port', '70000']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--port/);
  });

  it('refuses to serve a database whose migrations do not match the code', () => {
    const db = new Database(path.join(dataDir, 'bmad-ops.sqlite'));
    db.prepare("insert into schema_migrations values (999, 'future', 'x', '2026-01-01T00:00:00Z')").run();
    db.close();
    const r = cli(['serve', '--data-dir', dataDir, '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Refusing to start/);
  });
});

describe("a one-shot command's lock wait", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("is one wait of 15 s, not the server's 50 ms retried 30 times, unless the environment says otherwise", () => {
    vi.stubEnv('BMAD_OPS_SQLITE_BUSY_TIMEOUT_MS', '');
    vi.stubEnv('BMAD_OPS_SQLITE_LOCK_RETRIES', '');
    expect(commandConfigFrom({}).sqlite).toMatchObject({ busyTimeoutMs: COMMAND_BUSY_TIMEOUT_MS, lockRetries: 0 });
    expect(COMMAND_BUSY_TIMEOUT_MS).toBe(15_000);
    vi.stubEnv('BMAD_OPS_SQLITE_BUSY_TIMEOUT_MS', '700');
    vi.stubEnv('BMAD_OPS_SQLITE_LOCK_RETRIES', '4');
    expect(commandConfigFrom({}).sqlite).toMatchObject({ busyTimeoutMs: 700, lockRetries: 4 });
  });

  it("commits a command's rounds on its own thread; the server's go to the writer's thread", () => {
    expect(commandConfigFrom({}).ingest.writerThread).toBe('main');
    expect(loadConfig({}, {}).ingest.writerThread).toBe('worker');
  });
});

describe('the demo workspace switch', () => {
  const serveDemo = (env: Record<string, string>, flags: { demo?: boolean } = {}) => loadConfig(env, flags).demo;

  it('is off unless --demo or BMAD_OPS_DEMO=1, the flag winning', () => {
    expect(serveDemo({})).toEqual({ enabled: false, ratePerSecond: 1 });
    expect(serveDemo({ BMAD_OPS_DEMO: '1' }).enabled).toBe(true);
    expect(serveDemo({}, { demo: true }).enabled).toBe(true);
    expect(serveDemo({ BMAD_OPS_DEMO: '0' }).enabled).toBe(false);
    expect(serveDemo({ BMAD_OPS_DEMO: 'false' }).enabled).toBe(false);
    expect(serveDemo({}, { demo: false }).enabled).toBe(false);
    expect(serveDemo({ BMAD_OPS_DEMO: '1' }, { demo: false }).enabled).toBe(false);
    expect(serveDemo({ BMAD_OPS_DEMO: '0' }, { demo: true }).enabled).toBe(true);
    expect(serveDemo({ BMAD_OPS_DEMO_RATE: '2.5' }).ratePerSecond).toBe(2.5);
    expect(loadConfig({}).demo.enabled).toBe(false);
    expect(loadConfig({ BMAD_OPS_DEMO: 'true' }).demo.enabled).toBe(true);
    expect(() => serveDemo({ BMAD_OPS_DEMO: 'maybe' })).toThrow(/BMAD_OPS_DEMO: must be 1, true, 0 or false/);
    expect(() => serveDemo({ BMAD_OPS_DEMO_RATE: '0' })).toThrow(/BMAD_OPS_DEMO_RATE/);
    expect(() => serveDemo({ BMAD_OPS_DEMO_RATE: '51' })).toThrow(/BMAD_OPS_DEMO_RATE/);
  });

  it('serve accepts --no-demo and --demo, and says so when it serves demo data', async () => {
    const flag = cli(['serve', '--no-demo', '--port', '70000']);
    expect(flag.stderr).toMatch(/--port/);
    expect(flag.stderr).not.toMatch(/unknown option/);

    const dataDir = tempDir('bmad-ops-cli-demo-');
    dirs.push(dataDir);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli/main.ts', 'serve', '--demo', '--port', '0', '--data-dir', dataDir], {
      cwd: root,
      env: { ...process.env, BMAD_OPS_LOG_LEVEL: 'silent', BMAD_OPS_DEMO: '', BMAD_OPS_DEMO_RATE: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Generous: a cold tsx transpile of the whole server on a loaded CI machine takes several seconds before the demo seeds.
    const killer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (/for your real data/.test(stdout)) resolve();
      });
      child.on('close', () => resolve());
    });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    clearTimeout(killer);
    expect(stdout).toMatch(/password: \S{12,}/);
    expect(stdout).toMatch(/This workspace is demo data .*simulated at 1 event per second/);
    expect(stdout).toMatch(/because of --demo \(or BMAD_OPS_DEMO=1\)/);
  }, 60_000);
});

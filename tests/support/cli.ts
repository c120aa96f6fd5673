import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { TEST_DATABASE_URL } from './postgres.js';
import { schemaOf } from './test-db.js';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/** Runs `bmad-ops …` from the sources, as a separate process (the way people run it), and waits for it. */
export function runCli(args: string[], opts: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {}) {
  const r = spawnSync(process.execPath, cliArgs(args), {
    cwd: REPO_ROOT,
    ...(opts.input !== undefined ? { input: opts.input } : {}),
    env: { ...process.env, BMAD_OPS_LOG_LEVEL: 'silent', ...backendEnv(args), ...opts.env },
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The same, without blocking this process: a test server running in this process keeps serving (and finishes the
 * transaction it is in) while the command runs against the same database.
 */
export function runCliAsync(
  args: string[],
  opts: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, cliArgs(args), {
      cwd: REPO_ROOT,
      env: { ...process.env, BMAD_OPS_LOG_LEVEL: 'silent', ...backendEnv(args), ...opts.env },
      timeout: opts.timeoutMs ?? 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const cliArgs = (args: readonly string[]) => ['--import', 'tsx', 'src/server/cli/main.ts', ...args];

/** On the Postgres test backend, a command given a test server's data dir works on that server's schema. */
function backendEnv(args: readonly string[]): Record<string, string> {
  const i = args.indexOf('--data-dir');
  const schema = i >= 0 && args[i + 1] ? schemaOf(args[i + 1]!) : undefined;
  return schema ? { BMAD_OPS_DATABASE_URL: TEST_DATABASE_URL, BMAD_OPS_DATABASE_SCHEMA: schema } : {};
}

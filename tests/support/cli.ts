import { spawnSync } from 'node:child_process';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/** Runs `bmad-ops …` from the sources, as a separate process (the way people run it), and waits for it. */
export function runCli(args: string[], opts: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/server/cli/main.ts', ...args], {
    cwd: REPO_ROOT,
    ...(opts.input !== undefined ? { input: opts.input } : {}),
    env: { ...process.env, BMAD_OPS_LOG_LEVEL: 'silent', ...opts.env },
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

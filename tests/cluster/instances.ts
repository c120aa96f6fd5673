import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { REPO_ROOT, runCliAsync } from '../support/cli.js';
import { tempDir } from '../support/test-server.js';

export interface Instance {
  url: string;
  pid: number;
  dataDir: string;
  proc: ChildProcess;
  /** Everything the process wrote to stderr (its warnings and errors), for a failure message. */
  log(): string;
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

export interface ClusterEnv {
  databaseUrl: string;
  natsUrl: string;
  stream: string;
}

export const ADMIN = { email: 'admin@example.test', password: 'correct horse battery staple' };

/** The cluster's variables; an empty URL leaves that service out (a SQLite instance, or Postgres without NATS). */
const envOf = (c: ClusterEnv): Record<string, string> => {
  const env: Record<string, string> = { BMAD_OPS_NATS_STREAM: c.stream };
  if (c.databaseUrl) env.BMAD_OPS_DATABASE_URL = c.databaseUrl;
  if (c.natsUrl) env.BMAD_OPS_NATS_URL = c.natsUrl;
  return env;
};

/** One `bmad-ops serve` process on the shared Postgres and NATS, on a free port and a data dir of its own. */
export async function startInstance(c: ClusterEnv, extraEnv: Record<string, string> = {}): Promise<Instance> {
  const dataDir = tempDir('bmad-ops-instance-');
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli/main.ts', 'serve', '--port', '0', '--data-dir', dataDir], {
    cwd: REPO_ROOT,
    env: {
      ...withoutClusterEnv(process.env),
      ...envOf(c),
      BMAD_OPS_LOG_LEVEL: 'warn',
      BMAD_OPS_ADMIN_EMAIL: ADMIN.email,
      BMAD_OPS_ADMIN_PASSWORD: ADMIN.password,
      BMAD_OPS_CLAUDE_USAGE: '0',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-20_000)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`instance did not start in 60 s:\n${stderr}`)), 60_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const m = /BMAD Ops is running at (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`instance exited with ${code} before listening:\n${stderr}`));
    });
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return {
    url,
    pid: proc.pid!,
    dataDir,
    proc,
    log: () => stderr,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
    async kill9() {
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** An API key with every scope, made by the CLI on the shared database (or, for SQLite, in the instance's data dir). */
export async function createKey(c: ClusterEnv, dataDir = tempDir()): Promise<string> {
  const r = await runCliAsync(['key', 'create', '--name', 'cluster test', '--scope', 'ingest,read', '--any-source', '--data-dir', dataDir], {
    env: envOf(c),
  });
  if (r.code !== 0) throw new Error(`key create failed: ${r.stderr}`);
  return r.stdout.trim().split('\n')[0]!;
}

/** The caller's own settings must not leak into an instance: it gets exactly the services it is given. */
function withoutClusterEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { BMAD_OPS_DATABASE_URL: _db, BMAD_OPS_NATS_URL: _nats, BMAD_OPS_DATABASE_SCHEMA: _schema, ...rest } = env;
  return rest;
}

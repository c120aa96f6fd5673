import { spawn, type ChildProcessByStdio } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { benchServerConfig } from './run-info.js';

/** The first line server-process.mjs prints. */
export interface ServerHello {
  url: string;
  /** Scope `ingest`. */
  key: string;
  /** Scope `read`: what a dashboard's requests carry. */
  readKey: string;
}

export type ServerChild = ChildProcessByStdio<Writable, Readable, null>;

const supportDir = path.dirname(fileURLToPath(import.meta.url));
const serverScript = path.join(supportDir, 'server-process.mjs');
const builtServer = path.join(supportDir, '..', '..', 'dist', 'server', 'server.js');

/**
 * Starts `server-process.mjs` on a data directory in its own Node process (so the bench's own work is not measured
 * with it) and waits for its hello line. Only a loopback HTTP server is accepted. With `build`, the process runs the
 * compiled server (dist/, `npm run build:server`) under bare Node, as it ships; otherwise src/ under tsx.
 */
export async function startServerChild(
  dataDir: string,
  opts: { nodeFlags?: string[]; startTimeoutMs: number; build?: boolean },
): Promise<{ child: ServerChild; hello: ServerHello }> {
  if (opts.build && !fs.existsSync(builtServer)) throw new Error(`${builtServer} is missing: run \`npm run build:server\` first`);
  const loader = opts.build ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...(opts.nodeFlags ?? []), ...loader, serverScript, dataDir], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_SERVER_CONFIG: JSON.stringify(benchServerConfig(dataDir)), BENCH_SERVER_BUILD: opts.build ? '1' : '0' },
  });
  try {
    const hello = await new Promise<ServerHello>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server process did not start within ${opts.startTimeoutMs / 1000} s`)), opts.startTimeoutMs);
      child.once('exit', (code) => reject(new Error(`the server process exited with code ${code} before listening`)));
      createInterface({ input: child.stdout }).once('line', (line) => {
        clearTimeout(timer);
        try {
          resolve(JSON.parse(line) as ServerHello);
        } catch {
          reject(new Error(`unexpected output from the server process: ${line}`));
        }
      });
    });
    const u = new URL(hello.url);
    if (u.protocol !== 'http:' || u.hostname !== '127.0.0.1') throw new Error(`refusing to measure anything but http://127.0.0.1 (got ${hello.url})`);
    return { child, hello };
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
}

/** Closing stdin asks the server to finish its queue and checkpoint; it is killed if that takes too long. Resolves with its exit code. */
export async function stopServerChild(child: ServerChild, killAfterMs: number): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stdin.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

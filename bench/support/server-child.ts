import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { ServerHello } from './server-process.js';

export type ServerChild = ChildProcessByStdio<Writable, Readable, null>;

/**
 * Starts `server-process.ts` on a data directory in its own Node process (so the bench's own work is not measured
 * with it) and waits for its hello line. Only a loopback HTTP server is accepted.
 */
export async function startServerChild(
  serverScript: string,
  dataDir: string,
  opts: { nodeFlags?: string[]; startTimeoutMs: number },
): Promise<{ child: ServerChild; hello: ServerHello }> {
  const child = spawn(process.execPath, [...(opts.nodeFlags ?? []), '--import', 'tsx', serverScript, dataDir], { stdio: ['pipe', 'pipe', 'inherit'] });
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

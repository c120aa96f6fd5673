import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const READY_LINE = /BMAD Ops is running at (http:\/\/\S+)/;
const TAIL_CHARS = 4000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A port that was free a moment ago; reused across restarts so clients see the "same" server come back. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  readonly pid: number;
  readonly url: string;
  readonly alive: boolean;
  readonly exited: Promise<ExitInfo>;
  /** The end of what the process wrote to stderr, for failure messages. */
  stderrTail(): string;
  /** SIGKILL: no shutdown hook, no WAL checkpoint, nothing flushed beyond what SQLite already made durable. */
  kill9(): Promise<ExitInfo>;
  /** SIGTERM and wait for the graceful shutdown, falling back to SIGKILL so the test can never hang here. */
  stop(timeoutMs?: number): Promise<ExitInfo>;
}

export interface StartOptions {
  port: number;
  dataDir: string;
  env: Record<string, string>;
  startTimeoutMs: number;
}

/**
 * Runs the real CLI entry point in its own process. `node --import tsx` keeps the server in that one process: the
 * tsx CLI would fork a grandchild that a SIGKILL to our child would orphan, leaving the port and database held.
 */
export function startServerProcess(opts: StartOptions): Promise<ServerProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
  // The parent's test-runner or coverage hooks must not leak into the server under test.
  delete env.NODE_OPTIONS;
  delete env.NODE_V8_COVERAGE;
  // --no-demo: the durability checks count exactly the events the test sent, so no demo workspace may add its own.
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/server/cli/main.ts', 'serve', '--no-demo', '--port', String(opts.port), '--host', '127.0.0.1', '--data-dir', opts.dataDir],
    { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: false },
  );
  let stdout = '';
  let stderr = '';
  let alive = true;
  // If the test worker itself dies, the server must not outlive it holding the port and the database.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      alive = false;
      process.off('exit', killOnExit);
      resolve({ code, signal });
    });
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-TAIL_CHARS);
  });

  const waitExit = async (timeoutMs: number): Promise<ExitInfo> => {
    const timer = sleep(timeoutMs).then(() => undefined);
    const info = await Promise.race([exited, timer]);
    if (!info) throw new Error(`server pid ${child.pid} did not exit within ${timeoutMs} ms`);
    return info;
  };

  return new Promise<ServerProcess>((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${why}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`));
    };
    const timer = setTimeout(() => fail(`server did not report ready within ${opts.startTimeoutMs} ms`), opts.startTimeoutMs);
    void exited.then(({ code, signal }) => fail(`server exited before it was ready (code ${code}, signal ${signal})`));
    child.once('error', (err) => fail(`could not start the server: ${err.message}`));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout = (stdout + chunk).slice(-TAIL_CHARS);
      const m = READY_LINE.exec(stdout);
      if (settled || !m) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        pid: child.pid!,
        url: m[1]!,
        get alive() {
          return alive;
        },
        exited,
        stderrTail: () => stderr,
        async kill9() {
          if (alive) process.kill(child.pid!, 'SIGKILL');
          return waitExit(10_000);
        },
        async stop(timeoutMs = 10_000) {
          if (!alive) return exited;
          child.kill('SIGTERM');
          try {
            return await waitExit(timeoutMs);
          } catch (err) {
            child.kill('SIGKILL');
            await waitExit(5_000);
            throw err;
          }
        },
      });
    });
  });
}

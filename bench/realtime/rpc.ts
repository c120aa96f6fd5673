/**
 * Request/response over Node's IPC channel between the bench and its child processes (servers, client swarms). Each
 * child runs on its own event loop and core, so the bench's bookkeeping never sits in the path being measured.
 */
import { fork, type ChildProcess } from 'node:child_process';

interface RpcRequest {
  rpc: number;
  cmd: string;
  args?: unknown;
}
type RpcResponse = { rpc: number; ok: true; result?: unknown } | { rpc: number; ok: false; error: string };
interface ReadyMessage {
  ready: true;
  hello: unknown;
}

export type Handlers = Record<string, (args: unknown) => unknown>;

/** Child side: announces `hello`, then answers commands until the parent says `exit` or goes away. */
export function serveRpc(hello: unknown, handlers: Handlers, onExit: () => Promise<void> = async () => undefined): void {
  const send = (m: RpcResponse | ReadyMessage) => process.send?.(m);
  let exiting = false;
  const exit = async (code: number) => {
    if (exiting) return;
    exiting = true;
    await onExit().catch((err: unknown) => console.error('child shutdown failed', err));
    process.exit(code);
  };
  process.on('message', (raw: unknown) => {
    const m = raw as RpcRequest;
    if (typeof m?.rpc !== 'number') return;
    if (m.cmd === 'exit') {
      send({ rpc: m.rpc, ok: true });
      void exit(0);
      return;
    }
    const handler = handlers[m.cmd];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown command ${m.cmd}`);
        return handler(m.args);
      })
      .then(
        (result) => send({ rpc: m.rpc, ok: true, result }),
        (err: unknown) => send({ rpc: m.rpc, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      );
  });
  // The bench died or was interrupted: a child must never outlive it holding sockets.
  process.on('disconnect', () => void exit(0));
  send({ ready: true, hello });
}

/** Parent side of one child. */
export class RpcChild<Hello = unknown> {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private exited = false;

  private constructor(
    readonly label: string,
    readonly child: ChildProcess,
    readonly hello: Hello,
  ) {
    child.on('message', (raw: unknown) => {
      const m = raw as RpcResponse;
      const p = this.pending.get(m.rpc);
      if (!p) return;
      this.pending.delete(m.rpc);
      clearTimeout(p.timer);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(`${label}: ${m.error}`));
    });
    child.on('exit', (code, signal) => {
      this.exited = true;
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(new Error(`${label} exited (code ${code}, signal ${signal}) with a command pending`));
      }
      this.pending.clear();
    });
  }

  static async start<Hello>(
    label: string,
    script: string,
    opts: { execArgv?: string[]; args?: string[]; readyTimeoutMs?: number } = {},
  ): Promise<RpcChild<Hello>> {
    const child = fork(script, opts.args ?? [], { execArgv: ['--import', 'tsx', ...(opts.execArgv ?? [])], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    try {
      const hello = await new Promise<Hello>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${label} did not start within ${(opts.readyTimeoutMs ?? 30_000) / 1000} s`)),
          opts.readyTimeoutMs ?? 30_000,
        );
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`${label} exited with code ${code} before it was ready`));
        });
        const onMessage = (raw: unknown) => {
          const m = raw as ReadyMessage;
          if (m?.ready !== true) return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve(m.hello as Hello);
        };
        child.on('message', onMessage);
      });
      return new RpcChild<Hello>(label, child, hello);
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
  }

  call<T>(cmd: string, args?: unknown, timeoutMs = 60_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.label} has exited`));
    const rpc = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(rpc);
        reject(new Error(`${this.label}: ${cmd} did not answer within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.pending.set(rpc, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.child.send({ rpc, cmd, args } satisfies RpcRequest);
    });
  }

  /** Asks the child to exit cleanly (a CPU profile is only written then); kills it if that takes too long. */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await this.call('exit', undefined, timeoutMs).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

import WebSocket from 'ws';
import { serverMessageSchema, type ClientMessage, type ServerMessage } from '../../src/contracts/index.js';

/**
 * A test WebSocket client that records every server message (validated against the contract schema) and lets a test
 * wait for the message it expects, never for a fixed time.
 */
export class TestWsClient {
  readonly messages: ServerMessage[] = [];
  readonly invalid: unknown[] = [];
  closed: { code: number; reason: string } | undefined;
  private waiters: { pred: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void; from: number }[] = [];
  private closeWaiters: ((c: { code: number; reason: string }) => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      let raw: unknown;
      try {
        raw = JSON.parse(data.toString());
      } catch {
        this.invalid.push(data.toString());
        return;
      }
      const parsed = serverMessageSchema.safeParse(raw);
      if (!parsed.success) {
        this.invalid.push(raw);
        return;
      }
      this.messages.push(parsed.data);
      for (const w of [...this.waiters]) {
        if (w.pred(parsed.data)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(parsed.data);
        }
      }
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      for (const w of this.closeWaiters.splice(0)) w(this.closed);
    });
    ws.on('error', () => undefined);
  }

  static async connect(baseUrl: string, opts: { headers?: Record<string, string> } = {}): Promise<TestWsClient> {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws`, { headers: opts.headers ?? {} });
    const client = new TestWsClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }

  /** Connects, authenticates with `token` and waits for welcome. */
  static async authed(baseUrl: string, token: string, topics?: ClientMessage extends never ? never : string[]): Promise<TestWsClient> {
    const c = await TestWsClient.connect(baseUrl);
    c.send({ type: 'auth', token });
    await c.waitFor((m) => m.type === 'welcome');
    if (topics) {
      c.send({ type: 'subscribe', topics: topics as never });
      await c.waitFor((m) => m.type === 'resync_complete');
    }
    return c;
  }

  send(msg: ClientMessage | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(msg));
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  /** Resolves with the first message (already received or future) matching `pred`, after index `from`. */
  waitFor<T extends ServerMessage = ServerMessage>(pred: (m: ServerMessage) => boolean, timeoutMs = 5000, from = 0): Promise<T> {
    const existing = this.messages.slice(from).find(pred);
    if (existing) return Promise.resolve(existing as T);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for a message; got ${JSON.stringify(this.messages.slice(-5))}`)), timeoutMs);
      this.waiters.push({
        pred,
        from,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as T);
        },
      });
    });
  }

  waitForClose(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    if (this.closed) return Promise.resolve(this.closed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for close')), timeoutMs);
      this.closeWaiters.push((c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
  }

  events(): Extract<ServerMessage, { type: 'event' }>[] {
    return this.messages.filter((m): m is Extract<ServerMessage, { type: 'event' }> => m.type === 'event');
  }

  close(): void {
    this.ws.terminate();
  }
}

import net from 'node:net';
import WebSocket from 'ws';
import { expect } from 'vitest';
import type { Topic } from '../../src/contracts/index.js';
import { RealtimeClient, type RealtimeClientOptions, type RealtimeHandlers, type SocketLike } from '../../src/web/realtime/realtime-client.js';
import type { TestServer } from '../support/test-server.js';
export { ingestIds } from '../support/ingest.js';
export { sleep, until } from '../support/wait.js';

/** Reads one sample from GET /metrics (0 when the series does not exist yet, as Prometheus would treat it). */
export async function metric(t: TestServer, name: string, labels: Record<string, string> = {}): Promise<number> {
  const res = await t.get('/metrics', t.keys.metrics);
  expect(res.status).toBe(200);
  const text = await res.text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = (m[2] ?? '').split(',').filter(Boolean);
    if (wanted.every((w) => have.includes(w))) return Number(m[3]);
  }
  return 0;
}

export function wsUrl(port: number): string {
  return `ws://127.0.0.1:${port}/ws`;
}

/** The browser client library, run in Node over the `ws` package. */
export function nodeClient(
  opts: { port: number; token: string; topics: Topic[] } & Partial<Omit<RealtimeClientOptions, 'url' | 'token' | 'topics' | 'createSocket'>>,
  handlers: RealtimeHandlers,
): RealtimeClient {
  const { port, token, ...rest } = opts;
  return new RealtimeClient({ ...rest, url: wsUrl(port), token: () => token, createSocket: (u) => new WebSocket(u) as unknown as SocketLike }, handlers);
}

/**
 * A loopback TCP proxy that can simulate a dead network path: `freeze()` stops forwarding in both directions while
 * every socket stays open (nobody sees a FIN or RST, as when a NAT or a cable drops packets), and connections opened
 * meanwhile are accepted but go nowhere. `thaw()` forwards connections opened from then on, and those held during the
 * freeze, normally; the pairs that were frozen stay dead, as their server side has long given up on them.
 */
export class FreezableProxy {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private live: { client: net.Socket; upstream: net.Socket }[] = [];
  private held: net.Socket[] = [];
  private frozen = false;
  port = 0;
  /** Connections accepted in total, so a test can tell that the client dialled again. */
  accepted = 0;

  constructor(private readonly targetPort: number) {
    this.server = net.createServer((client) => this.onClient(client));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  private track(s: net.Socket): void {
    this.sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => this.sockets.delete(s));
  }

  private onClient(client: net.Socket): void {
    this.accepted++;
    this.track(client);
    if (this.frozen) {
      // Not reading keeps the handshake request buffered, so a later thaw can still forward it.
      client.pause();
      this.held.push(client);
      return;
    }
    this.forward(client);
  }

  private forward(client: net.Socket): void {
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    this.track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    // A close on either side while forwarding is passed on, as a transparent proxy would.
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    this.live.push({ client, upstream });
    client.resume();
  }

  freeze(): void {
    this.frozen = true;
    for (const { client, upstream } of this.live) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
      // A frozen path must not pass on the server's eventual close either: the client must find out by itself.
      client.removeAllListeners('close');
      upstream.removeAllListeners('close');
      client.on('close', () => this.sockets.delete(client));
      upstream.on('close', () => this.sockets.delete(upstream));
    }
    this.live = [];
  }

  /**
   * `held: 'abandon'` leaves the connections opened during the freeze hanging for good, as when their SYN or upgrade
   * request was lost and nothing on the way will ever answer or reset them.
   */
  thaw(opts: { held: 'forward' | 'abandon' } = { held: 'forward' }): void {
    this.frozen = false;
    const held = this.held;
    this.held = [];
    if (opts.held === 'forward') for (const client of held) if (!client.destroyed) this.forward(client);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

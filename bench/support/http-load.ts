import http from 'node:http';

export interface LoadTarget {
  url: string;
  key: string;
}

export interface LoadResult {
  requests: number;
  events: number;
  elapsedMs: number;
  /** Per-request latency in ms, sorted ascending. */
  latenciesMs: number[];
  /** CPU the load generator itself used; near elapsedMs would mean the client, not the server, is the limit. */
  clientCpuMs: number;
}

const REQUEST_TIMEOUT_MS = 30_000;

/** A loopback-only guard: the bench must never send traffic anywhere else, whatever the child printed. */
function loopbackPort(url: string): number {
  const u = new URL(url);
  if (u.protocol !== 'http:' || u.hostname !== '127.0.0.1') throw new Error(`refusing to load anything but http://127.0.0.1 (got ${url})`);
  return Number(u.port);
}

/** Where the bodies go and how an answer is judged (default: the events API, 200 with every event accepted). */
export interface Endpoint {
  path: string;
  contentType: string;
  /** Null when the answer is right; otherwise why not. */
  check(status: number, body: Buffer, expected: number): string | null;
}

export const EVENTS_API: Endpoint = {
  path: '/api/v1/events',
  contentType: 'application/json',
  check(status, body, expected) {
    const text = body.toString('utf8');
    if (status !== 200) return `ingest returned HTTP ${status}: ${text.slice(0, 500)}`;
    const accepted = (JSON.parse(text) as { accepted?: unknown }).accepted;
    return accepted === expected ? null : `ingest accepted ${String(accepted)} of ${expected} events: ${text.slice(0, 500)}`;
  },
};

/**
 * One POST, resolving with its latency once the response is fully read and checked: a wrong answer fails the whole
 * run, since a throughput figure over rejected events means nothing.
 */
function post(agent: http.Agent, port: number, key: string, body: Buffer, expected: number, endpoint: Endpoint): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: endpoint.path,
        headers: { 'content-type': endpoint.contentType, 'content-length': body.length, authorization: `Bearer ${key}` },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const elapsed = performance.now() - started;
          const wrong = endpoint.check(res.statusCode ?? 0, Buffer.concat(chunks), expected);
          if (wrong) return reject(new Error(wrong));
          resolve(elapsed);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`ingest request timed out after ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Sends every body exactly once over `concurrency` keep-alive connections, each with one request in flight, and
 * stops at the first failure. Bodies are serialized by the caller so that client-side JSON work is not timed.
 */
export async function runLoad(
  target: LoadTarget,
  bodies: readonly { body: Buffer; events: number }[],
  concurrency: number,
  endpoint: Endpoint = EVENTS_API,
): Promise<LoadResult> {
  const port = loopbackPort(target.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < bodies.length) {
      const { body, events } = bodies[next++]!;
      try {
        latencies.push(await post(agent, port, target.key, body, events, endpoint));
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, bodies.length) }, worker));
  } finally {
    agent.destroy();
  }
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    requests: bodies.length,
    events: bodies.reduce((sum, b) => sum + b.events, 0),
    elapsedMs,
    latenciesMs: latencies.sort((a, b) => a - b),
    clientCpuMs: (cpu.user + cpu.system) / 1000,
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

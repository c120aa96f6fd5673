import http from 'node:http';
import { percentile } from './http-load.js';

/** A dashboard read while something else is measured: one GET at a time, a pause between them, latencies kept. */
export interface ReadProbe {
  /** Stops the loop and resolves with the latencies (ms, sorted) of the reads that completed. */
  stop(): Promise<number[]>;
}

/** What a page polls: the workflows list of one project, from the tables ingestion writes. */
export const PROBE_PATH = '/api/v1/workflows?projectId=p-1&page=1&pageSize=50';

function get(agent: http.Agent, url: URL, key: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.get(url, { agent, headers: { authorization: `Bearer ${key}` }, timeout: 30_000 }, (res) => {
      res.resume();
      res.on('error', reject);
      res.on('end', () =>
        res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`read probe: HTTP ${res.statusCode} from ${url.pathname}`)),
      );
    });
    req.on('timeout', () => req.destroy(new Error('read probe timed out')));
    req.on('error', reject);
  });
}

/** Starts reading `path` on a loopback server every `pauseMs` after the previous answer. */
export function startReadProbe(baseUrl: string, key: string, path = PROBE_PATH, pauseMs = 20): ReadProbe {
  const url = new URL(path, baseUrl);
  if (url.hostname !== '127.0.0.1') throw new Error(`refusing to probe anything but 127.0.0.1 (got ${baseUrl})`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      latencies.push(await get(agent, url, key));
      await new Promise((r) => setTimeout(r, pauseMs));
    }
  })();
  return {
    async stop() {
      running = false;
      try {
        await loop;
      } finally {
        agent.destroy();
      }
      return latencies.sort((a, b) => a - b);
    },
  };
}

/** p50 and p95 of a probe's latencies (NaN when it read nothing). */
export function probeFigures(sorted: readonly number[]): { reads: number; p50Ms: number; p95Ms: number } {
  return { reads: sorted.length, p50Ms: percentile(sorted, 50), p95Ms: percentile(sorted, 95) };
}

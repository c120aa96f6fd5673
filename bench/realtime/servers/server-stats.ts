/** What every server under test reports back to the bench, measured inside its own process. */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { Handlers } from '../rpc.js';

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes on one machine. */
export const wallNow = (): number => performance.timeOrigin + performance.now();

export interface Mark {
  /** process.cpuUsage user + system, microseconds since the process started. */
  cpuUs: number;
  wallMs: number;
  rss: number;
  heapUsed: number;
  external: number;
  /** Highest RSS sampled since the previous mark. */
  peakRss: number;
  connections: number;
  /** Event-loop delay since the previous mark: how long ready work waited, e.g. behind a synchronous stall. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
}

/** When each event was handed to the broadcast path, by event id: the "commit" end of commit -> receive. */
export class PublishLog {
  private ids: number[] = [];
  private times: number[] = [];

  record(eventId: number, at: number): void {
    this.ids.push(eventId);
    this.times.push(at);
  }

  private roundFirstIds: number[] = [];
  private roundMs: number[] = [];

  /**
   * A round's broadcast ended: `ms` from its publish stamp to the return of the synchronous loop that wrote it to every
   * socket, i.e. when the last client's bytes were handed to the kernel. Keyed by the round's first event id.
   */
  roundDone(firstEventId: number, ms: number): void {
    this.roundFirstIds.push(firstEventId);
    this.roundMs.push(ms);
  }

  get size(): number {
    return this.ids.length;
  }

  all(): { ids: number[]; times: number[]; roundFirstIds: number[]; roundMs: number[] } {
    return { ids: this.ids, times: this.times, roundFirstIds: this.roundFirstIds, roundMs: this.roundMs };
  }
}

export function statsHandlers(log: PublishLog, connections: () => number): Handlers {
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 100);
  sampler.unref();
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const mark = (): Mark => {
    const cpu = process.cpuUsage();
    const m = process.memoryUsage();
    const result: Mark = {
      cpuUs: cpu.user + cpu.system,
      wallMs: wallNow(),
      rss: m.rss,
      heapUsed: m.heapUsed,
      external: m.external,
      peakRss: Math.max(peak, m.rss),
      connections: connections(),
      loopDelayP99Ms: loop.percentile(99) / 1e6,
      loopDelayMaxMs: loop.max / 1e6,
    };
    peak = m.rss;
    loop.reset();
    return result;
  };
  return {
    mark,
    /** Full collections until the heap stops shrinking, so RSS before/after compares live memory only. */
    gc: async () => {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (!gc) throw new Error('start the server with --expose-gc');
      let last = Infinity;
      for (let i = 0; i < 6; i++) {
        gc();
        await delay(50);
        const used = process.memoryUsage().heapUsed;
        if (last - used < 64 * 1024) break;
        last = used;
      }
      return mark();
    },
    'publish-log': () => log.all(),
  };
}

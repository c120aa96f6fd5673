import type { ConnectArgs, ConnectResult, ReportArgs, SwarmMark, SwarmReport } from './client-swarm.js';
import { summarise, unpackSamples } from './latency.js';
import { RpcChild } from './rpc.js';

/**
 * The bench's clients, in one or more swarm processes. One process reads every socket on one thread, so with 500
 * clients the last socket of a round waits behind the other 499: a measuring artefact that a browser, alone on its
 * machine, never sees. BENCH_SWARM_PROCS > 1 shares the clients out, and the percentiles are merged from every
 * process's samples (not averaged from their summaries).
 */
export class SwarmGroup {
  private constructor(private readonly members: readonly RpcChild[]) {}

  static async start(script: string, processes: number): Promise<SwarmGroup> {
    const members: RpcChild[] = [];
    try {
      for (let i = 0; i < processes; i++) members.push(await RpcChild.start(processes === 1 ? 'client swarm' : `client swarm ${i + 1}`, script));
    } catch (err) {
      for (const m of members) m.kill();
      throw err;
    }
    return new SwarmGroup(members);
  }

  /** `count` clients shared out as evenly as the processes allow. */
  async connect(args: ConnectArgs, timeoutMs: number): Promise<ConnectResult> {
    const n = this.members.length;
    const results = await Promise.all(
      this.members.map((m, i) => {
        const count = Math.floor(args.count / n) + (i < args.count % n ? 1 : 0);
        return m.call<ConnectResult>('connect', { ...args, count, concurrency: Math.max(1, Math.ceil(args.concurrency / n)) }, timeoutMs);
      }),
    );
    return {
      connected: results.reduce((s, r) => s + r.connected, 0),
      failed: results.reduce((s, r) => s + r.failed, 0),
      firstError: results.find((r) => r.firstError)?.firstError,
      elapsedMs: Math.max(...results.map((r) => r.elapsedMs)),
    };
  }

  async mark(): Promise<SwarmMark> {
    const marks = await Promise.all(this.members.map((m) => m.call<SwarmMark>('mark')));
    return {
      cpuUs: marks.reduce((s, m) => s + m.cpuUs, 0),
      wallMs: Math.max(...marks.map((m) => m.wallMs)),
      received: marks.reduce((s, m) => s + m.received, 0),
      open: marks.reduce((s, m) => s + m.open, 0),
    };
  }

  async report(args: Omit<ReportArgs, 'samples'>, timeoutMs: number): Promise<SwarmReport> {
    if (this.members.length === 1) return this.members[0]!.call<SwarmReport>('report', args, timeoutMs);
    const parts = await Promise.all(this.members.map((m) => m.call<SwarmReport>('report', { ...args, samples: true }, timeoutMs)));
    const packed = parts.map((p) => p.samples!);
    const joined = (key: 'commit' | 'sendToReceive') => {
      const arrays = packed.map((s) => unpackSamples(s[key]));
      const out = new Float64Array(arrays.reduce((n, a) => n + a.length, 0));
      let at = 0;
      for (const a of arrays) {
        out.set(a, at);
        at += a.length;
      }
      return out;
    };
    const first = args.ids.map((_, i) => Math.min(...packed.map((s) => (s.firstById[i]! < 0 ? Infinity : s.firstById[i]!))));
    const closeCodes: Record<string, number> = {};
    for (const p of parts) for (const [code, n] of Object.entries(p.closeCodes)) closeCodes[code] = (closeCodes[code] ?? 0) + n;
    const sum = (key: 'clients' | 'delivered' | 'expected' | 'gaps' | 'duplicates' | 'closedDuringRun') => parts.reduce((s, p) => s + p[key], 0);
    return {
      clients: sum('clients'),
      delivered: sum('delivered'),
      expected: sum('expected'),
      gaps: sum('gaps'),
      duplicates: sum('duplicates'),
      commitToReceive: summarise(joined('commit')),
      commitToFirstReceive: summarise(Float64Array.from(first.filter(Number.isFinite))),
      sendToReceive: summarise(joined('sendToReceive')),
      closedDuringRun: sum('closedDuringRun'),
      closeCodes,
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.members.map((m) => m.call('close')));
  }

  async stop(): Promise<void> {
    await Promise.all(this.members.map((m) => m.stop()));
  }
}

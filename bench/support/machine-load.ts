import fs from 'node:fs';
import os from 'node:os';

/**
 * Which CPU time counts: `all`, or `user` only. An fsync-bound phase keeps the kernel's journal and writeback threads
 * busy on the bench's own behalf; counted as `all`, that kernel time would look like another process.
 */
export type CpuKind = 'all' | 'user';

/** Busy CPU time of the whole machine (all cores, ms) from /proc/stat; undefined off Linux. */
export function machineBusyMs(kind: CpuKind = 'all'): number | undefined {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = fields as [number, number, number, number, number, number, number, number];
    // USER_HZ is 100 on every mainstream Linux build.
    if (kind === 'user') return (user + nice) * 10;
    return (user + nice + system + irq + softirq + steal) * 10;
  } catch {
    return undefined;
  }
}

/**
 * How many cores other processes keep busy while this one waits: sampled over `ms` of idleness before a timed phase.
 * These machines are shared; a figure measured while something else ran is not reported.
 */
export async function otherLoad(ms = 1000, kind: CpuKind = 'all'): Promise<number | undefined> {
  const a = machineBusyMs(kind);
  const own = process.cpuUsage();
  await new Promise((r) => setTimeout(r, ms));
  const b = machineBusyMs(kind);
  const mine = process.cpuUsage(own);
  if (a === undefined || b === undefined) return undefined;
  return Math.max(0, (b - a - (mine.user + (kind === 'user' ? 0 : mine.system)) / 1000) / ms);
}

/** Waits until the machine is quiet enough (others use ≤ `maxCores`), up to `tries` samples; returns the last reading. */
export async function waitForQuiet(label: string, maxCores = 0.5, tries = 30, kind: CpuKind = 'all'): Promise<number | undefined> {
  let load: number | undefined;
  for (let i = 0; i < tries; i++) {
    load = await otherLoad(1000, kind);
    if (load === undefined || load <= maxCores) return load;
    process.stderr.write(`${label}: other processes use ${load.toFixed(2)} cores; waiting for a quiet machine\n`);
  }
  return load;
}

/** The most other processes used during any timed phase; past `maxCores` the figures are refused (exit code 2). */
export function reportOthers(othersCores: readonly (number | undefined)[], maxCores = 0.5): void {
  const worst = Math.max(0, ...othersCores.map((x) => x ?? 0));
  const unknown = othersCores.some((x) => x === undefined) ? ' (unknown for some phases: no /proc)' : '';
  console.log(`other processes used at most ${worst.toFixed(2)} cores during a timed phase${unknown} (load average ${loadSummary().loadavg.join(' ')})`);
  if (worst > maxCores) {
    console.log(`REFUSED: other processes used more than ${maxCores} cores; rerun on a quiet machine.`);
    process.exitCode = 2;
  }
}

export function loadSummary(): { loadavg: number[]; cpus: number } {
  return { loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100), cpus: os.cpus().length };
}

/** CPU time of this process and its finished children (git, …), ms, from /proc/self/stat. */
export function ownTreeMs(kind: CpuKind = 'all'): number | undefined {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the name: state(0) ppid … utime(11) stime(12) cutime(13) cstime(14), in USER_HZ ticks.
    if (kind === 'user') return (Number(fields[11]) + Number(fields[13])) * 10;
    return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return undefined;
  }
}

/** Measures a phase and how many cores other processes used meanwhile (machine busy time less this process tree's). */
export async function measured<T>(work: () => Promise<T>, kind: CpuKind = 'all'): Promise<{ value: T; ms: number; othersCores: number | undefined }> {
  const m0 = machineBusyMs(kind);
  const o0 = ownTreeMs(kind);
  const t0 = performance.now();
  const value = await work();
  const ms = performance.now() - t0;
  const m1 = machineBusyMs(kind);
  const o1 = ownTreeMs(kind);
  const othersCores =
    m0 === undefined || m1 === undefined || o0 === undefined || o1 === undefined ? undefined : Math.max(0, (m1 - m0 - (o1 - o0)) / Math.max(ms, 1));
  return { value, ms, othersCores };
}

/** CPU time (ms) of the given processes and of every process with one of these names (the database, the bus). */
export function processesCpuMs(pids: readonly number[], names: readonly string[] = [], kind: CpuKind = 'all'): number {
  const wanted = new Set(pids);
  if (names.length > 0) {
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (names.includes(fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim())) wanted.add(Number(entry));
      } catch {
        // the process ended meanwhile
      }
    }
  }
  let ms = 0;
  for (const pid of wanted) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ms += (Number(f[11]) + (kind === 'user' ? 0 : Number(f[12]))) * 10;
    } catch {
      // gone: its time is lost to the count, which only makes "others" look busier
    }
  }
  return ms;
}

/**
 * Like measured(), for a phase whose work runs in other processes too (servers, the database, the bus): their CPU is
 * ours, not "others'".
 */
export async function measuredWith<T>(
  ours: () => number,
  work: () => Promise<T>,
  kind: CpuKind = 'all',
): Promise<{ value: T; ms: number; othersCores: number | undefined }> {
  const m0 = machineBusyMs(kind);
  const o0 = ownTreeMs(kind);
  const s0 = ours();
  const t0 = performance.now();
  const value = await work();
  const ms = performance.now() - t0;
  const m1 = machineBusyMs(kind);
  const o1 = ownTreeMs(kind);
  const s1 = ours();
  const othersCores =
    m0 === undefined || m1 === undefined || o0 === undefined || o1 === undefined ? undefined : Math.max(0, (m1 - m0 - (o1 - o0) - (s1 - s0)) / Math.max(ms, 1));
  return { value, ms, othersCores };
}

export interface ThreadCpu {
  /** The thread's name from /proc (a worker_threads worker is `node` like the main thread; the main thread's id is the pid). */
  name: string;
  userMs: number;
  systemMs: number;
}

/** CPU time of each thread of `pid`, keyed by thread id (empty off Linux or once the process is gone). */
export function threadsCpuMs(pid: number): Map<number, ThreadCpu> {
  const threads = new Map<number, ThreadCpu>();
  let tids: string[];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return threads;
  }
  for (const tid of tids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      threads.set(Number(tid), { name, userMs: Number(f[11]) * 10, systemMs: Number(f[12]) * 10 });
    } catch {
      // the thread ended meanwhile
    }
  }
  return threads;
}

/**
 * Cores each group of a process's threads used between two readings: the main thread, the rest grouped by name. A
 * thread that started or ended between the readings counts what it used while both saw it, or from zero.
 */
export function threadCores(
  pid: number,
  before: Map<number, ThreadCpu>,
  after: Map<number, ThreadCpu>,
  ms: number,
): { name: string; user: number; system: number }[] {
  const groups = new Map<string, { user: number; system: number }>();
  for (const [tid, t] of after) {
    const b = before.get(tid);
    const name = tid === pid ? 'main' : t.name;
    const g = groups.get(name) ?? { user: 0, system: 0 };
    g.user += (t.userMs - (b?.userMs ?? 0)) / ms;
    g.system += (t.systemMs - (b?.systemMs ?? 0)) / ms;
    groups.set(name, g);
  }
  return [...groups].map(([name, g]) => ({ name, ...g })).sort((a, b) => b.user + b.system - (a.user + a.system));
}

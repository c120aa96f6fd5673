/**
 * Summarises a Chrome CPU profile (CDP Profiler.stop) of the built web app: self time per function, with each frame of
 * the minified bundle mapped back through its source map to the original file and line (src/web/... or the npm
 * package), so a slow board says which of our functions or which library dominates.
 */
import fs from 'node:fs';
import path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
export interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

interface RawSourceMap {
  sources: string[];
  sourceRoot?: string;
  names: string[];
  mappings: string;
}

/** One decoded mapping: generated column -> original source index, line, column, name index (-1 when none). */
type Segment = [number, number, number, number, number];

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_VALUE = new Map([...B64].map((c, i) => [c, i]));

/** Decodes a source map's VLQ `mappings` into segments per generated line (the format of source map v3). */
function decodeMappings(mappings: string): Segment[][] {
  const lines: Segment[][] = [];
  let src = 0;
  let srcLine = 0;
  let srcCol = 0;
  let name = 0;
  for (const line of mappings.split(';')) {
    const segs: Segment[] = [];
    let genCol = 0;
    for (const seg of line.split(',')) {
      if (seg === '') continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of seg) {
        const digit = B64_VALUE.get(ch);
        if (digit === undefined) break;
        value += (digit & 31) << shift;
        if (digit & 32) {
          shift += 5;
        } else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      genCol += fields[0] ?? 0;
      if (fields.length >= 4) {
        src += fields[1]!;
        srcLine += fields[2]!;
        srcCol += fields[3]!;
        if (fields.length >= 5) name += fields[4]!;
        segs.push([genCol, src, srcLine, srcCol, fields.length >= 5 ? name : -1]);
      }
    }
    lines.push(segs);
  }
  return lines;
}

interface LoadedMap {
  sources: string[];
  names: string[];
  lines: Segment[][];
}

/** Maps positions in the built assets (served from `webDir`) back to repo-relative original sources. */
export class BundleSymbolizer {
  private readonly maps = new Map<string, LoadedMap | null>();

  constructor(
    private readonly webDir: string,
    private readonly repoRoot: string,
  ) {}

  private load(url: string): LoadedMap | null {
    let pathname: string;
    try {
      pathname = new URL(url).pathname;
    } catch {
      return null;
    }
    if (this.maps.has(pathname)) return this.maps.get(pathname)!;
    let loaded: LoadedMap | null = null;
    const mapFile = path.join(this.webDir, `${pathname}.map`);
    if (pathname.endsWith('.js') && fs.existsSync(mapFile)) {
      const raw = JSON.parse(fs.readFileSync(mapFile, 'utf8')) as RawSourceMap;
      const base = path.resolve(path.dirname(mapFile), raw.sourceRoot ?? '');
      loaded = { sources: raw.sources.map((s) => this.tidy(path.resolve(base, s))), names: raw.names, lines: decodeMappings(raw.mappings) };
    }
    this.maps.set(pathname, loaded);
    return loaded;
  }

  /** `node_modules/<pkg>` for libraries, a repo-relative path for our own code. */
  private tidy(file: string): string {
    const nm = file.lastIndexOf(`node_modules${path.sep}`);
    if (nm >= 0) {
      const parts = file.slice(nm + 'node_modules/'.length).split(path.sep);
      const pkg = parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
      return `npm:${pkg}/${parts.slice(pkg.split('/').length).join('/')}`;
    }
    return path.relative(this.repoRoot, file);
  }

  /** The original file:line of a frame, and the original name of the function when the map records one nearby. */
  symbolize(f: CallFrame): { file: string; line: number; name: string | null } | null {
    const map = this.load(f.url);
    const segs = map?.lines[f.lineNumber];
    if (!map || !segs || segs.length === 0) return null;
    // V8 places a function at its parameter list: the first mapping from there on is in the function, and the
    // function's own name is the last named mapping just before it (`function name(` or `const name = (`).
    const at = segs.find((s) => s[0] >= f.columnNumber) ?? segs[segs.length - 1]!;
    const named = segs.filter((s) => s[0] < f.columnNumber && f.columnNumber - s[0] <= 64 && s[4] >= 0).pop();
    return { file: map.sources[at[1]] ?? '?', line: at[2] + 1, name: named ? (map.names[named[4]] ?? null) : null };
  }
}

export interface ProfileSummary {
  sampledMs: number;
  idlePct: number;
  /** Self time by original file (our src/ files one by one, libraries by package). */
  byFile: { file: string; ms: number; pct: number }[];
  byFunction: { fn: string; ms: number; pct: number }[];
}

export function summarizeProfile(profile: CpuProfile, symbolizer: BundleSymbolizer, top = 12): ProfileSummary {
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas?.[i] ?? 0)));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0) || 1;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const byFile = new Map<string, number>();
  const byFn = new Map<string, number>();
  let idle = 0;
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  for (const [id, us] of selfUs) {
    const f = byId.get(id)!.callFrame;
    if (f.functionName === '(idle)') idle += us;
    const sym = f.url ? symbolize(symbolizer, f) : null;
    const file = sym
      ? sym.file.startsWith('npm:')
        ? sym.file
            .split('/')
            .slice(0, sym.file.startsWith('npm:@') ? 2 : 1)
            .join('/')
        : sym.file
      : f.url
        ? new URL(f.url).pathname
        : `(${f.functionName || 'native'})`;
    add(byFile, file, us);
    add(
      byFn,
      sym
        ? `${sym.name ?? (f.functionName || '(anonymous)')} ${sym.file}:${sym.line}`
        : `${f.functionName || '(anonymous)'}${f.url ? ` ${new URL(f.url).pathname}:${f.lineNumber + 1}` : ''}`,
      us,
    );
  }
  const rank = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  return {
    sampledMs: total / 1000,
    idlePct: (idle / total) * 100,
    byFile: rank(byFile).map(([file, us]) => ({ file, ms: us / 1000, pct: (us / total) * 100 })),
    byFunction: rank(byFn).map(([fn, us]) => ({ fn, ms: us / 1000, pct: (us / total) * 100 })),
  };
}

function symbolize(s: BundleSymbolizer, f: CallFrame) {
  try {
    return s.symbolize(f);
  } catch {
    return null;
  }
}

interface TraceEvent {
  ph: string;
  name: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  args?: { name?: string };
}

export interface TraceSummary {
  /** The renderer main thread's busy time (top-level tasks) over the traced window. */
  busyMs: number;
  windowMs: number;
  /** Self time per trace event name on the renderer main thread: where the JS profiler's "(program)" goes. */
  bySelf: { name: string; ms: number; pct: number }[];
}

/**
 * Self time per event on Chromium's renderer main thread, from a devtools.timeline trace: style recalculation
 * (UpdateLayoutTree), Layout, Paint, script (FunctionCall, EvaluateScript, ...), GC. Events on one thread nest, so each
 * event's children are subtracted from it.
 */
export function summarizeTrace(trace: { traceEvents: TraceEvent[] }, top = 10): TraceSummary {
  const mains = new Set(
    trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`),
  );
  const byThread = new Map<string, TraceEvent[]>();
  for (const e of trace.traceEvents) {
    const key = `${e.pid}:${e.tid}`;
    if (e.ph !== 'X' || e.dur === undefined || !mains.has(key)) continue;
    const list = byThread.get(key);
    if (list) list.push(e);
    else byThread.set(key, [e]);
  }
  // The page's renderer is the busiest main thread (closed contexts leave idle ones behind).
  const busiest = [...byThread.values()].sort((a, b) => b.reduce((s, e) => s + e.dur!, 0) - a.reduce((s, e) => s + e.dur!, 0))[0] ?? [];
  const events = busiest.sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const self = new Map<string, number>();
  const stack: TraceEvent[] = [];
  let busy = 0;
  for (const e of events) {
    while (stack.length > 0 && stack[stack.length - 1]!.ts + stack[stack.length - 1]!.dur! <= e.ts) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - e.dur!);
    else busy += e.dur!;
    self.set(e.name, (self.get(e.name) ?? 0) + e.dur!);
    stack.push(e);
  }
  const first = events[0]?.ts ?? 0;
  const last = events.reduce((m, e) => Math.max(m, e.ts + e.dur!), first);
  return {
    busyMs: busy / 1000,
    windowMs: (last - first) / 1000,
    bySelf: [...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, pct: busy > 0 ? (us / busy) * 100 : 0 })),
  };
}

/**
 * Summarises a V8 .cpuprofile (from `BENCH_CPU_PROF=1 npm run bench:ingest`): where self time goes by function, by
 * file/package, and which repo functions account for the most inclusive time.
 * Usage: npx tsx bench/support/profile-summary.ts <file.cpuprofile> [topN]
 */
import fs from 'node:fs';
import path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
const top = Number(process.argv[3] ?? 25);
if (!file) {
  console.error('usage: profile-summary.ts <file.cpuprofile> [topN]');
  process.exit(2);
}
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
const root = process.cwd();

/** node_modules/<pkg>, a repo-relative path, node:internal, or V8's own buckets such as (garbage collector). */
function where(url: string): string {
  if (!url) return '(native/V8)';
  const p = url.startsWith('file://') ? new URL(url).pathname : url;
  const nm = p.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = p.slice(nm + 'node_modules/'.length).split('/');
    return `npm:${parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  if (p.startsWith('node:')) return p;
  return path.isAbsolute(p) ? path.relative(root, p) : p;
}

const label = (f: CallFrame) => `${f.functionName || '(anonymous)'} ${where(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
const selfByFn = new Map<string, number>();
const selfByFile = new Map<string, number>();
const inclusiveByRepoFn = new Map<string, number>();
const selfByRepoCaller = new Map<string, number>();
const isRepo = (f: CallFrame) => where(f.url).startsWith('src/') || where(f.url).startsWith('bench/');
for (const [id, us] of selfUs) {
  const node = byId.get(id)!;
  add(selfByFn, label(node.callFrame), us);
  add(selfByFile, where(node.callFrame.url), us);
  // Synchronous SQLite work shows up as self time of Kysely's executeQuery; charging every sample to the nearest repo
  // frame on the stack says which repository call (which SQL statement) it belongs to.
  let owner: number | undefined = id;
  while (owner !== undefined && !isRepo(byId.get(owner)!.callFrame)) owner = parent.get(owner);
  add(selfByRepoCaller, owner === undefined ? `(outside src/) ${label(node.callFrame)}` : label(byId.get(owner)!.callFrame), us);
  // Each repo function on the stack is charged once per sample, however often it recurses.
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const f = byId.get(cur)!.callFrame;
    if (!isRepo(f)) continue;
    const l = label(f);
    if (!seen.has(l)) {
      seen.add(l);
      add(inclusiveByRepoFn, l, us);
    }
  }
}

function print(title: string, m: Map<string, number>): void {
  console.log(`\n${title}`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((us / totalUs) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
  }
}

const idleUs = [...selfUs].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, us]) => a + us, 0);
console.log(`${file}: ${(totalUs / 1e6).toFixed(1)} s sampled, ${((idleUs / totalUs) * 100).toFixed(1)}% idle`);
print('self time by file/package', selfByFile);
print('self time by function', selfByFn);
print('self time charged to the nearest repo function on the stack', selfByRepoCaller);
// Only synchronous stacks are sampled: time after an `await` is not charged to the async function's callers.
print('inclusive time of repo functions (src/, bench/), synchronous stacks only', inclusiveByRepoFn);

import { posix } from 'node:path';
import { classifyPlanningPath } from './planning.js';
import type { ProjectFile } from './tickets.js';

/** `prd-<project>-<date>/`, `architecture-<project>-<date>/`, …: one dated run of a v6.7+ planning skill. */
const RUN_FOLDER = /^[a-z]+(?:-[^/]*)?-(\d{4}-\d{2}-\d{2})(?:-\d+)?$/i;

interface Run {
  folder: string;
  main: ProjectFile;
  date: string;
  updated: string;
  final: boolean;
}

function frontMatterOf(pf: ProjectFile): Record<string, unknown> | null {
  return pf.entry.facts.type === 'markdown' ? (pf.entry.facts.md.frontMatter?.data ?? null) : null;
}

const asText = (v: unknown): string => (v instanceof Date ? v.toISOString() : typeof v === 'string' || typeof v === 'number' ? String(v) : '');

/**
 * Which dated run of each planning document is current (the skills' own resume rule): a run whose main file is not
 * `final` is in progress and current; otherwise the newest by `updated`, then by folder date. Every file of an older
 * run maps to the current run's main file: it stays listed, as an earlier version.
 */
export function planningRuns(files: readonly ProjectFile[]): { supersededBy: Map<string, string> } {
  const groups = new Map<string, Run[]>();
  for (const pf of files) {
    const cls = classifyPlanningPath(pf.file.rel);
    if (!cls?.primary) continue;
    const folder = posix.dirname(pf.file.rel);
    const m = RUN_FOLDER.exec(posix.basename(folder));
    if (!m) continue;
    const fm = frontMatterOf(pf);
    const status = asText(fm?.['status']).trim().toLowerCase();
    const group = `${posix.dirname(folder)}|${cls.kind}`;
    groups.set(group, [
      ...(groups.get(group) ?? []),
      { folder, main: pf, date: m[1]!, updated: asText(fm?.['updated']), final: status === 'final' || status === 'complete' || status === 'done' },
    ]);
  }
  const supersededBy = new Map<string, string>();
  for (const runs of groups.values()) {
    if (runs.length < 2) continue;
    const newest = (a: Run, b: Run) =>
      (b.updated || b.date).localeCompare(a.updated || a.date) || b.date.localeCompare(a.date) || b.folder.localeCompare(a.folder);
    const open = runs.filter((r) => !r.final).sort(newest);
    const current = open[0] ?? [...runs].sort(newest)[0]!;
    for (const r of runs) {
      if (r === current) continue;
      for (const pf of files) if (pf.file.rel.startsWith(`${r.folder}/`)) supersededBy.set(pf.file.rel, current.main.file.rel);
    }
  }
  return { supersededBy };
}

import { posix } from 'node:path';
import type { BmadSnapshot, DeferredItemRef } from '../model.js';
import type { PlanningKind } from './planning.js';
import type { ProjectFile } from './tickets.js';

const MAX_DEFERRED = 500;
const MAX_SCAN_BYTES = 2 * 1024 * 1024;

function textOf(pf: ProjectFile): string | null {
  return pf.entry.facts.type === 'text' || pf.entry.facts.type === 'markdown' ? pf.entry.facts.text : null;
}

/**
 * The readiness gate: v6.11+ `implementation-readiness.md` (PASS / CONCERNS / FAIL, saved on FAIL), or the newest
 * ≤6.10 `implementation-readiness-report-<date>.md` ("Overall Readiness Status: READY / NEEDS WORK / NOT READY").
 * Real reports word it freely (`**READY WITH CONDITIONS**`, `NEEDS_WORK`, `🟢 READY — …`): the first verdict wins.
 */
export function readinessOf(files: ReadonlyMap<string, ProjectFile>, kindByFile: ReadonlyMap<string, PlanningKind>): BmadSnapshot['readiness'] {
  const reports = [...files.values()].filter((f) => kindByFile.get(f.file.rel) === 'readiness-report').sort((a, b) => b.file.rel.localeCompare(a.file.rel));
  for (const r of reports) {
    const raw = textOf(r);
    if (!raw) continue;
    const gate = gateOf(verdictLines(raw));
    if (gate) return { gate, file: r.file.rel, mtimeMs: r.file.mtimeMs };
  }
  return null;
}

/** The lines that state a verdict: after "Overall Readiness Status" / "Gate" / "Verdict", else every heading. */
function verdictLines(text: string): string {
  const lines = text.split(/\r?\n/);
  const at = lines.findIndex((l) => /overall readiness status|readiness (?:gate|verdict|decision)|^\s*gate\s*:|^#+\s*(?:gate|verdict)\b/i.test(l));
  if (at >= 0) return lines.slice(at, at + 4).join('\n');
  return lines.filter((l) => /^#/.test(l)).join('\n');
}

export function gateOf(text: string): 'PASS' | 'CONCERNS' | 'FAIL' | 'READY' | 'NEEDS WORK' | 'NOT READY' | null {
  const m = /\b(NOT[ _]READY|NEEDS[ _]WORK|READY|PASS|CONCERNS|FAIL)\b/.exec(text);
  if (!m) return null;
  const v = m[1]!.replace('_', ' ');
  return v === 'NOT READY' || v === 'NEEDS WORK' || v === 'READY' || v === 'PASS' || v === 'CONCERNS' || v === 'FAIL' ? v : null;
}

/**
 * `deferred-work.md`: `## Deferred from: code review of <file> (<date>)` headings, each with bullets (plain, or
 * `- source_spec: …` records with `summary:`). One item per top-level bullet.
 */
export function parseDeferredWork(text: string, file: string): DeferredItemRef[] {
  const out: DeferredItemRef[] = [];
  let origin: string | null = null;
  let current: DeferredItemRef | null = null;
  const push = () => {
    if (current && current.summary.trim() !== '' && out.length < MAX_DEFERRED) out.push(current);
    current = null;
  };
  for (const line of text.slice(0, MAX_SCAN_BYTES).split(/\r?\n/)) {
    const h = /^#{2,3}\s+(.*)$/.exec(line);
    if (h) {
      push();
      origin = h[1]!
        .replace(/^Deferred from:\s*/i, '')
        .trim()
        .slice(0, 300);
      continue;
    }
    const bullet = /^[-*+]\s+(?:\[[ xX]\]\s+)?(.*)$/.exec(line);
    if (bullet) {
      push();
      const body = bullet[1]!.trim();
      const record = /^(?:source_spec|summary)\s*:\s*(.*)$/i.exec(body);
      current = { summary: record && /^summary/i.test(body) ? record[1]!.trim() : record ? '' : body, severity: null, file, origin };
      continue;
    }
    const field = /^\s+(summary|severity)\s*:\s*(.*)$/i.exec(line);
    if (field && current) {
      const c: DeferredItemRef = current;
      if (field[1]!.toLowerCase() === 'summary') c.summary = field[2]!.trim();
      else c.severity = field[2]!.trim().slice(0, 32) || null;
    }
  }
  push();
  return out.map((d) => ({ ...d, summary: d.summary.replace(/`/g, '').slice(0, 500) }));
}

export function deferredWorkOf(files: ReadonlyMap<string, ProjectFile>, storyDirs: readonly string[]): DeferredItemRef[] {
  const docs = [...files.values()].filter(
    (f) => posix.basename(f.file.rel).toLowerCase() === 'deferred-work.md' && storyDirs.some((d) => f.file.rel.startsWith(`${d}/`)),
  );
  const out: DeferredItemRef[] = [];
  for (const d of docs) {
    const text = textOf(d);
    if (text) out.push(...parseDeferredWork(text, d.file.rel));
  }
  return out.slice(0, MAX_DEFERRED);
}

import { isRecord, parseYaml, type YamlProblem } from './yaml-text.js';

export interface WorkflowStatusEntry {
  /** Workflow id as written (e.g. "prd", "create-architecture"). */
  id: string;
  /** The value: a file path when done, else required | optional | recommended | conditional | skipped. */
  value: string;
  done: boolean;
  skipped: boolean;
}

export interface WorkflowStatusFile {
  entries: WorkflowStatusEntry[];
  error: YamlProblem | null;
}

const PENDING = new Set(['required', 'optional', 'recommended', 'conditional', 'pending', 'not-started', 'todo', 'in-progress']);

/** Reads the alpha `bmm-workflow-status.yaml` (`workflow_status:` workflow id -> file path or pending state). */
export function parseWorkflowStatus(text: string): WorkflowStatusFile {
  const parsed = parseYaml(text);
  if (parsed.error) return { entries: [], error: parsed.error };
  const root = parsed.data;
  const map = isRecord(root) ? root['workflow_status'] : undefined;
  if (!isRecord(map)) return { entries: [], error: null };
  const entries: WorkflowStatusEntry[] = [];
  const visit = (obj: Record<string, unknown>): void => {
    for (const [id, raw] of Object.entries(obj)) {
      if (isRecord(raw)) {
        // Some alphas nest phases (`phase_1: { prd: ... }`) or give { status, output }.
        const status = typeof raw['status'] === 'string' ? raw['status'] : null;
        if (status !== null) {
          const v = status.trim();
          entries.push({ id, value: v, done: !PENDING.has(v.toLowerCase()) && v.toLowerCase() !== 'skipped', skipped: v.toLowerCase() === 'skipped' });
        } else visit(raw);
        continue;
      }
      if (typeof raw !== 'string') continue;
      const v = raw.trim();
      const lower = v.toLowerCase();
      entries.push({ id, value: v, done: !PENDING.has(lower) && lower !== 'skipped' && v !== '', skipped: lower === 'skipped' });
    }
  };
  visit(map);
  return { entries, error: null };
}

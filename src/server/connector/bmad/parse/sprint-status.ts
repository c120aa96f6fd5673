import { classifySprintKey, type SprintKey } from './story-keys.js';
import { isRecord, mapEntries, parseYaml, type YamlProblem } from './yaml-text.js';

export interface SprintEntry {
  key: string;
  /** The value as written; null when empty or not a scalar. */
  value: string | null;
  /** 1-based line of the entry. */
  line: number;
  ref: SprintKey;
}

export interface SprintStatus {
  entries: SprintEntry[];
  project: string | null;
  error: YamlProblem | null;
}

/** Reads sprint-status.yaml: the `development_status` map, in file order, with the line of every entry. */
export function parseSprintStatus(text: string): SprintStatus {
  const parsed = parseYaml(text);
  if (parsed.error) return { entries: [], project: null, error: parsed.error };
  if (!isRecord(parsed.data)) return { entries: [], project: null, error: { line: 1, message: 'expected a mapping with development_status' } };
  const project = typeof parsed.data['project'] === 'string' ? parsed.data['project'] : null;
  if (!('development_status' in parsed.data)) return { entries: [], project, error: { line: 1, message: 'development_status is missing' } };
  if (parsed.data['development_status'] === null) return { entries: [], project, error: null };
  const located = mapEntries(parsed, 'development_status');
  if (!located) {
    const line = parsed.lineCounter.linePos(text.indexOf('development_status')).line;
    return { entries: [], project, error: { line, message: 'development_status must be a mapping of keys to statuses' } };
  }
  const entries: SprintEntry[] = located.map((e) => ({
    key: e.key,
    value: e.value && e.value.value.trim() !== '' ? e.value.value.trim() : null,
    line: e.value?.line ?? e.keyLine,
    ref: classifySprintKey(e.key),
  }));
  return { entries, project, error: null };
}

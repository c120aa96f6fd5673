import type { ActionItemRef } from '../model.js';
import { classifySprintKey, type SprintKey } from './story-keys.js';
import { isRecord, mapEntries, parseYaml, stringField, type YamlProblem } from './yaml-text.js';

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
  /** `story_location` as written (may be `{project-root}/…`, or an absolute path from another machine). */
  storyLocation: string | null;
  actionItems: ActionItemRef[];
  error: YamlProblem | null;
  /** The entries came from a line-by-line reading because the YAML did not parse (the error says why). */
  recovered: boolean;
}

const MAX_ACTION_ITEMS = 500;

function actionItemsOf(raw: unknown): ActionItemRef[] {
  if (!Array.isArray(raw)) return [];
  const out: ActionItemRef[] = [];
  for (const item of raw.slice(0, MAX_ACTION_ITEMS)) {
    if (!isRecord(item)) continue;
    const action = stringField(item, 'action') ?? stringField(item, 'title') ?? stringField(item, 'description');
    if (!action || action.trim() === '') continue;
    out.push({
      id: stringField(item, 'id'),
      epic: stringField(item, 'epic'),
      action: action.trim().slice(0, 1000),
      owner: stringField(item, 'owner'),
      status: stringField(item, 'status'),
      ref: stringField(item, 'ref'),
    });
  }
  return out;
}

const BLOCK_KEY = /^development_status[ \t]*:[ \t]*(?:#.*)?$/;
const PLAIN_ENTRY = /^([ \t]+)([A-Za-z0-9][\w.-]*):[ \t]*([A-Za-z][\w-]*)?[ \t]*(?:#.*)?$/;

interface PlainEntry {
  indent: string;
  key: string;
  value: string | null;
  ref: SprintKey;
}
// The history reads hundreds of versions of one file that differ in a line or two: each distinct line is read once.
const plainLines = new Map<string, PlainEntry | null>();
function plainEntry(line: string): PlainEntry | null {
  let hit = plainLines.get(line);
  if (hit !== undefined) return hit;
  const m = PLAIN_ENTRY.exec(line);
  hit = m ? { indent: m[1]!, key: m[2]!, value: m[3] ?? null, ref: classifySprintKey(m[2]!) } : null;
  if (plainLines.size >= 50_000) plainLines.clear();
  plainLines.set(line, hit);
  return hit;
}
const ENTRY = /^([ \t]+)([^\s#:'"][^:#]*?|'[^']*'|"[^"]*")[ \t]*:[ \t]*([^#]*?)[ \t]*(?:#.*)?$/;

/**
 * `development_status` read line by line, for a file whose YAML does not parse (an unquoted colon in a comment-like
 * `last_updated`, committed merge-conflict markers, a NUL byte): the entries are still there, and still usable.
 */
export function scanDevelopmentStatusLines(text: string, skipped: { count: number } = { count: 0 }): SprintEntry[] {
  const lines = text.split(/\r?\n/);
  const out: SprintEntry[] = [];
  let inBlock = false;
  let indent: string | null = null;
  for (let i = 0; i < lines.length; i += 1) {
    const raw = lines[i]!;
    const line = raw.includes('\0') ? raw.replace(/\0/g, '') : raw;
    if (!inBlock) {
      if (BLOCK_KEY.test(line)) inBlock = true;
      continue;
    }
    const plain = plainEntry(line);
    if (plain && (indent === null || plain.indent === indent)) {
      // The common line, `  1-2-x: review  # note`, without the general pattern's work.
      if (indent === null) indent = plain.indent;
      out.push({ key: plain.key, value: plain.value, line: i + 1, ref: plain.ref });
      continue;
    }
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    if (!/^[ \t]/.test(line)) break;
    const m = ENTRY.exec(line);
    if (!m) {
      skipped.count += 1;
      continue;
    }
    if (indent === null) indent = m[1]!;
    if (m[1] !== indent) {
      skipped.count += 1;
      continue;
    }
    const key = m[2]!.replace(/^['"]|['"]$/g, '').trim();
    const value = m[3]!.replace(/^['"]|['"]$/g, '').trim();
    // Only what reads as a key and a status: a damaged line is left out rather than guessed at.
    if (!/^[A-Za-z0-9][\w.-]*$/.test(key) || (value !== '' && !/^[A-Za-z][\w -]{0,63}$/.test(value))) {
      skipped.count += 1;
      continue;
    }
    out.push({ key, value: value === '' ? null : value, line: i + 1, ref: classifySprintKey(key) });
  }
  return out;
}

/** Reads sprint-status.yaml: `development_status` in file order with the line of every entry, story_location, action_items. */
export function parseSprintStatus(text: string): SprintStatus {
  const parsed = parseYaml(text);
  if (parsed.error) {
    return { entries: scanDevelopmentStatusLines(text), project: null, storyLocation: null, actionItems: [], error: parsed.error, recovered: true };
  }
  const base = { storyLocation: null, actionItems: [], recovered: false };
  if (!isRecord(parsed.data)) return { ...base, entries: [], project: null, error: { line: 1, message: 'expected a mapping with development_status' } };
  const project = stringField(parsed.data, 'project');
  const storyLocation = stringField(parsed.data, 'story_location');
  const actionItems = actionItemsOf(parsed.data['action_items']);
  const rest = { project, storyLocation, actionItems, recovered: false };
  if (!('development_status' in parsed.data)) return { ...rest, entries: [], error: { line: 1, message: 'development_status is missing' } };
  if (parsed.data['development_status'] === null) return { ...rest, entries: [], error: null };
  const located = mapEntries(parsed, 'development_status');
  if (!located) {
    const line = parsed.lineCounter.linePos(text.indexOf('development_status')).line;
    return { ...rest, entries: [], error: { line, message: 'development_status must be a mapping of keys to statuses' } };
  }
  const entries: SprintEntry[] = located.map((e) => ({
    key: e.key,
    value: e.value && e.value.value.trim() !== '' ? e.value.value.trim() : null,
    line: e.value?.line ?? e.keyLine,
    ref: classifySprintKey(e.key),
  }));
  return { ...rest, entries, error: null };
}

/**
 * The plain form BMAD writes (a `development_status:` block of `key: value` lines, comments allowed) read without the
 * YAML parser; null when the file holds anything else (flow mappings, anchors, tabs, a second block), so the caller
 * parses it as YAML. Action items and story_location are not read (the history does not need them).
 */
export function fastSprintStatus(text: string): SprintStatus | null {
  if (/[{}&*!|>]|\t|^development_status:.*\S.*$/m.test(text.replace(/#.*$/gm, '').replace(/'[^'\n]*'|"[^"\n]*"/g, ''))) return null;
  const skipped = { count: 0 };
  const entries = scanDevelopmentStatusLines(text, skipped);
  if (entries.length === 0 || skipped.count > 0) return null;
  return { entries, project: null, storyLocation: null, actionItems: [], error: null, recovered: false };
}

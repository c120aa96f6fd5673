import { isMap, isScalar, LineCounter, parseDocument, Scalar, type Document, type YAMLMap } from 'yaml';

export interface YamlProblem {
  /** 1-based line in the text that was parsed (callers add their own offset for embedded YAML). */
  line: number | null;
  message: string;
}

export interface ParsedYaml {
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** Plain JS value; undefined when the text had errors. */
  data: unknown;
  error: YamlProblem | null;
}

/** Parses YAML, reporting the first error with the yaml library's own line number. */
export function parseYaml(text: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const line = first.linePos?.[0]?.line ?? lineCounter.linePos(first.pos[0]).line;
    // The line is reported separately (callers shift it for embedded YAML), so drop the library's own "at line N".
    const message = first.message
      .split('\n')[0]!
      .replace(/\s+at line \d+, column \d+:?\s*$/, '')
      .trim();
    return { doc, lineCounter, data: undefined, error: { line, message } };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return { doc, lineCounter, data: undefined, error: { line: null, message: (err as Error).message } };
  }
  return { doc, lineCounter, data, error: null };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function stringField(obj: unknown, key: string): string | null {
  if (!isRecord(obj)) return null;
  const v = obj[key];
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/** A scalar value's exact place in the source text, with the quoting it was written in. */
export interface ScalarLocation {
  /** Offsets into the parsed text: [start, end) of the value as written, quotes included. */
  start: number;
  end: number;
  line: number;
  type: Scalar.Type | undefined;
  value: string;
}

function scalarLocation(node: unknown, lineCounter: LineCounter): ScalarLocation | null {
  if (!isScalar(node) || !node.range) return null;
  const [start, end] = node.range;
  const value = node.value === null || node.value === undefined ? '' : String(node.value);
  return { start, end, line: lineCounter.linePos(start).line, type: node.type, value };
}

/** Where `key: value` sits in a top-level mapping. */
export function locateTopLevelScalar(parsed: ParsedYaml, key: string): ScalarLocation | null {
  const contents = parsed.doc.contents;
  if (!isMap(contents)) return null;
  return scalarLocation(contents.get(key, true), parsed.lineCounter);
}

export interface MapEntryLocation {
  key: string;
  keyLine: number;
  value: ScalarLocation | null;
  /** The raw value for non-scalar entries (nested maps, lists). */
  raw: unknown;
}

/** Every entry of a nested mapping (e.g. `development_status`), in file order, with lines. */
export function mapEntries(parsed: ParsedYaml, mapKey: string): MapEntryLocation[] | null {
  const contents = parsed.doc.contents;
  if (!isMap(contents)) return null;
  const inner = contents.get(mapKey, true);
  if (!isMap(inner)) return null;
  const out: MapEntryLocation[] = [];
  for (const pair of (inner as YAMLMap<unknown, unknown>).items) {
    const keyNode = pair.key;
    const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
    const keyStart = isScalar(keyNode) && keyNode.range ? keyNode.range[0] : 0;
    const value = scalarLocation(pair.value, parsed.lineCounter);
    out.push({
      key,
      keyLine: parsed.lineCounter.linePos(keyStart).line,
      value,
      raw: isScalar(pair.value) ? pair.value.value : pair.value,
    });
  }
  return out;
}

/**
 * Formats a new scalar value in the same quoting style as the old one. Plain values that YAML would not read back
 * as the same string (true, null, 1.5, "a: b", ...) are double-quoted instead.
 */
export function formatScalarLike(type: Scalar.Type | undefined, value: string): string {
  if (type === Scalar.QUOTE_SINGLE) return `'${value.replace(/'/g, "''")}'`;
  const doubleQuoted = JSON.stringify(value);
  if (type === Scalar.QUOTE_DOUBLE) return doubleQuoted;
  const reread = parseDocument(`k: ${value}`).toJS() as unknown;
  const ok = isRecord(reread) && reread['k'] === value && !/[#\n\r]/.test(value) && value.trim() === value && value !== '';
  return ok ? value : doubleQuoted;
}

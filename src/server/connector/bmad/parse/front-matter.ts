import { isRecord, locateTopLevelScalar, parseYaml, type ParsedYaml, type ScalarLocation, type YamlProblem } from './yaml-text.js';

export interface FrontMatter {
  /** Offsets of the YAML between the fences. */
  contentStart: number;
  contentEnd: number;
  /** 1-based line of the first YAML line. */
  firstLine: number;
  /** 1-based line of the closing fence; the body starts on the next line. */
  closingLine: number;
  /** Offset just after the closing fence line. */
  bodyStart: number;
  data: Record<string, unknown> | null;
  /** With absolute (file) line numbers. */
  error: YamlProblem | null;
  parsed: ParsedYaml | null;
}

const OPEN = /^\uFEFF?---[ \t]*\r?$/;
const CLOSE = /^(?:---|\.\.\.)[ \t]*\r?$/;

/** YAML front matter at the very top of a markdown file (`---` ... `---`), or null when the file has none. */
export function readFrontMatter(text: string): FrontMatter | null {
  const firstEol = text.indexOf('\n');
  if (firstEol < 0 || !OPEN.test(text.slice(0, firstEol))) return null;
  let pos = firstEol + 1;
  let line = 2;
  while (pos <= text.length) {
    const eol = text.indexOf('\n', pos);
    const end = eol < 0 ? text.length : eol;
    if (CLOSE.test(text.slice(pos, end))) {
      const contentStart = firstEol + 1;
      const yamlText = text.slice(contentStart, pos);
      const parsed = parseYaml(yamlText);
      const error = parsed.error
        ? { line: parsed.error.line === null ? 1 : parsed.error.line + 1, message: `front matter: ${parsed.error.message}` }
        : null;
      const data = !error && isRecord(parsed.data) ? parsed.data : null;
      if (!error && parsed.data !== null && parsed.data !== undefined && !isRecord(parsed.data)) {
        return {
          contentStart, contentEnd: pos, firstLine: 2, closingLine: line, bodyStart: eol < 0 ? text.length : eol + 1,
          data: null, error: { line: 2, message: 'front matter: expected a mapping of keys to values' }, parsed,
        };
      }
      return { contentStart, contentEnd: pos, firstLine: 2, closingLine: line, bodyStart: eol < 0 ? text.length : eol + 1, data, error, parsed };
    }
    if (eol < 0) break;
    pos = eol + 1;
    line += 1;
  }
  return {
    contentStart: firstEol + 1, contentEnd: text.length, firstLine: 2, closingLine: 1, bodyStart: firstEol + 1,
    data: null, error: { line: 1, message: 'front matter: opening "---" is never closed' }, parsed: null,
  };
}

/** A top-level front matter scalar with offsets relative to the whole file. */
export function locateFrontMatterScalar(fm: FrontMatter, key: string): ScalarLocation | null {
  if (!fm.parsed || fm.error) return null;
  const loc = locateTopLevelScalar(fm.parsed, key);
  if (!loc) return null;
  return { ...loc, start: loc.start + fm.contentStart, end: loc.end + fm.contentStart, line: loc.line + 1 };
}

import { findFrontMatter, isUnclosedFrontMatter } from '../../../../contracts/index.js';
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

/** YAML front matter at the very top of a markdown file (`---` ... `---` or `...`), or null when the file has none. */
export function readFrontMatter(text: string): FrontMatter | null {
  const found = findFrontMatter(text);
  if (found === null) return null;
  if (isUnclosedFrontMatter(found)) {
    return {
      contentStart: found.contentStart,
      contentEnd: text.length,
      firstLine: 2,
      closingLine: 1,
      bodyStart: found.contentStart,
      data: null,
      error: { line: 1, message: 'front matter: opening "---" is never closed' },
      parsed: null,
    };
  }
  const { contentStart, contentEnd, closingLine, bodyStart } = found;
  const parsed = parseYaml(text.slice(contentStart, contentEnd));
  const fences = { contentStart, contentEnd, firstLine: 2, closingLine, bodyStart, parsed };
  if (parsed.error)
    return { ...fences, data: null, error: { line: parsed.error.line === null ? 1 : parsed.error.line + 1, message: `front matter: ${parsed.error.message}` } };
  if (parsed.data !== null && parsed.data !== undefined && !isRecord(parsed.data)) {
    return { ...fences, data: null, error: { line: 2, message: 'front matter: expected a mapping of keys to values' } };
  }
  return { ...fences, data: isRecord(parsed.data) ? parsed.data : null, error: null };
}

/** A top-level front matter scalar with offsets relative to the whole file. */
export function locateFrontMatterScalar(fm: FrontMatter, key: string): ScalarLocation | null {
  if (!fm.parsed || fm.error) return null;
  const loc = locateTopLevelScalar(fm.parsed, key);
  if (!loc) return null;
  return { ...loc, start: loc.start + fm.contentStart, end: loc.end + fm.contentStart, line: loc.line + 1 };
}

/**
 * Where YAML front matter sits in a markdown file, one rule for the server (which parses it) and the browser (which
 * shows it apart): the file's first line is `---` (after an optional BOM); the front matter ends at the next line that
 * is `---` or `...` (YAML's document end marker). Trailing blanks and CRLF line ends are allowed on both fences.
 * Only the fences are found here: parsing the YAML between them is the caller's business (the browser never needs to).
 */

export interface FrontMatterFences {
  /** Offsets of the YAML between the fences, in the whole text (its last line end included). */
  contentStart: number;
  contentEnd: number;
  /** 1-based line of the closing fence; the body starts on the next line. */
  closingLine: number;
  /** Offset just after the closing fence's line. */
  bodyStart: number;
}

/** The text opens front matter that no fence closes: where its YAML would have started. */
export interface UnclosedFrontMatter {
  unclosed: true;
  contentStart: number;
}

const OPEN = /^\uFEFF?---[ \t]*\r?$/;
const CLOSE = /^(?:---|\.\.\.)[ \t]*\r?$/;

/** The fences of the front matter at the top of a text; null when it has none. */
export function findFrontMatter(text: string): FrontMatterFences | UnclosedFrontMatter | null {
  const firstEol = text.indexOf('\n');
  if (firstEol < 0 || !OPEN.test(text.slice(0, firstEol))) return null;
  const contentStart = firstEol + 1;
  let pos = contentStart;
  for (let line = 2; pos <= text.length; line++) {
    const eol = text.indexOf('\n', pos);
    const end = eol < 0 ? text.length : eol;
    if (CLOSE.test(text.slice(pos, end))) return { contentStart, contentEnd: pos, closingLine: line, bodyStart: eol < 0 ? text.length : eol + 1 };
    if (eol < 0) break;
    pos = eol + 1;
  }
  return { unclosed: true, contentStart };
}

export function isUnclosedFrontMatter(found: FrontMatterFences | UnclosedFrontMatter): found is UnclosedFrontMatter {
  return 'unclosed' in found;
}

/** The front matter's YAML (without its last line end) and the body after it; an unclosed one is left in the body. */
export function splitFrontMatter(text: string): { frontMatter: string | null; body: string } {
  const found = findFrontMatter(text);
  if (found === null || isUnclosedFrontMatter(found)) return { frontMatter: null, body: text };
  return { frontMatter: text.slice(found.contentStart, found.contentEnd).replace(/\r?\n$/, ''), body: text.slice(found.bodyStart) };
}

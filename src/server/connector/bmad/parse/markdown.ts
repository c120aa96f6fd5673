import { locateFrontMatterScalar, readFrontMatter, type FrontMatter } from './front-matter.js';
import type { YamlProblem } from './yaml-text.js';

/** Where a story's status is written, precisely enough to rewrite only the value. */
export interface StatusLocation {
  /** The value as written (decoration such as ** or quotes excluded). */
  value: string;
  /** 1-based line of the value. */
  line: number;
  /** Offsets of the value in the file text: replacing text.slice(start, end) changes only the value. */
  start: number;
  end: number;
  /** front-matter: `status:` key; heading: `## Status` then the value; line: `Status: x` or `**Status:** x`. */
  form: 'front-matter' | 'heading' | 'line';
  /** Front matter only: the YAML scalar style, so a rewrite keeps quoting. */
  yamlType?: string | undefined;
}

export interface Heading {
  level: number;
  text: string;
  line: number;
}

export interface EpicHeading {
  key: string;
  title: string | null;
  line: number;
}

export interface StoryHeading {
  epic: string;
  story: string;
  suffix: string;
  title: string;
  line: number;
}

/** Everything the scanner needs from one markdown file, computed in one pass and cached per (mtime, size). */
export interface MarkdownFacts {
  frontMatter: Pick<FrontMatter, 'data'> | null;
  frontMatterError: YamlProblem | null;
  /** First level-1 heading. */
  h1: { text: string; line: number } | null;
  status: StatusLocation | null;
  tasks: { done: number; total: number } | null;
  agentModel: string | null;
  epicHeadings: EpicHeading[];
  storyHeadings: StoryHeading[];
  /** Code-review follow-ups appended to the file (`- [ ] [Review][Patch] …`, v6.0 `[AI-Review]`); null when none. */
  reviewFindings: { open: number; resolved: number; deferred: number; decisions: number } | null;
}

const HEADING = /^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$/;
const FENCE = /^[ \t]{0,3}(```|~~~)/;
const CHECKBOX = /^[ \t]*(?:[-*+]|\d+[.)])[ \t]+\[([ xX])\]/;
/** A review follow-up: `- [ ] [Review][Patch] …`, `- [x] [Review][Defer] …`, `- [ ] [AI-Review][High] …`. */
const REVIEW_ITEM = /^[ \t]*(?:[-*+]|\d+[.)])[ \t]+\[([ xX])\][ \t]*\[(?:AI-)?Review\](?:[ \t]*\[([A-Za-z]+)\])?/;
const STATUS_LINE = /^[ \t]*(?:[-*+][ \t]+)?(\*\*|__)?Status(?:\1)?[ \t]*:[ \t]*(?:\1)?/i;
const EPIC_HEADING = /^Epic[ \t]+(\d+)\b[ \t]*(?:[:.\-–—][ \t]*)?(.*)$/i;
const STORY_HEADING = /^Story[ \t]+(\d+)\.(\d+)([a-z]?)\b[ \t]*(?:[:.\-–—][ \t]*)?(.*)$/i;

interface Line {
  text: string;
  start: number;
  no: number;
}

function splitLines(text: string, from: number, firstNo: number): Line[] {
  const out: Line[] = [];
  let pos = from;
  let no = firstNo;
  if (pos === 0 && text.charCodeAt(0) === 0xfeff) pos = 1;
  while (pos < text.length) {
    const eol = text.indexOf('\n', pos);
    const end = eol < 0 ? text.length : eol;
    const raw = text.slice(pos, end);
    out.push({ text: raw.endsWith('\r') ? raw.slice(0, -1) : raw, start: pos, no });
    if (eol < 0) break;
    pos = eol + 1;
    no += 1;
  }
  return out;
}

/**
 * The span of a value within a line, starting at `from`: surrounding blanks, a trailing HTML comment and wrapping
 * emphasis/quotes/backticks excluded. Returns offsets relative to the line.
 */
export function valueSpan(line: string, from: number): [number, number] | null {
  let s = from;
  let e = line.length;
  const comment = line.indexOf('<!--', s);
  if (comment >= 0) e = comment;
  while (s < e && /\s/.test(line[s]!)) s += 1;
  while (e > s && /\s/.test(line[e - 1]!)) e -= 1;
  for (;;) {
    const inner = line.slice(s, e);
    const m = /^(\*\*|__|\*|_|`|"|')(.*)\1$/.exec(inner);
    if (!m || m[2]!.trim() === '') break;
    const w = m[1]!.length;
    s += w;
    e -= w;
    while (s < e && /\s/.test(line[s]!)) s += 1;
    while (e > s && /\s/.test(line[e - 1]!)) e -= 1;
  }
  return e > s ? [s, e] : null;
}

function isPlaceholder(s: string): boolean {
  return /^\{\{.*\}\}$/.test(s) || /^<!--.*-->$/.test(s) || /^(?:tbd|n\/a|-+)$/i.test(s);
}

/** A file's body as lines, which of them are inside code fences, and its headings (outside code). */
interface Outline {
  lines: Line[];
  code: boolean[];
  headings: Array<Heading & { index: number }>;
}

function outlineOf(lines: Line[]): Outline {
  const headings: Outline['headings'] = [];
  const code: boolean[] = [];
  let fence: string | null = null;
  lines.forEach((l, index) => {
    const f = FENCE.exec(l.text);
    if (fence) {
      code.push(true);
      if (f && f[1] === fence) fence = null;
      return;
    }
    if (f) {
      fence = f[1]!;
      code.push(true);
      return;
    }
    code.push(false);
    const h = HEADING.exec(l.text);
    if (h) headings.push({ level: h[1]!.length, text: h[2]!, line: l.no, index });
  });
  return { lines, code, headings };
}

/** The line index where the section of heading `hIdx` ends: the next heading of the same or a higher level. */
function sectionEnd(o: Outline, hIdx: number): number {
  const h = o.headings[hIdx]!;
  for (let j = hIdx + 1; j < o.headings.length; j += 1) if (o.headings[j]!.level <= h.level) return o.headings[j]!.index;
  return o.lines.length;
}

/** The line index of the first heading after a line, of any level. */
function nextHeadingIndex(o: Outline, afterLineIndex: number): number {
  const h = o.headings.find((x) => x.index > afterLineIndex);
  return h ? h.index : o.lines.length;
}

/** A status value at `span` of a line. */
function statusAt(l: Line, span: [number, number], form: StatusLocation['form']): StatusLocation {
  return { value: l.text.slice(span[0], span[1]), line: l.no, start: l.start + span[0], end: l.start + span[1], form };
}

/** `status:` in the front matter. */
function frontMatterStatus(fm: FrontMatter | null): StatusLocation | null {
  if (!fm || fm.error) return null;
  const loc = locateFrontMatterScalar(fm, 'status');
  if (!loc || loc.value.trim() === '') return null;
  return { value: loc.value, line: loc.line, start: loc.start, end: loc.end, form: 'front-matter', yamlType: loc.type };
}

/** `## Status: value` on the heading itself. */
function inlineHeadingStatus(o: Outline, h: Outline['headings'][number]): StatusLocation | null {
  if (!/^Status[ \t]*:(.*)$/i.test(h.text)) return null;
  const l = o.lines[h.index]!;
  const from = l.text.indexOf(':', l.text.search(/Status/i)) + 1;
  const span = valueSpan(l.text, from);
  return span ? statusAt(l, span, 'heading') : null;
}

/** `## Status` with the value on the first meaningful line under it. */
function statusUnderHeading(o: Outline, h: Outline['headings'][number]): StatusLocation | null {
  const end = nextHeadingIndex(o, h.index);
  for (let i = h.index + 1; i < end; i += 1) {
    const l = o.lines[i]!;
    if (o.code[i] || l.text.trim() === '' || /^\s*<!--.*-->\s*$/.test(l.text)) continue;
    const bullet = /^[ \t]*(?:[-*+][ \t]+)?/.exec(l.text)![0].length;
    const span = valueSpan(l.text, bullet);
    return span ? statusAt(l, span, 'heading') : null;
  }
  return null;
}

/** A level-2 or -3 Status heading, with the value on it or under it. */
function headingStatus(o: Outline): StatusLocation | null {
  for (const h of o.headings) {
    if (h.level < 2 || h.level > 3) continue;
    const inline = inlineHeadingStatus(o, h);
    if (inline) return inline;
    if (!/^Status$/i.test(h.text.trim())) continue;
    const under = statusUnderHeading(o, h);
    if (under) return under;
  }
  return null;
}

/** `Status: x` in the header block (before the first level-2 heading), else a bold `**Status:** x` anywhere. */
function lineStatus(o: Outline): StatusLocation | null {
  const firstH2 = o.headings.find((h) => h.level >= 2);
  const headerEnd = firstH2 ? firstH2.index : o.lines.length;
  for (let pass = 0; pass < 2; pass += 1) {
    for (let i = 0; i < o.lines.length; i += 1) {
      if (pass === 0 && i >= headerEnd) break;
      if (o.code[i]) continue;
      const l = o.lines[i]!;
      const m = STATUS_LINE.exec(l.text);
      if (!m) continue;
      // Past the header block only the bold form counts ("Status: 200" in an acceptance criterion is not a status).
      if (pass === 1 && !m[1]) continue;
      const span = valueSpan(l.text, m[0].length);
      if (span) return statusAt(l, span, 'line');
    }
  }
  return null;
}

/** Checkboxes under the Tasks heading ("Tasks / Subtasks"), subtasks included. */
function tasksOf(o: Outline): MarkdownFacts['tasks'] {
  const tasksIdx = o.headings.findIndex((h) => h.level >= 2 && /^(?:implementation[ \t]+)?tasks?\b/i.test(h.text.trim()));
  if (tasksIdx < 0) return null;
  const end = sectionEnd(o, tasksIdx);
  let done = 0;
  let total = 0;
  for (let i = o.headings[tasksIdx]!.index + 1; i < end; i += 1) {
    if (o.code[i]) continue;
    const m = CHECKBOX.exec(o.lines[i]!.text);
    if (!m) continue;
    total += 1;
    if (m[1] !== ' ') done += 1;
  }
  return { done, total };
}

/** The first meaningful line under "### Agent Model Used". */
function agentModelOf(o: Outline): string | null {
  const heading = o.headings.find((h) => /^agent[ \t]+model(?:[ \t]+used)?\b/i.test(h.text.trim()));
  if (!heading) return null;
  const end = nextHeadingIndex(o, heading.index);
  for (let i = heading.index + 1; i < end; i += 1) {
    const raw = o.lines[i]!.text.trim();
    if (raw === '' || o.code[i]) continue;
    const stripped = raw.replace(/^[-*+][ \t]+/, '');
    const span = valueSpan(stripped, 0);
    const value = span ? stripped.slice(span[0], span[1]).trim() : '';
    if (value === '' || isPlaceholder(value)) continue;
    return value;
  }
  return null;
}

/** Code-review follow-ups anywhere outside code, by kind. */
function reviewFindingsOf(o: Outline): MarkdownFacts['reviewFindings'] {
  let findings: MarkdownFacts['reviewFindings'] = null;
  o.lines.forEach((l, i) => {
    if (o.code[i]) return;
    const m = REVIEW_ITEM.exec(l.text);
    if (!m) return;
    findings ??= { open: 0, resolved: 0, deferred: 0, decisions: 0 };
    const kind = (m[2] ?? '').toLowerCase();
    const checked = m[1] !== ' ';
    if (kind === 'defer') findings.deferred += 1;
    else if (kind === 'dismiss' || kind === 'resolved' || checked) findings.resolved += 1;
    else if (kind === 'decision') findings.decisions += 1;
    else findings.open += 1;
  });
  return findings;
}

/** `Epic 2: Title` and `Story 2.3: Title` headings (level 1 to 4), as an epics file lists them. */
function epicAndStoryHeadings(o: Outline): Pick<MarkdownFacts, 'epicHeadings' | 'storyHeadings'> {
  const epicHeadings: EpicHeading[] = [];
  const storyHeadings: StoryHeading[] = [];
  for (const h of o.headings) {
    if (h.level > 4) continue;
    const text = h.text.replace(/\*\*/g, '').trim();
    const e = EPIC_HEADING.exec(text);
    if (e) {
      const title = e[2]!.trim();
      epicHeadings.push({ key: String(Number(e[1])), title: title === '' ? null : title, line: h.line });
      continue;
    }
    const s = STORY_HEADING.exec(text);
    if (s) storyHeadings.push({ epic: String(Number(s[1])), story: String(Number(s[2])), suffix: s[3]!.toLowerCase(), title: s[4]!.trim(), line: h.line });
  }
  return { epicHeadings, storyHeadings };
}

/** The body's lines: after the front matter, or the whole file when the front matter is never closed. */
function bodyLines(text: string, fm: FrontMatter | null): Line[] {
  if (!fm || fm.closingLine === 1) return splitLines(text, 0, 1);
  return splitLines(text, fm.bodyStart, fm.closingLine + 1);
}

export function parseMarkdown(text: string): MarkdownFacts {
  const fm = readFrontMatter(text);
  const o = outlineOf(bodyLines(text, fm));
  const h1Heading = o.headings.find((h) => h.level === 1);
  return {
    frontMatter: fm ? { data: fm.data } : null,
    frontMatterError: fm?.error ?? null,
    h1: h1Heading ? { text: h1Heading.text, line: h1Heading.line } : null,
    // Status, in order of precedence.
    status: frontMatterStatus(fm) ?? headingStatus(o) ?? lineStatus(o),
    tasks: tasksOf(o),
    agentModel: agentModelOf(o),
    ...epicAndStoryHeadings(o),
    reviewFindings: reviewFindingsOf(o),
  };
}

/** "Story 2.3: Mark Task Complete" -> "Mark Task Complete"; other headings unchanged. */
export function storyTitleFromHeading(text: string): string {
  const m = STORY_HEADING.exec(text.replace(/\*\*/g, '').trim());
  if (m && m[4]!.trim() !== '') return m[4]!.trim();
  return text.trim();
}

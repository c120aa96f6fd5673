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

export function parseMarkdown(text: string): MarkdownFacts {
  const fm = readFrontMatter(text);
  const bodyStart = fm ? fm.bodyStart : 0;
  const bodyFirstLine = fm ? fm.closingLine + 1 : 1;
  const lines = fm && fm.closingLine === 1 ? splitLines(text, 0, 1) : splitLines(text, bodyStart, bodyFirstLine);

  const headings: Array<Heading & { index: number }> = [];
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

  const sectionEnd = (hIdx: number): number => {
    const h = headings[hIdx]!;
    for (let j = hIdx + 1; j < headings.length; j += 1) if (headings[j]!.level <= h.level) return headings[j]!.index;
    return lines.length;
  };
  const nextHeadingIndex = (afterLineIndex: number): number => {
    const h = headings.find((x) => x.index > afterLineIndex);
    return h ? h.index : lines.length;
  };

  const h1Heading = headings.find((h) => h.level === 1);
  const h1 = h1Heading ? { text: h1Heading.text, line: h1Heading.line } : null;

  // Status, in order of precedence.
  let status: StatusLocation | null = null;
  if (fm && !fm.error) {
    const loc = locateFrontMatterScalar(fm, 'status');
    if (loc && loc.value.trim() !== '') {
      status = { value: loc.value, line: loc.line, start: loc.start, end: loc.end, form: 'front-matter', yamlType: loc.type };
    }
  }
  if (!status) {
    for (const h of headings) {
      if (h.level < 2 || h.level > 3) continue;
      const inline = /^Status[ \t]*:(.*)$/i.exec(h.text);
      if (inline) {
        const l = lines[h.index]!;
        const from = l.text.indexOf(':', l.text.search(/Status/i)) + 1;
        const span = valueSpan(l.text, from);
        if (span) {
          status = { value: l.text.slice(span[0], span[1]), line: l.no, start: l.start + span[0], end: l.start + span[1], form: 'heading' };
          break;
        }
      }
      if (!/^Status$/i.test(h.text.trim())) continue;
      const end = nextHeadingIndex(h.index);
      for (let i = h.index + 1; i < end; i += 1) {
        const l = lines[i]!;
        if (code[i] || l.text.trim() === '' || /^\s*<!--.*-->\s*$/.test(l.text)) continue;
        const bullet = /^[ \t]*(?:[-*+][ \t]+)?/.exec(l.text)![0].length;
        const span = valueSpan(l.text, bullet);
        if (span) status = { value: l.text.slice(span[0], span[1]), line: l.no, start: l.start + span[0], end: l.start + span[1], form: 'heading' };
        break;
      }
      if (status) break;
    }
  }
  if (!status) {
    const firstH2 = headings.find((h) => h.level >= 2);
    const headerEnd = firstH2 ? firstH2.index : lines.length;
    for (let pass = 0; pass < 2 && !status; pass += 1) {
      for (let i = 0; i < lines.length; i += 1) {
        if (pass === 0 && i >= headerEnd) break;
        if (code[i]) continue;
        const l = lines[i]!;
        const m = STATUS_LINE.exec(l.text);
        if (!m) continue;
        // Past the header block only the bold form counts ("Status: 200" in an acceptance criterion is not a status).
        if (pass === 1 && !m[1]) continue;
        const span = valueSpan(l.text, m[0].length);
        if (!span) continue;
        status = { value: l.text.slice(span[0], span[1]), line: l.no, start: l.start + span[0], end: l.start + span[1], form: 'line' };
        break;
      }
    }
  }

  // Tasks: checkboxes under the Tasks heading ("Tasks / Subtasks"), subtasks included.
  let tasks: { done: number; total: number } | null = null;
  const tasksIdx = headings.findIndex((h) => h.level >= 2 && /^(?:implementation[ \t]+)?tasks?\b/i.test(h.text.trim()));
  if (tasksIdx >= 0) {
    const start = headings[tasksIdx]!.index + 1;
    const end = sectionEnd(tasksIdx);
    let done = 0;
    let total = 0;
    for (let i = start; i < end; i += 1) {
      if (code[i]) continue;
      const m = CHECKBOX.exec(lines[i]!.text);
      if (!m) continue;
      total += 1;
      if (m[1] !== ' ') done += 1;
    }
    tasks = { done, total };
  }

  // Agent model: first meaningful line under "### Agent Model Used".
  let agentModel: string | null = null;
  const agentIdx = headings.findIndex((h) => /^agent[ \t]+model(?:[ \t]+used)?\b/i.test(h.text.trim()));
  if (agentIdx >= 0) {
    const end = nextHeadingIndex(headings[agentIdx]!.index);
    for (let i = headings[agentIdx]!.index + 1; i < end; i += 1) {
      const raw = lines[i]!.text.trim();
      if (raw === '' || code[i]) continue;
      const stripped = raw.replace(/^[-*+][ \t]+/, '');
      const span = valueSpan(stripped, 0);
      const value = span ? stripped.slice(span[0], span[1]).trim() : '';
      if (value === '' || isPlaceholder(value)) continue;
      agentModel = value;
      break;
    }
  }

  let reviewFindings: MarkdownFacts['reviewFindings'] = null;
  lines.forEach((l, i) => {
    if (code[i]) return;
    const m = REVIEW_ITEM.exec(l.text);
    if (!m) return;
    reviewFindings ??= { open: 0, resolved: 0, deferred: 0, decisions: 0 };
    const kind = (m[2] ?? '').toLowerCase();
    const checked = m[1] !== ' ';
    if (kind === 'defer') reviewFindings.deferred += 1;
    else if (kind === 'dismiss' || kind === 'resolved' || checked) reviewFindings.resolved += 1;
    else if (kind === 'decision') reviewFindings.decisions += 1;
    else reviewFindings.open += 1;
  });

  const epicHeadings: EpicHeading[] = [];
  const storyHeadings: StoryHeading[] = [];
  for (const h of headings) {
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

  return {
    frontMatter: fm ? { data: fm.data } : null,
    frontMatterError: fm?.error ?? null,
    h1,
    status,
    tasks,
    agentModel,
    epicHeadings,
    storyHeadings,
    reviewFindings,
  };
}

/** "Story 2.3: Mark Task Complete" -> "Mark Task Complete"; other headings unchanged. */
export function storyTitleFromHeading(text: string): string {
  const m = STORY_HEADING.exec(text.replace(/\*\*/g, '').trim());
  if (m && m[4]!.trim() !== '') return m[4]!.trim();
  return text.trim();
}

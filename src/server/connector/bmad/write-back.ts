import { randomBytes } from 'node:crypto';
import { lstat, open, readFile, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { BmadSnapshot } from './model.js';
import { relativeInside } from './parse/files.js';
import { parseMarkdown } from './parse/markdown.js';
import { sameStoryStatus } from './parse/status.js';
import { formatScalarLike, mapEntries, parseYaml } from './parse/yaml-text.js';

export { columnForStatus } from './parse/status.js';

export interface WriteBackOptions {
  /** Test hook: called after the temp file is written and fsynced, before it replaces the target. */
  beforeRename?: (tempPath: string, targetPath: string) => void | Promise<void>;
}

export class WriteBackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WriteBackError';
  }
}

/** Only plain status words are written: nothing that could change the YAML or markdown around the value. */
const SAFE_COLUMN = /^[A-Za-z][A-Za-z0-9 _-]{0,63}$/;

/**
 * Moves a story to `column` in the project's own files: its value in sprint-status.yaml (when the project has one
 * and lists the story) and the status in the story file (`Status: x`, the line under `## Status`, or front matter
 * `status:`). Only the value's bytes change: comments, ordering, blank lines, quoting and line endings stay as they
 * were. Each file is replaced atomically (temp file in the same folder, fsync, rename). Files already saying the
 * same thing (after normalising, e.g. "Ready for Review" for Review) are left untouched.
 */
export async function writeBackStoryStatus(
  root: string,
  snapshot: BmadSnapshot,
  storyKey: string,
  column: string,
  opts: WriteBackOptions = {},
): Promise<{ changedFiles: string[] }> {
  if (!SAFE_COLUMN.test(column) || column.trim() !== column) throw new WriteBackError(`refusing to write status "${column}": not a plain status value`);
  const story = snapshot.stories.find((s) => s.key === storyKey);
  if (!story) throw new WriteBackError(`story ${storyKey} is not in the BMAD project at ${root}`);
  const rootAbs = resolve(root);
  const targets: Array<{ rel: string; abs: string; rewrite: (text: string) => string | null }> = [];
  if (snapshot.sprintStatusFile) {
    targets.push({
      rel: snapshot.sprintStatusFile,
      abs: insideRoot(rootAbs, snapshot.sprintStatusFile),
      rewrite: (t) => replaceSprintStatusValue(t, storyKey, column),
    });
  }
  if (story.file) targets.push({ rel: story.file, abs: insideRoot(rootAbs, story.file), rewrite: (t) => replaceStoryFileStatus(t, column) });

  // Both files are locked (always in this order) and both new texts computed before anything is written, so a
  // refusal on either file (does not parse, not UTF-8) leaves both untouched.
  return withFileLocks(
    targets.map((t) => t.abs),
    async () => {
      const planned: Array<{ rel: string; abs: string; after: string }> = [];
      let found = false;
      for (const t of targets) await realInsideRoot(rootAbs, t.abs, t.rel);
      for (const t of targets) {
        const before = await readUtf8Exactly(t.abs, t.rel);
        const after = t.rewrite(before);
        if (after === null) continue;
        found = true;
        if (after !== before) planned.push({ rel: t.rel, abs: t.abs, after });
      }
      if (!found) throw new WriteBackError(`story ${storyKey} has no status to update: it is not in sprint-status.yaml and its file has no status line`);
      const changedFiles: string[] = [];
      for (const p of planned) {
        await writeFileAtomic(p.abs, p.after, opts);
        changedFiles.push(p.rel);
      }
      return { changedFiles };
    },
  );
}

/** The file as text, refusing files that would not survive a UTF-8 round trip byte for byte. */
async function readUtf8Exactly(abs: string, rel: string): Promise<string> {
  const buf = await readFile(abs);
  const text = buf.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(buf)) throw new WriteBackError(`${rel} is not valid UTF-8: refusing to rewrite it`);
  return text;
}

function insideRoot(rootAbs: string, rel: string): string {
  const abs = resolve(rootAbs, rel);
  if (relativeInside(rootAbs, abs) === null) throw new WriteBackError(`refusing to write outside the project: ${rel}`);
  return abs;
}

/**
 * The lexical check above cannot see a symlinked folder on the way (`_bmad-output -> /etc`): the real folder must be
 * inside the real project, and the file itself no symlink (its rename would land in the project, but it would be read
 * from elsewhere).
 */
async function realInsideRoot(rootAbs: string, abs: string, rel: string): Promise<void> {
  const realRoot = await realpath(rootAbs);
  const realDir = await realpath(dirname(abs)).catch(() => null);
  if (realDir === null || (realDir !== realRoot && relativeInside(realRoot, realDir) === null)) {
    throw new WriteBackError(`refusing to write ${rel}: its folder leads outside the project`);
  }
  if ((await lstat(abs).catch(() => null))?.isSymbolicLink()) throw new WriteBackError(`refusing to write ${rel}: it is a symlink`);
}

/**
 * sprint-status.yaml with `development_status[storyKey]` set to `value`, every other byte unchanged; the same text
 * when it already says that; null when the story is not listed. Throws on a file that does not parse.
 */
export function replaceSprintStatusValue(text: string, storyKey: string, value: string): string | null {
  const parsed = parseYaml(text);
  if (parsed.error)
    throw new WriteBackError(`sprint-status.yaml does not parse (line ${parsed.error.line ?? '?'}: ${parsed.error.message}): fix it before moving cards`);
  const entry = mapEntries(parsed, 'development_status')?.find((e) => e.key === storyKey);
  if (!entry) return null;
  if (!entry.value) throw new WriteBackError(`sprint-status.yaml: ${storyKey} has no plain value to replace`);
  if (entry.value.value === value || sameStoryStatus(entry.value.value, value)) return text;
  const next = text.slice(0, entry.value.start) + formatScalarLike(entry.value.type, value) + text.slice(entry.value.end);
  // Belt and braces: the result must parse and say exactly the new value.
  const check = parseYaml(next);
  const after = check.error ? null : mapEntries(check, 'development_status')?.find((e) => e.key === storyKey);
  if (!after?.value || after.value.value !== value) throw new WriteBackError(`sprint-status.yaml: could not rewrite ${storyKey} safely`);
  return next;
}

/**
 * A story file with its status set to `column`, only the value's bytes changed; the same text when it already means
 * that; null when the file has no status. v6.7 spec files (front matter) say `in-review` for the review column.
 */
export function replaceStoryFileStatus(text: string, column: string): string | null {
  const facts = parseMarkdown(text);
  const loc = facts.status;
  if (!loc) return null;
  if (sameStoryStatus(loc.value, column)) return text;
  let value = column;
  if (loc.form === 'front-matter') {
    if (column === 'review') value = 'in-review';
    const replacement = formatScalarLike(loc.yamlType as Parameters<typeof formatScalarLike>[0], value);
    return text.slice(0, loc.start) + replacement + text.slice(loc.end);
  }
  return text.slice(0, loc.start) + value + text.slice(loc.end);
}

const locks = new Map<string, Promise<unknown>>();

/** Serialises read-modify-write cycles on one file within this process. */
async function withFileLock<T>(abs: string, fn: () => Promise<T>): Promise<T> {
  const prev = locks.get(abs) ?? Promise.resolve();
  const run = prev.catch(() => undefined).then(fn);
  locks.set(abs, run);
  try {
    return await run;
  } finally {
    if (locks.get(abs) === run) locks.delete(abs);
  }
}

/** Holds the locks of several files (taken in the given order) while `fn` runs. */
function withFileLocks<T>(paths: readonly string[], fn: () => Promise<T>): Promise<T> {
  const [first, ...rest] = paths;
  if (first === undefined) return fn();
  return withFileLock(first, () => withFileLocks(rest, fn));
}

/**
 * Replaces a file atomically: the new bytes go to a temp file in the same folder (a dotfile ending ".tmp-…", which the
 * scanner and the watcher ignore), are fsynced, then renamed over the target; the folder is fsynced afterwards so the
 * rename survives a crash. Readers see the old file or the new one, never a partial one. The file's mode is kept.
 */
export async function writeFileAtomic(abs: string, data: string, opts: WriteBackOptions = {}): Promise<void> {
  const dir = dirname(abs);
  const tmp = join(dir, `.${basename(abs)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  const mode = (await stat(abs)).mode & 0o777;
  const fh = await open(tmp, 'wx', mode);
  try {
    try {
      await fh.writeFile(data, 'utf8');
      await fh.chmod(mode);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await opts.beforeRename?.(tmp, abs);
    await rename(tmp, abs);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  try {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename itself is still atomic.
  }
}

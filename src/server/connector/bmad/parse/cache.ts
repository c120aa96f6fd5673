import { readFile } from 'node:fs/promises';
import { extname, sep } from 'node:path';
import { sha256, sha256File, type FileStat } from './files.js';
import { parseMarkdown, type MarkdownFacts } from './markdown.js';

/** Files read into memory for parsing; larger ones are only checksummed (streaming). */
const MAX_PARSED_BYTES = 8 * 1024 * 1024;
const TEXT_EXTENSIONS = new Set(['.yaml', '.yml', '.toml']);
const MARKDOWN_EXTENSIONS = new Set(['.md', '.markdown']);

export type FileFacts =
  { type: 'markdown'; md: MarkdownFacts; text: string } | { type: 'text'; text: string } | { type: 'binary' } | { type: 'unreadable'; message: string };

export interface CacheEntry {
  mtimeMs: number;
  size: number;
  checksum: string;
  facts: FileFacts;
  /** Per-role derived results (e.g. the sprint-status parse of a YAML file), computed on demand. */
  derived: Map<string, unknown>;
  /** Per role, the last result that parsed cleanly: kept across bad saves so the scan can still report good data. */
  lastGood: Map<string, unknown>;
}

/**
 * Remembers what each file parsed to, by (mtimeMs, size). A scan that is handed the same cache re-reads only files
 * whose mtime or size changed; files that disappeared are forgotten. Observable for tests and metrics:
 * `lastParsed` (paths re-parsed by the latest scan) and `parsedFiles` (total since creation).
 */
export class ParseCache {
  readonly entries = new Map<string, CacheEntry>();
  /** Project-relative paths read and parsed by the most recent scan that used this cache. */
  lastParsed: string[] = [];
  /** Files read and parsed through this cache since it was created. */
  parsedFiles = 0;
  /** Scans that used this cache. */
  scans = 0;
}

/** What a file's bytes parse to (also used for a blob of the git history, which has no file to stat). */
export function factsOfBuffer(rel: string, buf: Buffer): { checksum: string; facts: FileFacts } {
  const ext = extname(rel).toLowerCase();
  const checksum = sha256(buf);
  if (buf.length > MAX_PARSED_BYTES) return { checksum, facts: { type: 'binary' } };
  if (MARKDOWN_EXTENSIONS.has(ext)) {
    const text = buf.toString('utf8');
    return { checksum, facts: { type: 'markdown', md: parseMarkdown(text), text } };
  }
  if (TEXT_EXTENSIONS.has(ext)) return { checksum, facts: { type: 'text', text: buf.toString('utf8') } };
  return { checksum, facts: { type: 'binary' } };
}

async function readFacts(file: FileStat): Promise<{ checksum: string; facts: FileFacts }> {
  const ext = extname(file.rel).toLowerCase();
  const parseable = MARKDOWN_EXTENSIONS.has(ext) || TEXT_EXTENSIONS.has(ext);
  try {
    if (!parseable || file.size > MAX_PARSED_BYTES) return { checksum: await sha256File(file.abs), facts: { type: 'binary' } };
    const buf = await readFile(file.abs);
    const text = buf.toString('utf8');
    const checksum = sha256(buf);
    if (MARKDOWN_EXTENSIONS.has(ext)) return { checksum, facts: { type: 'markdown', md: parseMarkdown(text), text } };
    return { checksum, facts: { type: 'text', text } };
  } catch (err) {
    return { checksum: 'sha256:', facts: { type: 'unreadable', message: (err as Error).message } };
  }
}

/** One scan's view of the cache: loads each file at most once per scan and records what it had to re-parse. */
export class ScanFiles {
  private readonly loaded = new Map<string, Promise<CacheEntry>>();
  private readonly reparsed: string[] = [];

  constructor(
    private readonly root: string,
    private readonly cache: ParseCache,
  ) {}

  load(file: FileStat): Promise<CacheEntry> {
    let p = this.loaded.get(file.abs);
    if (!p) {
      p = this.loadUncached(file);
      this.loaded.set(file.abs, p);
    }
    return p;
  }

  private async loadUncached(file: FileStat): Promise<CacheEntry> {
    const old = this.cache.entries.get(file.abs);
    if (old && old.mtimeMs === file.mtimeMs && old.size === file.size) return old;
    const { checksum, facts } = await readFacts(file);
    const entry: CacheEntry = { mtimeMs: file.mtimeMs, size: file.size, checksum, facts, derived: new Map(), lastGood: new Map(old?.lastGood ?? []) };
    this.cache.entries.set(file.abs, entry);
    this.reparsed.push(file.rel);
    this.cache.parsedFiles += 1;
    return entry;
  }

  /** Finishes the scan: records what was re-parsed and forgets files under this root that no longer exist. */
  finish(): string[] {
    const prefix = this.root.endsWith(sep) ? this.root : this.root + sep;
    for (const abs of [...this.cache.entries.keys()]) {
      if (abs.startsWith(prefix) && !this.loaded.has(abs)) this.cache.entries.delete(abs);
    }
    const reparsed = [...this.reparsed].sort();
    this.cache.lastParsed = reparsed;
    this.cache.scans += 1;
    return reparsed;
  }
}

/**
 * A role-specific result derived from an entry (memoised), with the last good result for that role: `good` says
 * whether a result parsed cleanly.
 */
export function derive<T>(entry: CacheEntry, role: string, compute: () => T, good: (value: T) => boolean): { current: T; lastGood: T | null } {
  let current = entry.derived.get(role) as T | undefined;
  if (current === undefined) {
    current = compute();
    entry.derived.set(role, current);
    if (good(current)) entry.lastGood.set(role, current);
  }
  const lastGood = (entry.lastGood.get(role) as T | undefined) ?? null;
  return { current, lastGood };
}

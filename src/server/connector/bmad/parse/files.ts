import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, sep } from 'node:path';

export interface FileStat {
  abs: string;
  /** Relative to the project root, forward slashes. */
  rel: string;
  mtimeMs: number;
  size: number;
}

/** Relative path with forward slashes, or null when `abs` is not inside `root`. */
export function relativeInside(root: string, abs: string): string | null {
  const rel = relative(root, abs);
  if (rel === '') return '';
  if (rel.startsWith('..') || isAbsolute(rel)) return null;
  return rel.split(sep).join('/');
}

export async function statFile(root: string, rel: string): Promise<FileStat | null> {
  const abs = join(root, ...rel.split('/'));
  try {
    const st = await stat(abs);
    if (!st.isFile()) return null;
    return { abs, rel, mtimeMs: st.mtimeMs, size: st.size };
  } catch {
    return null;
  }
}

export async function isDirectory(abs: string): Promise<boolean> {
  try {
    return (await stat(abs)).isDirectory();
  } catch {
    return false;
  }
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next;
      next += 1;
      if (i >= items.length) return;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, () => worker()));
  return out;
}

const MAX_DEPTH = 16;

/**
 * Every regular file under the given folders (relative to root), skipping dotfiles, dot-folders, node_modules and
 * symbolic links (a link could lead outside the project). Folders outside the root are ignored.
 */
export async function walkFiles(root: string, folders: readonly string[]): Promise<Map<string, FileStat>> {
  const found: string[] = [];
  const seenDirs = new Set<string>();
  const visit = async (relDir: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH || seenDirs.has(relDir)) return;
    seenDirs.add(relDir);
    let entries;
    try {
      entries = await readdir(relDir === '' ? root : join(root, ...relDir.split('/')), { withFileTypes: true });
    } catch {
      return;
    }
    const subdirs: string[] = [];
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const rel = relDir === '' ? e.name : `${relDir}/${e.name}`;
      if (e.isDirectory()) subdirs.push(rel);
      else if (e.isFile()) found.push(rel);
    }
    await Promise.all(subdirs.map((d) => visit(d, depth + 1)));
  };
  // Visit outer folders first so a nested root (planning artifacts inside the output folder) is not walked twice.
  const sorted = [...new Set(folders)].sort((a, b) => a.length - b.length);
  for (const folder of sorted) {
    if (folder.split('/').some((part) => part === '..')) continue;
    await visit(folder, 0);
  }
  const unique = [...new Set(found)].sort();
  const stats = await mapLimit(unique, 64, (rel) => statFile(root, rel));
  const out = new Map<string, FileStat>();
  for (const s of stats) if (s) out.set(s.rel, s);
  return out;
}

const MIME_BY_EXT: Readonly<Record<string, string>> = {
  '.md': 'text/markdown',
  '.markdown': 'text/markdown',
  '.pdf': 'application/pdf',
  '.json': 'application/json',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.txt': 'text/plain',
  '.log': 'text/plain',
  '.csv': 'text/csv',
  '.tsv': 'text/tab-separated-values',
  '.xml': 'application/xml',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.toml': 'application/toml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.svg': 'image/svg+xml',
  '.mmd': 'text/vnd.mermaid',
  '.zip': 'application/zip',
  '.gz': 'application/gzip',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  '.mov': 'video/quicktime',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

export function mimeTypeFor(path: string): string {
  return MIME_BY_EXT[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

export function sha256(buf: Buffer): string {
  return `sha256:${createHash('sha256').update(buf).digest('hex')}`;
}

/** Streams the file through sha256: large files are never held in memory. */
export function sha256File(abs: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    const stream = createReadStream(abs);
    stream.on('data', (chunk) => hash.update(chunk));
    stream.on('error', reject);
    stream.on('end', () => resolve(`sha256:${hash.digest('hex')}`));
  });
}

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

/** Why a document's storage location was refused or could not be found. */
export type DocumentRefusalKind =
  /** No root registered under that id (a project that is not connected, a config root that was removed). */
  | 'unknown_root'
  /** The relative path is not a plain path inside the root: `..`, absolute, drive letter, backslash, NUL, empty segment. */
  | 'outside_root'
  /** The path exists, but it (or a directory on the way) is a symlink whose real location is outside the root. */
  | 'symlink_escape'
  /** The path is a directory, FIFO, socket or device: never read. */
  | 'not_a_file'
  /** The root or the file does not exist (any more). */
  | 'missing'
  /** The file exists but the server may not read it. */
  | 'unreadable'
  /** A dot-file or a path through a dot-folder (`.env`, `.git/config`): never served, whoever registered it. */
  | 'hidden'
  /** A file with more than one hard link: it may be the same inode as a file outside the root. */
  | 'hard_link'
  /** A connector's root serves only what that connector registered; this document came from another source. */
  | 'not_registered_by_owner';

export interface DocumentRefusal {
  ok: false;
  kind: DocumentRefusalKind;
  message: string;
}

export interface ResolvedDocument {
  ok: true;
  /** The real absolute path (no symlinks), inside the real root. */
  path: string;
  rootId: string;
}

export interface OpenedDocument extends ResolvedDocument {
  handle: fsp.FileHandle;
  /** From fstat of the open handle. */
  size: number;
}

export type ResolveResult = ResolvedDocument | DocumentRefusal;
export type OpenResult = OpenedDocument | DocumentRefusal;

const refuse = (kind: DocumentRefusalKind, message: string): DocumentRefusal => ({ ok: false, kind, message });

/**
 * O_NOFOLLOW where the platform has it: the final component of an already-resolved path must not become a symlink.
 * O_NONBLOCK so a FIFO swapped in after the check cannot hang the open (it is then refused as not a regular file).
 */
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0);

function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True when `target` is `root` itself or lies below it (both absolute and normalised). */
function within(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (!path.isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${path.sep}`));
}

/** The lexical checks: a plain, forward-slash, relative path with no way up and nothing a filesystem could reinterpret. */
function lexicalProblem(relPath: string): string | undefined {
  if (relPath.length === 0) return 'the path is empty';
  if (relPath.length > 4096) return 'the path is too long';
  if (relPath.includes('\0')) return 'the path contains a NUL byte';
  if (relPath.includes('\\')) return 'the path contains a backslash';
  if (relPath.startsWith('/') || /^[A-Za-z]:/.test(relPath)) return 'the path is absolute';
  const segments = relPath.split('/');
  if (segments.some((s) => s === '..')) return 'the path contains ".."';
  if (segments.some((s) => s === '')) return 'the path has an empty segment';
  return undefined;
}

/** A segment naming a dot-file or dot-folder (`.` alone, "here", is harmless and handled lexically). */
const isHidden = (relPath: string) => relPath.split('/').some((s) => s.startsWith('.') && s !== '.');

/**
 * The directories documents may be read from, by root id. A document names a root and a path relative to it; the
 * registry turns that into a real file inside the root or a typed refusal, and is the only way the server opens a
 * document. Roots come from `documents.roots` in the config and from the BMAD connector (one per connected project).
 */
export class DocumentRoots {
  private readonly roots = new Map<string, string>();
  private readonly owners = new Map<string, string>();

  /**
   * Registers (or re-points) a root. The directory must be absolute; it need not exist yet. `owner`: the event source
   * that alone may register documents in it (a connected project's folder belongs to its connector).
   */
  register(rootId: string, absDir: string, owner?: string): void {
    if (rootId.length === 0 || rootId.length > 128 || rootId.includes('\0')) throw new Error(`invalid document root id ${JSON.stringify(rootId)}`);
    if (absDir.includes('\0') || !path.isAbsolute(absDir))
      throw new Error(`document root ${JSON.stringify(rootId)} must be an absolute directory (got ${JSON.stringify(absDir)})`);
    this.roots.set(rootId, path.resolve(absDir));
    if (owner) this.owners.set(rootId, owner);
    else this.owners.delete(rootId);
  }

  unregister(rootId: string): boolean {
    this.owners.delete(rootId);
    return this.roots.delete(rootId);
  }

  /** The source that owns a root, or undefined for a root any registration may use (config roots). */
  ownerOf(rootId: string): string | undefined {
    return this.owners.get(rootId);
  }

  has(rootId: string): boolean {
    return this.roots.has(rootId);
  }

  /** The registered directory of a root, as registered (not realpath'd). */
  dirOf(rootId: string): string | undefined {
    return this.roots.get(rootId);
  }

  list(): { rootId: string; dir: string }[] {
    return [...this.roots].map(([rootId, dir]) => ({ rootId, dir }));
  }

  /**
   * The real absolute path of `relPath` under root `rootId`, or why not. Symlinks are allowed as long as the real
   * location (fs.realpath of both root and target) stays inside the real root.
   */
  async resolve(rootId: string, relPath: string): Promise<ResolveResult> {
    const dir = this.roots.get(rootId);
    if (dir === undefined) return refuse('unknown_root', `no document root named ${JSON.stringify(rootId)} is registered`);
    const problem = lexicalProblem(relPath);
    if (problem) return refuse('outside_root', `the storage path is outside its document root: ${problem}`);
    if (isHidden(relPath)) return refuse('hidden', 'dot-files and dot-folders are never served');
    const joined = path.resolve(dir, ...relPath.split('/'));
    if (!within(dir, joined) || joined === dir) return refuse('outside_root', 'the storage path is outside its document root');

    let realRoot: string;
    try {
      realRoot = await fsp.realpath(dir);
    } catch (err) {
      return errnoOf(err) === 'EACCES'
        ? refuse('unreadable', `the document root ${JSON.stringify(rootId)} is not readable`)
        : refuse('missing', `the document root ${JSON.stringify(rootId)} does not exist`);
    }
    let real: string;
    try {
      real = await fsp.realpath(joined);
    } catch (err) {
      return this.explainUnresolvable(err, dir, realRoot, joined);
    }
    if (!within(realRoot, real) || real === realRoot) return refuse('symlink_escape', 'the storage path is a symlink that leads outside its document root');
    let stat: fs.Stats;
    try {
      stat = await fsp.stat(real);
    } catch (err) {
      return errnoOf(err) === 'EACCES' ? refuse('unreadable', 'the file is not readable') : refuse('missing', 'the file does not exist');
    }
    if (!stat.isFile()) return refuse('not_a_file', 'the storage path is not a regular file');
    if (stat.nlink > 1) return refuse('hard_link', 'the file has other hard links (it may be a file outside the root): not served');
    if (isHidden(path.relative(realRoot, real).split(path.sep).join('/'))) return refuse('hidden', 'the storage path leads to a dot-file or into a dot-folder');
    return { ok: true, path: real, rootId };
  }

  /**
   * Resolves and opens the file for reading, then checks that the open file is still the one that was resolved (same
   * device and inode as the real path, re-resolved after opening), so a symlink swapped in between cannot redirect it.
   * The caller owns the handle and must close it.
   */
  async open(rootId: string, relPath: string): Promise<OpenResult> {
    const resolved = await this.resolve(rootId, relPath);
    if (!resolved.ok) return resolved;
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(resolved.path, OPEN_FLAGS);
    } catch (err) {
      const code = errnoOf(err);
      if (code === 'ELOOP') return refuse('symlink_escape', 'the file was replaced by a symlink');
      if (code === 'EACCES' || code === 'EPERM') return refuse('unreadable', 'the file is not readable');
      return refuse('missing', 'the file does not exist');
    }
    try {
      const opened = await handle.stat();
      const again = await this.resolve(rootId, relPath);
      if (!again.ok) {
        await handle.close();
        return again;
      }
      const now = await fsp.stat(again.path);
      if (again.path !== resolved.path || now.dev !== opened.dev || now.ino !== opened.ino) {
        await handle.close();
        return refuse('missing', 'the file changed while it was being opened; try again');
      }
      if (!opened.isFile()) {
        await handle.close();
        return refuse('not_a_file', 'the storage path is not a regular file');
      }
      return { ...resolved, handle, size: opened.size };
    } catch {
      await handle.close().catch(() => undefined);
      return refuse('missing', 'the file does not exist');
    }
  }

  /**
   * realpath failed. A missing file inside the root is "missing"; a dangling symlink or a missing file under a
   * symlinked directory that points outside the root is still an escape, so the answer never tells whether a file
   * exists outside the root.
   */
  private async explainUnresolvable(err: unknown, dir: string, realRoot: string, joined: string): Promise<DocumentRefusal> {
    const code = errnoOf(err);
    if (code === 'ELOOP') return refuse('symlink_escape', 'the storage path is a symlink loop');
    if (code === 'EACCES' || code === 'EPERM') return refuse('unreadable', 'the file is not readable');
    for (let p = joined; within(dir, p); p = path.dirname(p)) {
      try {
        const real = await fsp.realpath(p);
        return within(realRoot, real)
          ? refuse('missing', 'the file does not exist')
          : refuse('symlink_escape', 'the storage path is a symlink that leads outside its document root');
      } catch {
        // Not there (or a dangling symlink): if it is a symlink, judge where it points.
      }
      try {
        if ((await fsp.lstat(p)).isSymbolicLink()) {
          const parent = await fsp.realpath(path.dirname(p)).catch(() => path.dirname(p));
          const target = path.resolve(parent, await fsp.readlink(p));
          if (!within(realRoot, target)) return refuse('symlink_escape', 'the storage path is a symlink that leads outside its document root');
        }
      } catch {
        // Not there at all: look at its parent.
      }
      if (p === dir) break;
    }
    return refuse('missing', 'the file does not exist');
  }
}

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { relative, resolve, sep } from 'node:path';

/**
 * The `git` executable, driven with argument arrays (never a shell) and machine-readable output. The connector never
 * reads `.git` itself: packfiles, worktrees, alternates, sha-256 repositories and partial clones stay git's business.
 */

export class GitError extends Error {
  constructor(
    message: string,
    readonly reason: 'no_git' | 'not_a_repository' | 'no_commits' | 'failed',
  ) {
    super(message);
    this.name = 'GitError';
  }
}

const MAX_OUTPUT = 512 * 1024 * 1024;

/** Runs git in `cwd` and resolves with its stdout; rejects with a GitError naming what went wrong. */
export function runGit(cwd: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv } = {}): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawn('git', args, { cwd, env: { ...process.env, ...opts.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' } });
    } catch (err) {
      reject(new GitError(`git could not be started: ${(err as Error).message}`, 'no_git'));
      return;
    }
    const out: Buffer[] = [];
    const errOut: Buffer[] = [];
    let size = 0;
    child.stdout.on('data', (b: Buffer) => {
      size += b.length;
      if (size > MAX_OUTPUT) child.kill();
      else out.push(b);
    });
    child.stderr.on('data', (b: Buffer) => errOut.push(b));
    child.on('error', (err: NodeJS.ErrnoException) => {
      reject(
        new GitError(
          err.code === 'ENOENT' ? 'git is not installed (no git executable on the PATH)' : `git could not be started: ${err.message}`,
          err.code === 'ENOENT' ? 'no_git' : 'failed',
        ),
      );
    });
    child.on('close', (code) => {
      if (code === 0) return resolvePromise(Buffer.concat(out));
      const stderr = Buffer.concat(errOut).toString('utf8').trim();
      if (/not a git repository/i.test(stderr)) return reject(new GitError('not a git repository', 'not_a_repository'));
      if (/dubious ownership/i.test(stderr)) {
        return reject(
          new GitError(`git refuses to read this repository: it belongs to another user (git config --global --add safe.directory ${cwd})`, 'failed'),
        );
      }
      if (/does not have any commits|Needed a single revision|ambiguous argument 'HEAD'/i.test(stderr)) {
        return reject(new GitError('the repository has no commits yet', 'no_commits'));
      }
      reject(new GitError(`git ${args[0]} failed (${code ?? 'killed'}): ${stderr.split('\n')[0] ?? ''}`.slice(0, 500), 'failed'));
    });
  });
}

export interface RepoInfo {
  /** Absolute path of the work tree's top level. */
  top: string;
  /** The project folder relative to the top level, forward slashes ('' when they are the same). */
  prefix: string;
  head: string;
  shallow: boolean;
}

/** Where the project sits in its repository, or a GitError saying why there is no history to read. */
export async function repoInfo(root: string): Promise<RepoInfo> {
  const out = (await runGit(root, ['rev-parse', '--show-toplevel', '--is-shallow-repository', '--verify', '--end-of-options', 'HEAD^{commit}']))
    .toString('utf8')
    .trim()
    .split('\n');
  const [top, shallow, head] = out as [string, string, string];
  const rel = relative(resolve(top), resolve(root));
  if (rel.startsWith('..')) throw new GitError('the project folder is outside its git work tree', 'not_a_repository');
  return { top: resolve(top), prefix: rel.split(sep).join('/'), head, shallow: shallow === 'true' };
}

export interface RawChange {
  /** Path relative to the repository's top level. */
  path: string;
  /** The blob after the commit; null when the commit deleted the file. */
  blob: string | null;
}

export interface CommitEntry {
  hash: string;
  parents: string[];
  authorDate: string;
  authorName: string;
  authorEmail: string;
  committerDate: string;
  subject: string;
  changes: RawChange[];
}

const ZERO = /^0+$/;

/** Parses `git log --raw -z --format=%x1e%H%x1f%P%x1f%aI%x1f%an%x1f%ae%x1f%cI%x1f%s`. */
export function parseRawLog(buf: Buffer): CommitEntry[] {
  const text = buf.toString('utf8');
  const out: CommitEntry[] = [];
  for (const record of text.split('\x1e')) {
    if (record === '') continue;
    const headerEnd = record.indexOf('\0');
    const header = headerEnd < 0 ? record : record.slice(0, headerEnd);
    const [hash, parents, authorDate, authorName, authorEmail, committerDate, ...subject] = header.split('\x1f');
    const changes: RawChange[] = [];
    if (headerEnd >= 0) {
      const fields = record
        .slice(headerEnd + 1)
        .replace(/^\n/, '')
        .split('\0');
      for (let i = 0; i + 1 < fields.length; i += 2) {
        const meta = fields[i]!.trim();
        const path = fields[i + 1]!;
        if (!meta.startsWith(':')) continue;
        // ":100644 100644 <old> <new> M": the status letter tells deletions; submodules (160000) are not files.
        const parts = meta.slice(1).split(' ');
        const newMode = parts[1] ?? '';
        const newBlob = parts[3] ?? '';
        const status = parts[4] ?? '';
        if (newMode === '160000') continue;
        changes.push({ path, blob: status.startsWith('D') || ZERO.test(newBlob) ? null : newBlob });
      }
    }
    out.push({
      hash: hash ?? '',
      parents: (parents ?? '').split(' ').filter(Boolean),
      authorDate: authorDate ?? '',
      authorName: authorName ?? '',
      authorEmail: authorEmail ?? '',
      committerDate: committerDate ?? '',
      subject: subject.join('\x1f'),
      changes,
    });
  }
  return out;
}

export const LOG_FORMAT = '--format=%x1e%H%x1f%P%x1f%aI%x1f%an%x1f%ae%x1f%cI%x1f%s';

/**
 * The commits reachable from `to` (and not from `from`) that touch the given paths, parents before children, each
 * with the blobs it wrote against its first parent. Parents are rewritten to the nearest commit that touched the
 * paths, so a branch whose work arrived through a merge keeps its own commits and times (a first-parent walk would
 * lose them: seen in a real project whose whole BMAD history came in one merge).
 */
export async function readLog(top: string, opts: { from: string | null; to: string; since: string | null; paths: readonly string[] }): Promise<CommitEntry[]> {
  const args = ['log', '--topo-order', '--reverse', '--parents', '--diff-merges=first-parent', '--raw', '--no-renames', '--no-abbrev', '-z', LOG_FORMAT];
  if (opts.since) args.push(`--since=${opts.since}`);
  args.push(opts.from ? `${opts.from}..${opts.to}` : opts.to, '--', ...opts.paths);
  return parseRawLog(await runGit(top, args));
}

/** Files under the given paths at a commit: path → blob. */
export async function listTree(top: string, commit: string, paths: readonly string[]): Promise<Map<string, string>> {
  const out = await runGit(top, ['ls-tree', '-r', '-z', '--full-tree', commit, '--', ...paths]);
  const files = new Map<string, string>();
  for (const entry of out.toString('utf8').split('\0')) {
    if (entry === '') continue;
    const tab = entry.indexOf('\t');
    const [mode, type, blob] = entry.slice(0, tab).split(' ');
    if (type === 'blob' && mode !== '120000') files.set(entry.slice(tab + 1), blob!);
  }
  return files;
}

/** Whether `ancestor` is an ancestor of `of` (false too when either is unknown, e.g. after a rewrite and gc). */
export async function isAncestor(top: string, ancestor: string, of: string): Promise<boolean> {
  try {
    await runGit(top, ['merge-base', '--is-ancestor', ancestor, of]);
    return true;
  } catch {
    return false;
  }
}

/** The absolute git directory of the work tree (where HEAD and the reflog live), to notice new commits. */
export async function gitDir(root: string): Promise<string> {
  return (await runGit(root, ['rev-parse', '--absolute-git-dir'])).toString('utf8').trim();
}

/** Paths (repo-relative) that differ from HEAD in the work tree or the index, under the given paths. */
export async function changedInWorkTree(top: string, paths: readonly string[]): Promise<Set<string>> {
  const out = await runGit(top, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--no-renames', '--', ...paths]);
  const changed = new Set<string>();
  for (const entry of out.toString('utf8').split('\0')) if (entry.length > 3) changed.add(entry.slice(3));
  return changed;
}

/**
 * One long-lived `git cat-file --batch`: blob contents by object name, in request order. Far cheaper than one process
 * per blob when a history of thousands of commits is read.
 */
export class BlobReader {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly waiting: Array<{ resolve: (b: Buffer | null) => void; reject: (e: Error) => void }> = [];
  private failed: Error | null = null;

  constructor(top: string) {
    this.child = spawn('git', ['cat-file', '--batch'], { cwd: top, env: { ...process.env, LC_ALL: 'C' } });
    this.child.stdout.on('data', (b: Buffer) => {
      this.buffer = this.buffer.length === 0 ? b : Buffer.concat([this.buffer, b]);
      this.drain();
    });
    const fail = (err: Error) => {
      this.failed = err;
      for (const w of this.waiting.splice(0)) w.reject(err);
    };
    this.child.on('error', (err) => fail(new GitError(`git cat-file could not run: ${err.message}`, 'failed')));
    this.child.on('close', () => fail(new GitError('git cat-file ended early', 'failed')));
    this.child.stdin.on('error', () => undefined);
  }

  read(blob: string): Promise<Buffer | null> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolvePromise, reject) => {
      this.waiting.push({ resolve: resolvePromise, reject });
      this.child.stdin.write(`${blob}\n`);
    });
  }

  private drain(): void {
    while (this.waiting.length > 0) {
      const nl = this.buffer.indexOf(10);
      if (nl < 0) return;
      const header = this.buffer.subarray(0, nl).toString('utf8');
      if (header.endsWith(' missing')) {
        this.buffer = this.buffer.subarray(nl + 1);
        this.waiting.shift()!.resolve(null);
        continue;
      }
      const size = Number(header.split(' ')[2]);
      if (this.buffer.length < nl + 1 + size + 1) return;
      const content = Buffer.from(this.buffer.subarray(nl + 1, nl + 1 + size));
      this.buffer = this.buffer.subarray(nl + 1 + size + 1);
      this.waiting.shift()!.resolve(content);
    }
  }

  close(): void {
    this.child.removeAllListeners('close');
    this.child.stdin.end();
  }
}

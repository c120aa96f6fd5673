import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from './test-server.js';

export interface Person {
  name: string;
  email: string;
}

export const PRIYA: Person = { name: 'Priya Shah', email: 'priya@example.com' };
export const MARCO: Person = { name: 'Marco Diaz', email: 'marco@example.com' };

export const IMPL = '_bmad-output/implementation-artifacts';
export const SPRINT = `${IMPL}/sprint-status.yaml`;

/**
 * A throwaway git work tree for tests: files written, commits made with a chosen author and author/committer date
 * (backdated), so the history the connector reads is exactly known.
 */
export class GitRepo {
  readonly dir: string;

  constructor(dir?: string) {
    this.dir = dir ?? path.join(tempDir('bmad-git-'), 'project');
    fs.mkdirSync(this.dir, { recursive: true });
    this.git(['init', '-q', '-b', 'main']);
  }

  git(args: string[], env: Record<string, string> = {}): string {
    return execFileSync('git', args, {
      cwd: this.dir,
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }).toString();
  }

  write(files: Record<string, string>): this {
    for (const [rel, content] of Object.entries(files)) {
      const abs = path.join(this.dir, rel);
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, content);
    }
    return this;
  }

  remove(rel: string): this {
    fs.rmSync(path.join(this.dir, rel), { force: true });
    return this;
  }

  /** Commits everything in the work tree as `who` at `when` (ISO); returns the commit hash. */
  commit(message: string, when: string, who: Person = PRIYA, files: Record<string, string> = {}): string {
    this.write(files);
    this.git(['add', '-A']);
    this.git(['-c', `user.name=${who.name}`, '-c', `user.email=${who.email}`, '-c', 'commit.gpgsign=false', 'commit', '-q', '--allow-empty', '-m', message], {
      GIT_AUTHOR_DATE: when,
      GIT_COMMITTER_DATE: when,
    });
    return this.head();
  }

  head(): string {
    return this.git(['rev-parse', 'HEAD']).trim();
  }
}

/** sprint-status.yaml with these story and epic values (in this order). */
export function sprint(values: Record<string, string>): string {
  return `development_status:\n${Object.entries(values)
    .map(([k, v]) => `  ${k}: ${v}`)
    .join('\n')}\n`;
}

export function story(num: string, title: string, status: string): string {
  return `# Story ${num}: ${title}\n\nStatus: ${status}\n\n## Story\n\nAs a user I want ${title.toLowerCase()}.\n\n## Tasks / Subtasks\n\n- [ ] Build it\n`;
}

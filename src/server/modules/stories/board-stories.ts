import type { Story } from '../../../contracts/index.js';
import type { Executor } from '../../db/handle.js';
import { storiesRepository } from './stories.repository.js';

/** Projects whose stories stay in memory: a tech lead's handful of boards, open in several tabs and phones. */
const CACHED_PROJECTS = 16;

/**
 * A project's board stories, kept in memory while its board version (raised in the transaction that writes any of
 * its stories) is unchanged. The version is read before the rows, so a commit in between can only make an entry look
 * older than it is, never newer. Costs and findings are not kept: they change without a story event, and are cheap.
 */
export class BoardStories {
  private readonly entries = new Map<string, { version: number; stories: readonly Story[] }>();

  constructor(private readonly opts: { limit: number; cache?: boolean | undefined }) {}

  async of(db: Executor, projectId: string): Promise<readonly Story[]> {
    const version = await storiesRepository.boardVersion(db, projectId);
    const hit = this.entries.get(projectId);
    // Most recently used last, so the oldest entry is the first to go.
    this.entries.delete(projectId);
    if (hit && hit.version === version && this.opts.cache !== false) {
      this.entries.set(projectId, hit);
      return hit.stories;
    }
    const stories = await storiesRepository.byProject(db, projectId, this.opts.limit);
    this.entries.set(projectId, { version, stories });
    if (this.entries.size > CACHED_PROJECTS) this.entries.delete(this.entries.keys().next().value!);
    return stories;
  }
}

import type { Story } from '../../../contracts/index.js';
import type { Executor } from '../../db/handle.js';
import { VersionedCache } from '../../versioned-cache.js';
import { storiesRepository } from './stories.repository.js';

/** Projects whose stories stay in memory: a tech lead's handful of boards, open in several tabs and phones. */
const CACHED_PROJECTS = 16;

/**
 * A project's board stories, kept in memory while its board version (raised in the transaction that writes any of
 * its stories) is unchanged. Costs and findings are not kept: they change without a story event, and are cheap.
 */
export class BoardStories {
  private readonly cache: VersionedCache<readonly Story[], number>;

  constructor(private readonly opts: { limit: number; cache?: boolean | undefined }) {
    this.cache = new VersionedCache(CACHED_PROJECTS, opts.cache !== false);
  }

  async of(db: Executor, projectId: string): Promise<readonly Story[]> {
    const version = await storiesRepository.boardVersion(db, projectId);
    return this.cache.get(projectId, version, () => storiesRepository.byProject(db, projectId, this.opts.limit));
  }
}

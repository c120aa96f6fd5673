import type { Executor } from '../../db/handle.js';
import { VersionedCache } from '../../versioned-cache.js';
import { storiesRepository, type StoryLabel } from './stories.repository.js';

/** Up to this many stories are held in memory (about 200 bytes each); past it, every breakdown looks its ids up. */
const MAX_HELD = 50_000;

/**
 * Every story's title, project and epic, kept while the sum of the board versions (raised in the transaction that
 * upserts any story) is unchanged. A cost breakdown by story or epic names thousands of stories per request: looking
 * them up by id was half of its time.
 */
export class StoryLabels {
  private readonly cache: VersionedCache<Map<string, StoryLabel> | null, number>;

  constructor(opts: { cache?: boolean | undefined } = {}) {
    this.cache = new VersionedCache(1, opts.cache !== false);
  }

  async of(db: Executor, ids: readonly string[]): Promise<Map<string, StoryLabel>> {
    const version = await storiesRepository.storiesVersion(db);
    const all = await this.cache.get('all', version, () => storiesRepository.labels(db, MAX_HELD));
    if (all === null) return storiesRepository.labelsByIds(db, ids);
    const out = new Map<string, StoryLabel>();
    for (const id of ids) {
      const label = all.get(id);
      if (label) out.set(id, label);
    }
    return out;
  }
}

import type { Status } from '../../../contracts/index.js';
import type { BmadProjectConnector } from './bmad-connector.js';
import { ids } from './to-events.js';

/** What moving a card needs from whoever owns the story's source files. */
export interface StoryWriteBack {
  /** Whether this story lives in files we write (a connected BMAD project). */
  owns(storyId: string): boolean;
  /**
   * Writes the new status into the project's files and re-reads them, so the change enters as the connector's own
   * event (once: the watcher then finds nothing new). Resolves with a refusal when BMAD has no such status.
   */
  move(storyId: string, to: Status, actorId?: string): Promise<{ ok: true } | { ok: false; reason: string }>;
}

export type WriteStatus = (connector: BmadProjectConnector, storyKey: string, to: Status) => Promise<{ ok: true } | { ok: false; reason: string }>;

/** The connected BMAD projects of this server, by project key. */
export class BmadConnectors implements StoryWriteBack {
  private readonly byKey = new Map<string, BmadProjectConnector>();

  constructor(private readonly write: WriteStatus) {}

  add(connector: BmadProjectConnector): void {
    const key = connector.snapshot?.projectKey;
    if (key) this.byKey.set(key, connector);
  }

  get all(): BmadProjectConnector[] {
    return [...this.byKey.values()];
  }

  private locate(storyId: string): { connector: BmadProjectConnector; storyKey: string } | undefined {
    for (const [pk, connector] of this.byKey) {
      if (!storyId.startsWith(ids.project(pk))) continue;
      // Long keys end in a hash in their id: find the story whose id it is.
      const story = connector.snapshot?.stories.find((s) => ids.story(pk, s.key) === storyId);
      if (story) return { connector, storyKey: story.key };
    }
    return undefined;
  }

  owns(storyId: string): boolean {
    return this.locate(storyId) !== undefined;
  }

  async move(storyId: string, to: Status, actorId?: string): Promise<{ ok: true } | { ok: false; reason: string }> {
    const found = this.locate(storyId);
    if (!found) return { ok: false, reason: 'the story is not part of a connected BMAD project' };
    // The change the connector will see in the files is this person's, made in the dashboard.
    if (actorId) found.connector.markDashboardChange(found.storyKey, actorId);
    const result = await this.write(found.connector, found.storyKey, to);
    if (result.ok) await found.connector.sync();
    return result;
  }

  async stop(): Promise<void> {
    await Promise.all(this.all.map((c) => c.stop()));
  }
}

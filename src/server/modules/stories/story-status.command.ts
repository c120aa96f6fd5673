import { isTransitionAllowed, STATUS_MODEL, type Story, type StoryStatusChange } from '../../../contracts/index.js';
import type { Clock } from '../../clock.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { HttpError, notFound, validationFailed } from '../../http/errors.js';
import type { AuthService } from '../auth/index.js';
import type { IngestionService } from '../events/index.js';
import { UiCommand, type UiActor, type UiAudit } from '../events/index.js';
import type { StoryWriteBack } from '../../connector/bmad/bmad-connectors.js';
import { storiesRepository } from './stories.repository.js';

/**
 * A person moves a story. The change is checked against the status model and the status the person saw, then
 * enters like every other change: as a story.status_changed event through ingestion, so the board, the story list
 * and every connected browser see it, and it is audited.
 */
export class ChangeStoryStatus {
  private readonly ui: UiCommand;

  constructor(
    private readonly db: DatabaseHandle,
    ingestion: IngestionService,
    auth: AuthService,
    clock: Clock,
    private readonly editable: () => boolean,
    /** Stories that live in files (a connected BMAD project) are moved by writing the files, not by a UI event. */
    private readonly writeBack?: StoryWriteBack,
  ) {
    this.ui = new UiCommand(ingestion, auth, clock);
  }

  async run(storyId: string, change: StoryStatusChange, actor: UiActor): Promise<Story> {
    if (!this.editable()) {
      throw new HttpError(403, 'kanban_read_only', 'the Kanban is read-only on this server (set BMAD_OPS_KANBAN_EDITABLE=1 to allow moves)');
    }
    const story = await storiesRepository.findById(this.db.read, storyId);
    if (!story) throw notFound('story', storyId);
    const current = story.status;
    if (change.from !== undefined && change.from !== current) {
      throw new HttpError(409, 'status_changed', `the story is now ${current ?? 'unknown'}, not ${change.from}: reload and try again`);
    }
    if (current === null || current === change.to || !isTransitionAllowed('story', current, change.to)) {
      const allowed = current ? (STATUS_MODEL.story.transitions[current] ?? []).join(', ') : 'none (status unknown)';
      throw validationFailed([
        { path: 'to', message: `${current ?? 'unknown'} -> ${change.to} is not an allowed story transition (allowed: ${allowed || 'none'})` },
      ]);
    }
    if (this.writeBack?.owns(storyId)) {
      const moved = await this.writeBack.move(storyId, change.to, actor.userId || undefined);
      if (!moved.ok) throw validationFailed([{ path: 'to', message: moved.reason }]);
      await this.ui.audit(actor, auditOf(storyId, current, change, { writtenTo: 'bmad-files' }));
      return (await storiesRepository.findById(this.db.read, storyId))!;
    }
    const event = {
      type: 'story.status_changed',
      entity: { type: 'story', id: storyId },
      ...(story.projectId ? { projectId: story.projectId } : {}),
      payload: { from: current, to: change.to, actorId: actor.userId, seenIn: 'dashboard', ...(change.reason ? { reason: change.reason } : {}) },
    };
    await this.ui.record(event, actor, auditOf(storyId, current, change, {}));
    return (await storiesRepository.findById(this.db.read, storyId))!;
  }
}

function auditOf(storyId: string, from: string, change: StoryStatusChange, extra: Record<string, unknown>): UiAudit {
  return {
    action: 'story.status_change',
    targetType: 'story',
    targetId: storyId,
    details: { from, to: change.to, ...extra, ...(change.reason ? { reason: change.reason } : {}) },
  };
}

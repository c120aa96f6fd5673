import { v7 as uuidv7 } from 'uuid';
import type { Clock } from '../../clock.js';
import type { AuditEntry } from '../audit/index.js';
import type { AuthService } from '../auth/index.js';
import type { IngestionService } from './ingestion.service.js';

/** The source of changes people make in the dashboard, so they are told apart from connector events. */
export const UI_SOURCE = 'bmad-ops-ui';

/**
 * The id of an event a person made in the dashboard: a UUIDv7 (RFC 9562). Its text sorts by creation time, and the
 * `uuid` package keeps a counter for ids made in the same millisecond (or after the system clock stepped back), so
 * within a process each id sorts after the one before it; the random tail keeps ids unique across processes.
 *
 * That is what "newest wins" needs (contracts/version-order.ts): two actions stamped with the same occurredAt are
 * told apart by source + id, and every UI event has the same source, so the one made later wins.
 */
export function newUiEventId(): string {
  return uuidv7();
}

/** Who did it: the signed-in person and where the request came from. */
export interface UiActor {
  userId: string;
  ip: string | null;
}

/** What the audit log records of an action, besides who did it, when, and that it succeeded. */
export interface UiAudit {
  action: string;
  targetType: string;
  targetId: string;
  details: Record<string, unknown>;
}

/** A change a person makes in the dashboard, as the event that carries it. */
export interface UiEvent {
  type: string;
  entity: { type: string; id: string };
  projectId?: string;
  payload: Record<string, unknown>;
}

/**
 * Records what people do in the dashboard the one way: the change enters as an event under UI_SOURCE through
 * ingestion (so it is in the log, projected, and heard live like every other change), then it is audited with who
 * made it and the id the event got in the log.
 */
export class UiCommand {
  constructor(
    private readonly ingestion: IngestionService,
    private readonly auth: AuthService,
    private readonly clock: Clock,
  ) {}

  /** Appends the event, then audits the action with `eventId` added to its details; returns that id. */
  async record(event: UiEvent, actor: UiActor, audit: UiAudit): Promise<number> {
    const eventId = await this.append(event);
    await this.audit(actor, { ...audit, details: { ...audit.details, eventId } });
    return eventId;
  }

  /** Appends the event under UI_SOURCE, stamped now; returns its id in the log. Throws when ingestion refuses it. */
  async append(event: UiEvent): Promise<number> {
    const { projectId, ...rest } = event;
    const result = await this.ingestion.ingest([
      { id: newUiEventId(), source: UI_SOURCE, occurredAt: this.clock.now().toISOString(), ...rest, ...(projectId ? { projectId } : {}) },
    ]);
    const outcome = result.results[0];
    if (outcome?.status !== 'accepted') throw new Error(`${event.type} was not accepted: ${JSON.stringify(outcome)}`);
    return outcome.eventId;
  }

  /** Audits a successful action of a person (for actions that are not events, or whose event was appended apart). */
  audit(actor: UiActor, audit: UiAudit): Promise<void> {
    const entry: Omit<AuditEntry, 'occurredAt'> = { actorType: 'user', actorId: actor.userId, outcome: 'success', ip: actor.ip, ...audit };
    return this.auth.audit(entry);
  }
}

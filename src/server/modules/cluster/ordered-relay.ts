import type { DatabaseHandle } from '../../db/handle.js';
import type { Logger } from '../../observability/logger.js';
import { eventsRepository, type CommitSink, type EventPublisher, type StoredEvent } from '../events/index.js';

const PAGE = 1_000;

/**
 * This instance's fan-out when several instances write to one database. Commits reach it from two sides: this
 * instance's writer (with the events in hand) and the bus (a position another instance committed). It hands events to
 * the local publisher strictly in sequence order, each once: events in hand that continue the sequence go straight
 * through; anything else is read from the database up to the position. Event ids are handed out and committed in
 * one order (the writers' advisory lock), so every id up to a committed position can be read when it is announced.
 */
export class OrderedRelay implements CommitSink {
  private head = 0;
  private queue: Promise<void> = Promise.resolve();
  private announce: ((through: number) => void) | undefined;

  constructor(
    private readonly db: DatabaseHandle,
    private readonly publisher: EventPublisher,
    private readonly logger: Logger,
  ) {}

  /** Where delivery starts: the log's head now (older events reach a client by replay, as on one instance). */
  async init(): Promise<void> {
    this.head = await eventsRepository.headEventId(this.db.read);
  }

  /** Called with every position this instance commits (the bus publishes it to the others). */
  onLocalCommit(announce: (through: number) => void): void {
    this.announce = announce;
  }

  get deliveredThrough(): number {
    return this.head;
  }

  /** The writer's committed events. */
  publish(events: readonly StoredEvent[]): void {
    if (events.length === 0) return;
    const through = Math.max(...events.map((e) => e.eventId));
    this.announce?.(through);
    this.enqueue(async () => {
      if (this.continues(events)) {
        this.publisher.publish(events);
        this.head = through;
      } else await this.fill(through);
    });
  }

  /** A position committed somewhere (the bus, or the periodic check of the log's head). */
  advanceTo(through: number): Promise<void> {
    return this.enqueue(() => this.fill(through));
  }

  /** Waits for everything queued so far. */
  settled(): Promise<void> {
    return this.queue;
  }

  private continues(events: readonly StoredEvent[]): boolean {
    return events.every((e, i) => e.eventId === this.head + 1 + i);
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    this.queue = this.queue
      .then(work)
      .catch((err: unknown) => this.logger.error({ err }, 'relay could not deliver committed events; the next position retries'));
    return this.queue;
  }

  private async fill(through: number): Promise<void> {
    while (this.head < through) {
      const page = (await eventsRepository.listAfter(this.db.read, this.head, PAGE)).filter((e) => e.eventId <= through);
      // Nothing left up to the position: pruned by retention (or a position from before a restore).
      if (page.length === 0) {
        this.head = through;
        return;
      }
      this.publisher.publish(page);
      this.head = page[page.length - 1]!.eventId;
    }
  }
}

import { DeliverPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType, type ConsumerMessages } from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import { serverMessageSchema, topicSchema, type ServerMessage, type Topic } from '../../../contracts/index.js';
import type { Logger } from '../../observability/logger.js';

/** What goes over the bus: a position, never an event (events are read from the shared database, in order). */
const committedSchema = z.object({ epoch: z.string().min(1).max(64), through: z.number().int().nonnegative() });
export type Committed = z.infer<typeof committedSchema>;

/** A push that is not an event (an analytics rollup, a status sample): sent to every instance's browsers as it is. */
const pushSchema = z.object({ from: z.string().max(100), topic: topicSchema, message: serverMessageSchema });
type Push = z.infer<typeof pushSchema>;

/** A message's JSON body, or null when it has none (then the schema check reports it like any foreign message). */
function jsonOf(m: { json(): unknown }): unknown {
  try {
    return m.json();
  } catch {
    return null;
  }
}

export interface BusOptions {
  url: string;
  /** The JetStream stream; its subjects are `<stream>.committed`. */
  stream: string;
  /** Who this instance is, in the connection's name (nats-server lists it). */
  instanceId: string;
}

/**
 * NATS JetStream between instances. Each commit's position is published to one stream (JetStream deduplicates a
 * repeated position by its message id, so the outbox may publish one again after a crash); every instance reads the
 * stream from the moment it connects, in order, with an ordered consumer that recreates itself after a reconnect.
 */
export class NatsBus {
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly opts: BusOptions,
    private readonly logger: Logger,
  ) {}

  static async connect(opts: BusOptions, logger: Logger): Promise<NatsBus> {
    const nc = await connect({ servers: opts.url, name: `bmad-ops ${opts.instanceId}`, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    const jsm = await jetstreamManager(nc);
    const config = {
      name: opts.stream,
      subjects: [`${opts.stream}.committed`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      // Positions are notifications; a late instance catches up from the database, not from here.
      max_age: nanos(60 * 60_000),
      max_msgs: 1_000_000,
      duplicate_window: nanos(2 * 60_000),
    };
    try {
      await jsm.streams.info(opts.stream);
      await jsm.streams.update(opts.stream, config);
    } catch {
      await jsm.streams.add(config);
    }
    return new NatsBus(nc, opts, logger);
  }

  private get subject(): string {
    return `${this.opts.stream}.committed`;
  }

  async publish(c: Committed): Promise<void> {
    await jetstream(this.nc).publish(this.subject, JSON.stringify(c), { msgID: `${c.epoch}:${c.through}` });
  }

  /** Calls `on` for every position published from now on, in stream order, until close(). */
  async subscribe(on: (c: Committed) => void): Promise<void> {
    const consumer = await jetstream(this.nc).consumers.get(this.opts.stream, { filter_subjects: this.subject, deliver_policy: DeliverPolicy.New });
    this.messages = await consumer.consume();
    const messages = this.messages;
    this.loop = (async () => {
      for await (const m of messages) {
        const parsed = committedSchema.safeParse(jsonOf(m));
        if (parsed.success) on(parsed.data);
        else this.logger.warn({ subject: m.subject }, 'a message on the bus that is not a committed position: ignored');
      }
    })().catch((err: unknown) => this.logger.error({ err }, 'bus consumer stopped'));
  }

  private get pushSubject(): string {
    return `${this.opts.stream}.push`;
  }

  /** Plain NATS, not JetStream: a push missed by an instance that was down is not worth replaying (the next read has it). */
  push(topic: Topic, message: ServerMessage): void {
    const p: Push = { from: this.opts.instanceId, topic, message };
    this.nc.publish(this.pushSubject, JSON.stringify(p));
  }

  /** Pushes from the other instances. */
  onPush(on: (topic: Topic, message: ServerMessage) => void): void {
    this.nc.subscribe(this.pushSubject, {
      callback: (err, m) => {
        if (err) return;
        const parsed = pushSchema.safeParse(jsonOf(m));
        if (!parsed.success) this.logger.warn({ subject: m.subject }, 'a push on the bus that is not a server message: ignored');
        else if (parsed.data.from !== this.opts.instanceId) on(parsed.data.topic, parsed.data.message);
      },
    });
  }

  get connected(): boolean {
    return !this.nc.isClosed();
  }

  async close(): Promise<void> {
    await this.messages?.close();
    await this.loop;
    await this.nc.drain().catch(() => undefined);
  }
}

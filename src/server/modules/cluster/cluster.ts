import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { DatabaseHandle } from '../../db/handle.js';
import type { Logger } from '../../observability/logger.js';
import { eventsRepository } from '../events/index.js';
import { LeaseManager, type LeasedJob } from './lease-manager.js';
import { NatsBus } from './nats-bus.js';
import type { OrderedRelay } from './ordered-relay.js';

/** How often every instance compares its delivered position with the log's head: the net under a lost bus message. */
const HEAD_CHECK_MS = 2_000;
/** How often the outbox's holder announces a head the committing instance may not have announced (it crashed). */
const OUTBOX_MS = 250;

export interface Cluster {
  instanceId: string;
  /** Runs the jobs that must run once, on one instance at a time (null on SQLite: one process runs everything). */
  leases: LeaseManager | null;
  bus: NatsBus | null;
  close(): Promise<void>;
}

export function newInstanceId(): string {
  return `${os.hostname().slice(0, 40)}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/**
 * Joins the instances sharing this database. On SQLite there is nothing to join. On Postgres, jobs run under
 * leases; with NATS, committed positions are announced on the bus and every instance's relay delivers the events
 * behind them to its own WebSocket clients.
 */
export async function startCluster(d: {
  config: Config;
  db: DatabaseHandle;
  relay: OrderedRelay | null;
  epoch: string;
  clock: Clock;
  logger: Logger;
  instanceId: string;
}): Promise<Cluster> {
  const { config, db, relay, epoch, logger, instanceId } = d;
  if (db.dialect === 'sqlite') return { instanceId, leases: null, bus: null, close: async () => undefined };
  const leases = new LeaseManager(db, instanceId, d.clock, logger);
  let bus: NatsBus | null = null;
  const timers: NodeJS.Timeout[] = [];
  if (relay && config.nats.url) {
    bus = await NatsBus.connect({ url: config.nats.url, stream: config.nats.stream, instanceId }, logger);
    const b = bus;
    relay.onLocalCommit(
      (through) => void b.publish({ epoch, through }).catch((err: unknown) => logger.warn({ err }, 'bus publish failed; the outbox repeats it')),
    );
    await bus.subscribe((c) => {
      if (c.epoch === epoch) void relay.advanceTo(c.through);
    });
    const checkHead = async () => relay.advanceTo(await eventsRepository.headEventId(db.read));
    await checkHead();
    const t = setInterval(() => void checkHead().catch((err: unknown) => logger.warn({ err }, 'head check failed')), HEAD_CHECK_MS);
    t.unref();
    timers.push(t);
    await leases.add(outboxJob(db, b, epoch, logger));
  }
  return {
    instanceId,
    leases,
    bus,
    async close() {
      for (const t of timers) clearInterval(t);
      await leases.close();
      await bus?.close();
    },
  };
}

/**
 * The log is the outbox: its holder announces the head whenever it moved past what it last announced. A commit whose
 * instance died before announcing it reaches the other instances this way; announcing a position twice is harmless
 * (JetStream drops the repeat, and a relay already past it does nothing).
 */
function outboxJob(db: DatabaseHandle, bus: NatsBus, epoch: string, logger: Logger): LeasedJob {
  let timer: NodeJS.Timeout | undefined;
  let announced = -1;
  const tick = async () => {
    const head = await eventsRepository.headEventId(db.read);
    if (head <= announced) return;
    await bus.publish({ epoch, through: head });
    announced = head;
  };
  return {
    name: 'outbox',
    start() {
      announced = -1;
      timer = setInterval(() => void tick().catch((err: unknown) => logger.warn({ err }, 'outbox announce failed')), OUTBOX_MS);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
    },
  };
}

import type { Executor } from '../../db/handle.js';

export type SessionOp =
  | { kind: 'open'; id: string; userId: string | null; at: string }
  | { kind: 'touch'; id: string; at: string; lastAckEventId: number | null }
  | { kind: 'close'; id: string; state: string; at: string };

export const clientSessionsRepository = {
  /** Applies queued session changes in order (call inside one transaction). */
  async apply(db: Executor, ops: readonly SessionOp[]): Promise<void> {
    for (const op of ops) {
      if (op.kind === 'open') await clientSessionsRepository.open(db, { id: op.id, userId: op.userId, now: op.at });
      else if (op.kind === 'touch') await clientSessionsRepository.touch(db, [{ id: op.id, lastHeartbeatAt: op.at, lastAckEventId: op.lastAckEventId }]);
      else await clientSessionsRepository.close(db, op.id, op.state, op.at);
    }
  },

  async open(db: Executor, s: { id: string; userId: string | null; now: string }): Promise<void> {
    await db
      .insertInto('client_sessions')
      .values({
        id: s.id,
        user_id: s.userId,
        connected_at_utc: s.now,
        last_heartbeat_at_utc: s.now,
        connection_state: 'open',
        last_ack_event_id: null,
        closed_at_utc: null,
      })
      .execute();
  },

  /** Applies many heartbeat/ack updates in one statement batch (the gateway flushes them periodically). */
  async touch(db: Executor, updates: readonly { id: string; lastHeartbeatAt: string; lastAckEventId: number | null }[]): Promise<void> {
    for (const u of updates) {
      await db
        .updateTable('client_sessions')
        .set((eb) => ({
          last_heartbeat_at_utc: u.lastHeartbeatAt,
          last_ack_event_id: u.lastAckEventId === null ? eb.ref('last_ack_event_id') : u.lastAckEventId,
        }))
        .where('id', '=', u.id)
        .execute();
    }
  },

  async close(db: Executor, id: string, state: string, now: string): Promise<void> {
    await db.updateTable('client_sessions').set({ connection_state: state, closed_at_utc: now }).where('id', '=', id).execute();
  },

  /** Marks sessions a previous process left open as closed (it died without closing them). */
  async closeOrphans(db: Executor, now: string): Promise<number> {
    const r = await db
      .updateTable('client_sessions')
      .set({ connection_state: 'lost', closed_at_utc: now })
      .where('closed_at_utc', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  },

  async pruneClosedBefore(db: Executor, before: string): Promise<number> {
    const r = await db.deleteFrom('client_sessions').where('closed_at_utc', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  },

  async find(db: Executor, id: string) {
    return db.selectFrom('client_sessions').selectAll().where('id', '=', id).executeTakeFirst();
  },
};

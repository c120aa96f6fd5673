import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import { TOPIC_OF_EVENT, type ServerMessage } from '../../../contracts/index.js';
import type { StoredEvent } from '../events/index.js';
import type { Connection } from './connection.js';
import type { ConnectionFrames } from './round-frames.js';

/** Sent, not yet acknowledged event ids kept per connection for the commit-to-ack latency. */
const MAX_UNACKED = 10_000;
/** A single burst may queue up to this many times the sustained cap before the client is cut off. */
const BURST_FACTOR = 4;
/** How long a replaying client may take to read one page before it is considered stuck. */
const DRAIN_TIMEOUT_MS = 10_000;

/**
 * Outbound frames and backpressure: what a connection may have queued in server memory is bounded by the send-buffer
 * cap; a client that stops reading is handed to `cutOff` instead of being queued for.
 */
export class SendQueue {
  /** Serialised once per event and reused for every connection; only prevEventId differs. */
  private readonly eventBodies = new WeakMap<StoredEvent, string>();

  constructor(
    private readonly capBytes: number,
    private readonly epoch: () => string,
    private readonly cutOff: (conn: Connection) => void,
  ) {}

  /** Data still unsent from earlier rounds beyond the sustained cap: the client is not reading. */
  overCap(conn: Connection): boolean {
    return conn.ws.bufferedAmount > this.capBytes;
  }

  sendEvent(conn: Connection, e: StoredEvent): void {
    if (e.eventId <= conn.position) return;
    const prev = conn.position;
    this.advance(conn, e.eventId);
    this.sendText(conn, this.frameText(e, prev));
  }

  /** An event's message as the client gets it after `prevEventId`: the part after the ids is serialized once. */
  frameText(e: StoredEvent, prevEventId: number): string {
    let body = this.eventBodies.get(e);
    if (body === undefined) {
      body = JSON.stringify({
        epoch: this.epoch(),
        eventType: e.type,
        module: TOPIC_OF_EVENT[e.type],
        entityType: e.entityType,
        entityId: e.entityId,
        occurredAt: e.occurredAt,
        source: e.source,
        sourceEventId: e.sourceEventId,
        payload: e.payload,
        lineageRef: `event:${e.eventId}`,
      }).slice(1);
      this.eventBodies.set(e, body);
    }
    return `{"type":"event","eventId":${e.eventId},"prevEventId":${prevEventId},${body}`;
  }

  /**
   * A commit round's frames for this connection (RoundFrames), in one socket write. Returns how many events it sent.
   * The socket is ws's own: with permessage-deflate off, ws writes every frame straight to it and never queues one, so
   * frames written here keep their order with the ones ws writes. Without a socket or with an extension, each event
   * goes through ws.send as before.
   */
  sendFrames(conn: Connection, frames: ConnectionFrames, events: readonly StoredEvent[]): number {
    const ws = conn.ws;
    if (ws.readyState !== WebSocket.OPEN) return 0;
    const socket = (ws as unknown as { _socket?: Socket })._socket;
    // A negotiated extension (compression) would have ws queue frames: then ours could overtake them.
    if (!socket || ws.extensions !== '') {
      const ids = new Set(frames.eventIds);
      for (const e of events) if (ids.has(e.eventId)) this.sendEvent(conn, e);
      return frames.eventIds.length;
    }
    // The burst bound of sendText, checked before the round: what one connection holds is at most that plus one round,
    // whose bytes are not its own copy but shared by every connection of its group.
    if (ws.bufferedAmount > BURST_FACTOR * this.capBytes) {
      this.cutOff(conn);
      return 0;
    }
    socket.write(frames.bytes);
    for (const id of frames.eventIds) this.advance(conn, id);
    return frames.eventIds.length;
  }

  private advance(conn: Connection, eventId: number): void {
    conn.position = eventId;
    if (conn.unacked.length >= MAX_UNACKED) conn.unacked.shift();
    conn.unacked.push(eventId);
  }

  sendMessage(conn: Connection, msg: ServerMessage): void {
    this.sendText(conn, JSON.stringify(msg));
  }

  /**
   * Queues a frame. One burst (a commit round, a replay page, a snapshot) may go past the sustained cap, but never past
   * BURST_FACTOR times it: that bounds what one connection can hold in server memory.
   */
  sendText(conn: Connection, text: string): void {
    const ws = conn.ws;
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > BURST_FACTOR * this.capBytes) return this.cutOff(conn);
    ws.send(text);
  }

  /** Waits until the client has read what was queued (between replay pages), or cuts it off if it does not. */
  async drained(conn: Connection): Promise<void> {
    const deadline = performance.now() + DRAIN_TIMEOUT_MS;
    while (conn.phase === 'ready' && conn.ws.bufferedAmount > this.capBytes / 2) {
      if (performance.now() > deadline) return this.cutOff(conn);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

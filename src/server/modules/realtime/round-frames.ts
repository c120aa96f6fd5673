import { TOPIC_OF_EVENT, type EventType, type Topic } from '../../../contracts/index.js';
import type { StoredEvent } from '../events/index.js';
import type { Connection } from './connection.js';

/** What one connection gets of a commit round: the wire bytes of its frames, their event ids, and where it ends up. */
export interface ConnectionFrames {
  bytes: Buffer;
  eventIds: number[];
  position: number;
}

/** RFC 6455 header of a final, unmasked text frame (a server never masks). */
function textFrameHeader(length: number): Buffer {
  if (length < 126) return Buffer.from([0x81, length]);
  if (length < 65_536) {
    const h = Buffer.allocUnsafe(4);
    h[0] = 0x81;
    h[1] = 126;
    h.writeUInt16BE(length, 2);
    return h;
  }
  const h = Buffer.allocUnsafe(10);
  h[0] = 0x81;
  h[1] = 127;
  h.writeUInt32BE(0, 2);
  h.writeUInt32BE(length, 6);
  return h;
}

/**
 * A commit round's event frames, built once for all the connections that get the same ones. Two connections at the
 * same position subscribed to the same of the round's topics get byte-identical frames (prevEventId chains from the
 * position through the events they get), and almost every live connection is one of a handful of such groups. So 500
 * dashboards cost one frame build and 500 socket writes per round instead of 500 × events sends, each encoding,
 * framing and writing its text again: that per-frame work was most of the fan-out's time (issue 17).
 */
export class RoundFrames {
  private readonly topics: Topic[];
  private readonly groups = new Map<string, ConnectionFrames | null>();

  constructor(
    private readonly events: readonly StoredEvent[],
    private readonly frameText: (e: StoredEvent, prevEventId: number) => string,
  ) {
    this.topics = [...new Set(events.map((e) => TOPIC_OF_EVENT[e.type as EventType]))];
  }

  /** The frames this connection gets of the round, or null when it gets none. */
  for(conn: Connection): ConnectionFrames | null {
    let mask = 0;
    this.topics.forEach((t, i) => {
      if (conn.topics.has(t)) mask |= 1 << i;
    });
    const key = `${conn.position}:${mask}`;
    let frames = this.groups.get(key);
    if (frames === undefined) {
      frames = this.build(conn.position, mask);
      this.groups.set(key, frames);
    }
    return frames;
  }

  private build(from: number, mask: number): ConnectionFrames | null {
    const parts: Buffer[] = [];
    const eventIds: number[] = [];
    let position = from;
    for (const e of this.events) {
      if (e.eventId <= position || (mask & (1 << this.topics.indexOf(TOPIC_OF_EVENT[e.type as EventType]))) === 0) continue;
      const payload = Buffer.from(this.frameText(e, position), 'utf8');
      parts.push(textFrameHeader(payload.length), payload);
      eventIds.push(e.eventId);
      position = e.eventId;
    }
    return eventIds.length === 0 ? null : { bytes: Buffer.concat(parts), eventIds, position };
  }
}

import { CLOSE_CODES, TOPIC_OF_EVENT, type EventType } from '../../../contracts/index.js';
import { startSpan, withSpan } from '../../observability/tracing.js';
import type { StoredEvent } from '../events/index.js';
import type { Connection } from './connection.js';
import type { Fail } from './fail.js';
import { RoundFrames } from './round-frames.js';
import type { SendQueue } from './send-queue.js';

/** Live events held for one connection during a snapshot or replay before it is told to resync instead. */
const MAX_HELD_EVENTS = 10_000;
/**
 * Connections of one commit round that get a ws.send span of their own. The ws.fanout span counts them all; with
 * 2,000 sockets a span each would cost more than the sends themselves.
 */
const MAX_SEND_SPANS = 16;

export interface FanoutDeps {
  send: SendQueue;
  cutOff: (conn: Connection) => void;
  fail: Fail;
}

/** What one commit round did, for the ws.fanout span; plain integer increments when tracing is off. */
interface RoundCounts {
  traced: boolean;
  sentTo: number;
  frames: number;
  held: number;
  cutOff: number;
  sendSpans: number;
}

/** Sends one commit round of events to every ready connection subscribed to their topics, inside a ws.fanout span. */
export function fanOut(events: readonly StoredEvent[], connections: Iterable<Connection>, d: FanoutDeps): void {
  withSpan('ws.fanout', { 'bmad.events': events.length }, (fanout) => {
    const n: RoundCounts = { traced: fanout.isRecording(), sentTo: 0, frames: 0, held: 0, cutOff: 0, sendSpans: 0 };
    const round = new RoundFrames(events, (e, prev) => d.send.frameText(e, prev));
    for (const conn of connections) {
      if (conn.phase !== 'ready') continue;
      // Data still unsent from earlier rounds means the client is not reading: cut it off before queueing more.
      if (!conn.held && d.send.overCap(conn)) {
        d.cutOff(conn);
        n.cutOff++;
        continue;
      }
      if (conn.held) holdRound(conn, events, d, n);
      else sendRound(conn, round, events, d, n);
    }
    fanout.setAttributes({
      'bmad.ws.connections': n.sentTo,
      'bmad.ws.frames': n.frames,
      'bmad.ws.held': n.held,
      'bmad.ws.cut_off': n.cutOff,
      'bmad.ws.send_spans': n.sendSpans,
    });
  });
}

/** A live connection's share of a commit round, in one write. */
function sendRound(conn: Connection, round: RoundFrames, events: readonly StoredEvent[], d: FanoutDeps, n: RoundCounts): void {
  const frames = round.for(conn);
  if (!frames) return;
  // The span covers a connection's write: sockets this round sends nothing to get none.
  const send = n.traced && n.sendSpans < MAX_SEND_SPANS ? startSpan('ws.send', { 'bmad.ws.session': conn.id }) : undefined;
  if (send) n.sendSpans++;
  const sent = d.send.sendFrames(conn, frames, events);
  n.frames += sent;
  if (sent > 0) n.sentTo++;
  send?.setAttribute('bmad.ws.frames', sent);
  send?.end();
}

/** A connection's share of a commit round while a snapshot or replay runs: held back, to follow it. */
function holdRound(conn: Connection, events: readonly StoredEvent[], d: FanoutDeps, n: RoundCounts): void {
  const held = conn.held!;
  const before = n.held;
  for (const e of events) {
    if (!conn.topics.has(TOPIC_OF_EVENT[e.type as EventType])) continue;
    if (held.length >= MAX_HELD_EVENTS) {
      d.fail(conn, 'resync_needed', 'too many events arrived while preparing your data', CLOSE_CODES.resyncNeeded);
      break;
    }
    held.push(e);
    n.held++;
  }
  if (n.held > before) n.sentTo++;
}

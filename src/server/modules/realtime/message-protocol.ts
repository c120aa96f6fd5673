import type { RawData } from 'ws';
import { CLIENT_MESSAGE_TYPES, CLOSE_CODES, clientMessageSchema, issuesToFieldErrors, type ClientMessage } from '../../../contracts/index.js';
import type { Connection } from './connection.js';
import type { Fail } from './fail.js';

const MAX_PROTOCOL_ERRORS = 20;
const MAX_MESSAGES_PER_SECOND = 500;

/**
 * Reads one inbound frame: rate limit, JSON, schema, and "the first message must be auth". Returns the message, or
 * undefined after answering the client with the protocol error (closing it when the error is not recoverable).
 */
export function readClientMessage(conn: Connection, data: RawData, isBinary: boolean, fail: Fail): ClientMessage | undefined {
  const now = performance.now();
  conn.lastSeenAt = now;
  if (now - conn.windowStart > 1000) {
    conn.windowStart = now;
    conn.windowCount = 0;
  }
  if (++conn.windowCount > MAX_MESSAGES_PER_SECOND)
    return void fail(conn, 'rate_limited', `more than ${MAX_MESSAGES_PER_SECOND} messages per second`, CLOSE_CODES.protocolError);
  if (isBinary) return void protocolError(conn, 'binary_frame', 'only JSON text frames are accepted', fail);
  let raw: unknown;
  try {
    raw = JSON.parse(data.toString());
  } catch {
    return void protocolError(conn, 'bad_json', 'the frame is not valid JSON', fail);
  }
  const parsed = clientMessageSchema.safeParse(raw);
  if (!parsed.success) {
    const type = (raw as { type?: unknown } | null)?.type;
    if (typeof type !== 'string' || !(CLIENT_MESSAGE_TYPES as readonly string[]).includes(type)) {
      return void protocolError(conn, 'unknown_type', `unknown message type ${JSON.stringify(type)?.slice(0, 40) ?? 'undefined'}`, fail);
    }
    const fields = issuesToFieldErrors(parsed.error).map((f) => `${f.path}: ${f.message}`);
    return void protocolError(conn, 'invalid_message', `invalid ${type} message: ${fields.join('; ')}`, fail);
  }
  const msg = parsed.data;
  if (conn.phase === 'awaiting_auth' && msg.type !== 'auth') {
    return void fail(conn, 'unauthenticated', 'the first message must be auth', CLOSE_CODES.unauthorized);
  }
  return msg;
}

function protocolError(conn: Connection, code: string, message: string, fail: Fail): void {
  if (++conn.protocolErrors > MAX_PROTOCOL_ERRORS) return fail(conn, 'too_many_errors', 'too many protocol errors', CLOSE_CODES.protocolError);
  if (conn.phase === 'awaiting_auth') return fail(conn, code, message, CLOSE_CODES.unauthorized);
  fail(conn, code, message);
}

import crypto from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowUpserted } from '../support/events.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

/** A masked client frame with a one-byte payload: FIN clear, `opcode` 1 (text) for the first, 0 (continuation) after. */
function tinyFrame(opcode: 0 | 1): Buffer {
  const mask = crypto.randomBytes(4);
  return Buffer.concat([Buffer.from([opcode, 0x80 | 1]), mask, Buffer.from([0x61 ^ mask[0]!])]);
}

/** Opens /ws by hand (no client library would send such frames) and floods unfinished-message fragments before authenticating. */
function flood(port: number, frames: number): Promise<{ sent: number; closedBy: 'server' | 'end' }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let sent = 0;
    let upgraded = false;
    let done = false;
    const finish = (closedBy: 'server' | 'end') => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve({ sent, closedBy });
    };
    socket.on('error', () => finish('server'));
    socket.on('close', () => finish('server'));
    let inbound = Buffer.alloc(0);
    /** Reads the server's (unmasked) frames; a close frame (opcode 8) means it refused the flood. */
    const readFrames = (chunk: Buffer) => {
      inbound = Buffer.concat([inbound, chunk]);
      while (inbound.length >= 2) {
        let len = inbound[1]! & 0x7f;
        let head = 2;
        if (len === 126) {
          if (inbound.length < 4) return;
          len = inbound.readUInt16BE(2);
          head = 4;
        } else if (len === 127) {
          if (inbound.length < 10) return;
          len = Number(inbound.readBigUInt64BE(2));
          head = 10;
        }
        if (inbound.length < head + len) return;
        if ((inbound[0]! & 0x0f) === 0x8) return finish('server');
        inbound = inbound.subarray(head + len);
      }
    };
    socket.on('data', (d) => {
      if (upgraded) return readFrames(d);
      if (!d.toString('latin1').startsWith('HTTP/1.1 101')) return reject(new Error(`no upgrade: ${d.toString('latin1').slice(0, 80)}`));
      upgraded = true;
      readFrames(d.subarray(d.indexOf('\r\n\r\n') + 4));
      // A thousand frames per turn of the event loop, so the server's answer is read while the flood goes on.
      const pump = () => {
        const stop = Math.min(frames, sent + 1000);
        while (!done && sent < stop) {
          sent++;
          if (!socket.write(tinyFrame(sent === 1 ? 1 : 0))) return void socket.once('drain', () => setImmediate(pump));
        }
        if (done) return;
        if (sent < frames) setImmediate(pump);
        else setTimeout(() => finish('end'), 1000);
      };
      pump();
    });
    socket.write(
      `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
}

describe('a flood of tiny fragments before authentication', () => {
  it('is cut off after a few fragments, while another client keeps getting its events', async () => {
    const reader = await TestWsClient.authed(t.url, t.keys.read, ['workflow']);
    try {
      const heapBefore = process.memoryUsage().heapUsed;
      const results = await Promise.all([flood(t.server.port, 200_000), flood(t.server.port, 200_000), flood(t.server.port, 200_000)]);
      for (const r of results) {
        expect(r.closedBy).toBe('server');
        // The server closed the socket long before the flood ended: what it could hold is bounded by its limits.
        expect(r.sent).toBeLessThan(20_000);
      }
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
      const from = reader.messages.length;
      expect((await t.ingest([workflowUpserted('wf-after-flood')])).status).toBe(200);
      await reader.waitFor((m) => m.type === 'event' && JSON.stringify(m).includes('wf-after-flood'), 5000, from);
    } finally {
      reader.close();
    }
  });
});

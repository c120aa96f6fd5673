import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_MESSAGE_TYPES, CLOSE_CODES, TOPICS, TOPIC_OF_EVENT, clientMessageSchema, type ServerMessage, type Topic } from '../../src/contracts/index.js';
import { costRecorded, storyUpserted, workflowUpserted } from '../support/events.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { TestWsClient } from '../support/ws-client.js';
import { eventsOf, ingestAccepted, mark, roundTrip, streamViolations, type IngestedEvent } from './support.js';

/**
 * Protocol fuzzing: whatever a client sends, the gateway answers with error messages (closing only when the protocol
 * says so) and keeps serving everyone else.
 */

const maxMessageBytes = 4096;
const MAX_PROTOCOL_ERRORS = 20;
let t: TestServer;
/** The well-behaved client, connected for the whole file. */
let watcher: TestWsClient;
const watcherTopics: Topic[] = ['workflow', 'story'];
const ingested: IngestedEvent[] = [];
const open: TestWsClient[] = [];
let liveCounter = 0;

beforeAll(async () => {
  t = await startTestServer({ config: { realtime: { maxMessageBytes } } });
  ingested.push(...(await ingestAccepted(t, [workflowUpserted('wf-0'), storyUpserted('s-0', 'p-0')])));
  watcher = await TestWsClient.authed(t.url, t.keys.read, watcherTopics);
});
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});
afterAll(async () => {
  watcher.close();
  await t.close();
});

type Frame = { kind: 'text'; data: string } | { kind: 'binary'; data: Uint8Array };
type Outcome = 'valid' | 'bad_json' | 'unknown_type' | 'invalid_message' | 'binary_frame';

/** The error code the gateway owes each frame, computed from the contract schema on the text the server decodes. */
function outcomeOf(frame: Frame): Outcome {
  if (frame.kind === 'binary') return 'binary_frame';
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(frame.data).toString());
  } catch {
    return 'bad_json';
  }
  if (clientMessageSchema.safeParse(raw).success) return 'valid';
  const type = (raw as { type?: unknown } | null)?.type;
  return typeof type === 'string' && (CLIENT_MESSAGE_TYPES as readonly string[]).includes(type) ? 'invalid_message' : 'unknown_type';
}

const text = (data: string): Frame => ({ kind: 'text', data });
const json = (value: unknown): Frame => text(JSON.stringify(value));
const fits = (f: Frame) => (f.kind === 'text' ? Buffer.byteLength(f.data) : f.data.byteLength) <= maxMessageBytes;

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((n) => String.fromCharCode(n));
const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: fc.oneof(fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }), loneSurrogate), maxLength: 60 }),
);
const notInt = fc.oneof(
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.double({ noInteger: true }),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
);
const badEventId = fc.oneof(notInt, fc.integer({ max: -1 }), fc.constant(Number.MAX_SAFE_INTEGER + 2));

/** Messages of every known type, each with at least one field of the wrong type, range or shape. */
const wrongTyped = fc.oneof(
  fc.record({ type: fc.constant('auth'), token: fc.oneof(notInt, fc.constant(''), fc.string({ minLength: 513, maxLength: 600 })) }),
  fc.record({
    type: fc.constant('subscribe'),
    topics: fc.oneof(
      fc.constant([]),
      fc.string(),
      fc.integer(),
      fc.array(anyString, { minLength: 1, maxLength: 3 }),
      fc.array(fc.constantFrom(...TOPICS), { minLength: TOPICS.length + 1, maxLength: TOPICS.length + 4 }),
    ),
  }),
  fc.record({
    type: fc.constant('subscribe'),
    topics: fc.constant(['workflow']),
    resumeFrom: fc.oneof(
      notInt,
      fc.record({ lastAckEventId: badEventId, epoch: fc.string({ minLength: 1, maxLength: 10 }) }),
      fc.record({ lastAckEventId: fc.nat(), epoch: fc.constant('') }),
    ),
  }),
  fc.record({ type: fc.constant('heartbeat'), ts: fc.oneof(fc.string(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 })) }),
  fc.record({
    type: fc.constant('resync_request'),
    lastAckEventId: badEventId,
    epoch: fc.oneof(fc.constant(''), fc.integer(), fc.string({ minLength: 65, maxLength: 80 })),
  }),
  fc.record({ type: fc.constant('resync_request'), lastAckEventId: badEventId, epoch: fc.constant('epoch') }),
  fc.record({ type: fc.constant('ack'), lastEventId: badEventId }),
  fc.record({ type: fc.constant('ack') }),
  // A valid message with an extra field: the schemas are strict.
  fc.record({ type: fc.constant('heartbeat'), ts: fc.integer(), extra: fc.jsonValue({ maxDepth: 2 }) }),
  fc.record({ type: fc.constantFrom(...CLIENT_MESSAGE_TYPES).map((s) => s.toUpperCase()), token: fc.string() }),
  fc.record({ type: anyString }, { requiredKeys: [] }),
);

const frameArb: fc.Arbitrary<Frame> = fc
  .oneof(
    anyString.map(text),
    fc.jsonValue({ maxDepth: 3 }).map(json),
    wrongTyped.map(json),
    fc.uint8Array({ maxLength: 300 }).map((data): Frame => ({ kind: 'binary', data })),
  )
  .filter((f) => fits(f) && outcomeOf(f) !== 'valid');

function send(c: TestWsClient, f: Frame): void {
  if (f.kind === 'text') c.sendRaw(f.data);
  else c.sendRaw(Buffer.from(f.data));
}

const errorsOf = (messages: readonly ServerMessage[]) => messages.filter((m): m is Extract<ServerMessage, { type: 'error' }> => m.type === 'error');

async function authed(): Promise<TestWsClient> {
  const c = await TestWsClient.authed(t.url, t.keys.read);
  open.push(c);
  return c;
}

/** Meanwhile, the watcher must get this new event and an answer to its heartbeat. */
async function liveTraffic(): Promise<void> {
  const n = ++liveCounter;
  const events = [workflowUpserted(`wf-live-${n}`), costRecorded(`c-live-${n}`), storyUpserted(`s-live-${n}`, 'p-0')];
  const stored = await ingestAccepted(t, events);
  ingested.push(...stored);
  await watcher.waitFor((m) => m.type === 'event' && m.eventId === stored[2]!.eventId);
  await roundTrip(watcher);
}

async function expectHealthy(): Promise<void> {
  expect((await t.get('/api/v1/health', null)).status).toBe(200);
  expect(watcher.closed).toBeUndefined();
}

describe('fuzzed frames on an authenticated connection', () => {
  it('answers each bad frame with its error, stays open up to the protocol-error limit, then closes 4400', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(frameArb, { minLength: 1, maxLength: MAX_PROTOCOL_ERRORS }), async (frames) => {
        const c = await authed();
        const from = mark(c);
        const traffic = liveTraffic();
        for (const f of frames) send(c, f);
        await roundTrip(c);
        const answered = errorsOf(c.messages.slice(from));
        expect(answered.map((e) => e.code)).toEqual(frames.map(outcomeOf));
        expect(answered.every((e) => e.recoverable)).toBe(true);

        // Topping up to exactly the limit still leaves the connection usable...
        for (let i = frames.length; i < MAX_PROTOCOL_ERRORS; i++) c.sendRaw('not json');
        await roundTrip(c);
        expect(errorsOf(c.messages.slice(from))).toHaveLength(MAX_PROTOCOL_ERRORS);
        expect(c.closed).toBeUndefined();
        // ...and one more violation ends it.
        c.sendRaw('not json');
        expect((await c.waitForClose()).code).toBe(CLOSE_CODES.protocolError);
        expect(errorsOf(c.messages.slice(from)).at(-1)).toMatchObject({ code: 'too_many_errors', recoverable: false });
        expect(c.invalid).toEqual([]);
        c.close();
        await traffic;
      }),
      { numRuns: 25 },
    );
    await expectHealthy();
  });

  it('keeps a fuzzed connection subscribed and live between errors', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(frameArb, { minLength: 1, maxLength: 10 }), async (frames) => {
        const c = await authed();
        const from = mark(c);
        c.send({ type: 'subscribe', topics: ['story'] });
        for (const f of frames) send(c, f);
        await c.waitFor((m) => m.type === 'resync_complete', 5000, from);
        const stored = await ingestAccepted(t, [storyUpserted(`s-fz-${++liveCounter}`, 'p-0')]);
        ingested.push(...stored);
        await c.waitFor((m) => m.type === 'event' && m.eventId === stored[0]!.eventId, 5000, from);
        await roundTrip(c);
        expect(errorsOf(c.messages.slice(from)).map((e) => e.code)).toEqual(frames.map(outcomeOf));
        expect(streamViolations(c.messages)).toEqual([]);
        expect(c.closed).toBeUndefined();
        c.close();
      }),
      { numRuns: 10 },
    );
    await expectHealthy();
  });
});

describe('fuzzed first frames', () => {
  it('answers any frame but a good auth with an error and 4401', async () => {
    const firstFrame = fc.oneof(
      frameArb,
      fc.record({ type: fc.constant('auth'), token: fc.string({ minLength: 1, maxLength: 80 }) }).map(json),
      wrongTyped.map(json),
    );
    await fc.assert(
      fc.asyncProperty(firstFrame.filter(fits), async (frame) => {
        const c = await TestWsClient.connect(t.url);
        open.push(c);
        send(c, frame);
        expect((await c.waitForClose()).code).toBe(CLOSE_CODES.unauthorized);
        const outcome = outcomeOf(frame);
        const expected = outcome !== 'valid' ? outcome : JSON.parse(frame.data as string).type === 'auth' ? 'invalid_token' : 'unauthenticated';
        expect(errorsOf(c.messages)).toEqual([expect.objectContaining({ code: expected, recoverable: false })]);
        expect(c.messages.some((m) => m.type === 'welcome')).toBe(false);
      }),
      { numRuns: 25 },
    );
    await expectHealthy();
  });
});

describe('oversized and malformed frames', () => {
  it('accepts a frame of exactly maxMessageBytes', async () => {
    const c = await authed();
    const from = mark(c);
    c.sendRaw('x'.repeat(maxMessageBytes));
    await roundTrip(c);
    expect(errorsOf(c.messages.slice(from))).toEqual([expect.objectContaining({ code: 'bad_json', recoverable: true })]);
    expect(c.closed).toBeUndefined();
  });

  it('closes any frame over maxMessageBytes with 1009, before or after auth', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: maxMessageBytes + 1, max: maxMessageBytes * 8 }),
        fc.boolean(),
        fc.constantFrom('json', 'text', 'binary'),
        async (size, authenticate, shape) => {
          const c = authenticate ? await authed() : await TestWsClient.connect(t.url);
          if (!authenticate) open.push(c);
          const token = JSON.stringify({ type: 'auth', token: '' });
          const payload =
            shape === 'json'
              ? `${token.slice(0, -2)}${'a'.repeat(size - token.length)}"}`
              : shape === 'text'
                ? 'é'.repeat(Math.ceil(size / 2))
                : Buffer.alloc(size, 7);
          expect(Buffer.byteLength(payload)).toBeGreaterThan(maxMessageBytes);
          c.sendRaw(payload);
          expect((await c.waitForClose()).code).toBe(CLOSE_CODES.tooBig);
          expect(c.messages.some((m) => m.type === 'welcome')).toBe(authenticate);
        },
      ),
      { numRuns: 12 },
    );
    await liveTraffic();
    await expectHealthy();
  });

  it('closes a text frame that is not UTF-8 with 1007 and carries on', async () => {
    const c = await authed();
    c.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect((await c.waitForClose()).code).toBe(1007);
    await liveTraffic();
    await expectHealthy();
  });

  it('survives many clients misbehaving at once', async () => {
    const clients = await Promise.all(Array.from({ length: 10 }, () => authed()));
    const samples = fc.sample(frameArb, { numRuns: MAX_PROTOCOL_ERRORS + 1, seed: 42 });
    for (const f of samples) for (const c of clients) send(c, f);
    const traffic = liveTraffic();
    const closes = await Promise.all(clients.map((c) => c.waitForClose()));
    expect(closes.map((x) => x.code)).toEqual(clients.map(() => CLOSE_CODES.protocolError));
    await traffic;
    await expectHealthy();
  });
});

describe('the well-behaved client', () => {
  it('received every live event of its topics, in order, with an unbroken chain', async () => {
    await liveTraffic();
    const expected = ingested.filter((e) => watcherTopics.includes(TOPIC_OF_EVENT[e.type]) && e.eventId > 2).map((e) => e.eventId);
    expect(eventsOf(watcher.messages).map((e) => e.eventId)).toEqual(expected);
    expect(streamViolations(watcher.messages)).toEqual([]);
    expect(errorsOf(watcher.messages)).toEqual([]);
    expect(watcher.invalid).toEqual([]);
    await expectHealthy();
  });
});

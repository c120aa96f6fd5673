import fc from 'fast-check';
import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import protobuf from 'protobufjs/minimal.js';
import { OTLP_MAX_BODY_BYTES } from '../../src/server/modules/otlp/otlp.routes.js';
import { FuzzRequest, gzipBomb, malformedJson, NON_JSON_TYPES, notGzip } from './requests.js';
import { anyJson, edgeNumber, nastyString, RawJson, toJsonText } from './values.js';

/**
 * Bad exports for the OTLP/HTTP receiver (POST /v1/metrics, /v1/logs): random bytes as protobuf and as gzip, bad JSON,
 * and well-formed exports whose Claude Code records each lack something the receiver needs (a model, a cost, a
 * session, a time, a sum), so nothing may be stored from them.
 */

interface MessageType {
  fromObject(o: object): object;
  encode(m: object): { finish(): Uint8Array };
}
const generated = createRequire(import.meta.url)('@opentelemetry/otlp-transformer/build/src/generated/root.js') as {
  opentelemetry: { proto: { collector: Record<'metrics' | 'logs', { v1: Record<string, MessageType> }> } };
};
const REQUEST: Record<'metrics' | 'logs', MessageType> = {
  metrics: generated.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest!,
  logs: generated.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest!,
};

/** Encodes a request written in OTLP JSON (RawJson fragments become the numbers they spell) as protobuf. */
export function encodeProtobuf(signal: 'metrics' | 'logs', doc: unknown): Buffer {
  const plain = JSON.parse(toJsonText(doc)) as object;
  return Buffer.from(REQUEST[signal].encode(REQUEST[signal].fromObject(plain)).finish());
}

/** google.rpc.Status { int32 code = 1; string message = 2; } as OTLP/HTTP error bodies carry it. */
export function decodeStatus(body: Buffer): { code: number; message: string } {
  const r = protobuf.Reader.create(body);
  let code = 0;
  let message = '';
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) code = r.int32();
    else if (tag >>> 3 === 2) message = r.string();
    else r.skipType(tag & 7);
  }
  return { code, message };
}

const ALNUM = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-'.split('')), minLength: 1, maxLength: 12 });
const kv = (key: string, value: unknown) => ({ key, value });
const str = (s: string) => ({ stringValue: s });

const anyValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    nastyString.map(str),
    fc.constantFrom('-1', '0', '1', '12', '9223372036854775807', '-9223372036854775808').map((s) => ({ intValue: s })),
    edgeNumber.map((d) => ({ doubleValue: d })),
    fc.boolean().map((b) => ({ boolValue: b })),
    fc.array(tie('value'), { maxLength: 3 }).map((values) => ({ arrayValue: { values } })),
    fc.array(fc.tuple(nastyString, tie('value')), { maxLength: 3 }).map((xs) => ({ kvlistValue: { values: xs.map(([k, v]) => kv(k, v)) } })),
    fc.base64String({ maxLength: 24 }).map((b) => ({ bytesValue: b })),
  ),
})).value;

/** Attributes that are not the ones the receiver reads. */
const CLAUDE_KEYS = [
  'session.id',
  'model',
  'cost_usd',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_creation_tokens',
  'event.name',
  'event.timestamp',
  'event.sequence',
  'prompt.id',
  'request_id',
  'request.id',
  'requestId',
  'duration_ms',
  'speed',
  'skill.name',
  'slash_command',
  'command.name',
  'agent.name',
  'agent_type',
  'subagent_type',
  'bmad.story',
  'bmad.project',
  'type',
];
const noise = fc
  .array(
    fc.tuple(
      nastyString.filter((k) => !CLAUDE_KEYS.includes(k)),
      anyValue,
    ),
    { maxLength: 3 },
  )
  .map((xs) => xs.map(([k, v]) => kv(k, v)));

/** A resource that names no project of this server (or none), and never a session or a model. */
const resource = fc
  .tuple(
    fc.option(
      fc.oneof(
        ALNUM.map((s) => `fz-${s}`),
        nastyString.filter((s) => s.trim() !== '' && !s.includes('p-fuzz')),
      ),
    ),
    noise,
  )
  .map(([project, attrs]) => ({
    attributes: [kv('service.name', str('claude-code')), ...(project === null ? [] : [kv('bmad.project', str(project))]), ...attrs],
  }));

/** Optional attributes that do not decide whether a record is taken. */
const extras = fc
  .array(
    fc.oneof(
      fc.tuple(
        fc.constantFrom(
          'prompt.id',
          'event.sequence',
          'request_id',
          'duration_ms',
          'speed',
          'skill.name',
          'slash_command',
          'agent.name',
          'bmad.story',
          'event.timestamp',
          'user.email',
        ),
        anyValue,
      ),
      fc.constantFrom<[string, unknown]>(
        ['skill.name', str('bmad-dev-story')],
        ['agent.name', str('bmad-agent-dev')],
        ['event.timestamp', str('not a time')],
        ['duration_ms', str('-5')],
      ),
    ),
    { maxLength: 4 },
  )
  .map((xs) => xs.map(([k, v]) => kv(k, v)));

const session = fc.oneof(
  ALNUM.map((s) => `fz-session-${s}`),
  nastyString.filter((s) => s.trim() !== ''),
);
const model = fc.oneof(
  fc.constantFrom('claude-sonnet-4-5', 'claude-opus-4-1', 'gpt-4o', 'unknown-model'),
  nastyString.filter((s) => s.trim() !== ''),
);
const blank = fc.constantFrom<unknown>(undefined, str(''), str('   '), str('\t'));
const NAME = fc.constantFrom<[string, unknown][]>([['event.name', str('api_request')]], [['event.name', str('claude_code.api_request')]], []);

const BAD_COST = fc.constantFrom<unknown>(
  str('NaN'),
  str('-1'),
  str('abc'),
  str(''),
  str('Infinity'),
  str('1e309'),
  { intValue: '-1' },
  { doubleValue: -0.5 },
  { doubleValue: new RawJson('-1e309') },
  { boolValue: true },
  undefined,
);
const BAD_COUNT = fc.constantFrom<unknown>(
  str('-5'),
  str('1.5'),
  str('1e13'),
  str('x'),
  str(''),
  { doubleValue: 1.5 },
  { intValue: '-3' },
  { intValue: '9223372036854775807' },
  undefined,
);

/**
 * A Claude Code api_request log record that cannot become a cost: no model, or no usable cost and no token count.
 * `robust`: only records that no byte flip can make valid (the model attribute is absent altogether).
 */
const badApiRequest = (robust: boolean) =>
  fc
    .tuple(
      robust ? fc.constant(true) : fc.boolean(),
      NAME,
      session,
      model,
      blank,
      BAD_COST,
      fc.array(BAD_COUNT, { minLength: 4, maxLength: 4 }),
      extras,
      fc.constantFrom<string | undefined>(undefined, '0', '1764403200000000000', '18446744073709551615', '-1'),
    )
    .map(([noModel, name, s, m, blankModel, cost, [i, o, cr, cc], more, time]) => {
      const attrs: { key: string; value: unknown }[] = [...name.map(([k, v]) => kv(k, v)), kv('session.id', str(s)), ...more];
      if (noModel) {
        if (blankModel !== undefined && !robust) attrs.push(kv('model', blankModel));
        // Any cost: without a model the record is refused anyway.
        attrs.push(kv('cost_usd', str('0.25')), kv('input_tokens', str('10')));
      } else {
        attrs.push(kv('model', str(m)));
        for (const [k, v] of [
          ['cost_usd', cost],
          ['input_tokens', i],
          ['output_tokens', o],
          ['cache_read_tokens', cr],
          ['cache_creation_tokens', cc],
        ] as const)
          if (v !== undefined) attrs.push(kv(k, v));
      }
      return {
        ...(name.length === 0 ? { eventName: 'claude_code.api_request' } : {}),
        body: str('claude_code.api_request'),
        attributes: attrs,
        ...(time === undefined ? {} : { timeUnixNano: time }),
      };
    });

/** Records the receiver counts and drops: other events, api errors of no project, no event name at all. */
const otherRecord = fc
  .tuple(
    fc.oneof(fc.constantFrom('claude_code.user_prompt', 'claude_code.tool_result', 'claude_code.api_error', 'fuzz.event', ''), nastyString),
    extras,
    fc.option(anyValue),
  )
  .map(([name, more, body]) => ({ eventName: name, attributes: [kv('session.id', str('fz-session')), ...more], ...(body === null ? {} : { body }) }));

const logsDoc = (robust: boolean) =>
  fc
    .array(
      fc.tuple(
        resource,
        fc.array(fc.oneof({ weight: 3, arbitrary: badApiRequest(robust) }, { weight: 1, arbitrary: otherRecord }), { minLength: 1, maxLength: 4 }),
      ),
      { minLength: 1, maxLength: 2 },
    )
    .map((rls) => ({
      resourceLogs: rls.map(([res, logRecords]) => ({ resource: res, scopeLogs: [{ scope: { name: 'com.anthropic.claude_code' }, logRecords }] })),
    }));

const COST = 'claude_code.cost.usage';
const TOKENS = 'claude_code.token.usage';
const T = '1764403200000000000';
const BAD_VALUE = fc.constantFrom<Record<string, unknown>>(
  { asDouble: -1 },
  { asDouble: -0.001 },
  { asDouble: 1e13 },
  { asDouble: 1e308 },
  { asDouble: 'NaN' },
  { asDouble: 'Infinity' },
  { asDouble: '-Infinity' },
  { asInt: '-5' },
  { asInt: '1000000000001' },
  { asInt: '-9223372036854775808' },
  {},
);

/**
 * A data point of a Claude Code counter that cannot be taken: each lacks one thing. `robust`: only points that no byte
 * flip can make valid (no session or no model attribute at all).
 */
const badPoint = (robust: boolean) =>
  fc
    .tuple(
      robust ? fc.constantFrom('no-model', 'no-session') : fc.constantFrom('no-model', 'bad-value', 'no-time', 'no-session', 'unknown-token-type'),
      session,
      model,
      blank,
      BAD_VALUE,
      extras,
      fc.constantFrom<string | undefined>(undefined, '0', '00'),
    )
    .map(([defect, s, m, blankModel, value, more, time]) => {
      const attrs = [...more];
      if (defect !== 'no-session') attrs.push(kv('session.id', str(s)));
      if (defect === 'no-model') {
        if (blankModel !== undefined && !robust) attrs.push(kv('model', blankModel));
      } else attrs.push(kv('model', str(m)));
      attrs.push(kv('type', str(defect === 'unknown-token-type' ? 'bogus' : 'input')));
      return {
        defect,
        point: {
          attributes: attrs,
          startTimeUnixNano: T,
          ...(defect === 'no-time' ? (time === undefined ? {} : { timeUnixNano: time }) : { timeUnixNano: T }),
          ...(defect === 'bad-value' ? value : { asDouble: 1.5 }),
        },
      };
    });

const badMetric = (robust: boolean) =>
  fc.oneof(
    fc.tuple(fc.constantFrom(COST, TOKENS), fc.array(badPoint(robust), { minLength: 1, maxLength: 3 })).map(([name, points]) => ({
      name,
      unit: 'USD',
      // A cost point with an unknown token type is fine as a cost: use it on the token counter only.
      sum: {
        aggregationTemporality: 1,
        isMonotonic: true,
        dataPoints: points.filter((p) => name === TOKENS || p.defect !== 'unknown-token-type').map((p) => p.point),
      },
    })),
    fc
      .tuple(fc.constantFrom(COST, TOKENS), badPoint(robust), fc.constantFrom(0, 3, 99, -1))
      .map(([name, p, temporality]) => ({ name, sum: { aggregationTemporality: temporality, dataPoints: [p.point] } })),
    // A gauge is no counter: refused even with a point that would do as a sum's (not in robust mode: one flipped tag
    // byte turns the gauge into a sum).
    fc.tuple(fc.constantFrom(COST, TOKENS), badPoint(robust)).map(([name, p]) => ({
      name,
      gauge: {
        dataPoints: [
          robust
            ? p.point
            : { ...p.point, attributes: [kv('session.id', str('s')), kv('model', str('m')), kv('type', str('input'))], timeUnixNano: T, asDouble: 1 },
        ],
      },
    })),
    fc
      .tuple(fc.oneof(fc.constantFrom('claude_code.session.count', 'claude_code.lines_of_code.count', 'fuzz.metric', ''), nastyString), badPoint(robust))
      .map(([name, p]) => ({ name, sum: { aggregationTemporality: 1, dataPoints: [p.point] } })),
  );

const metricsDoc = (robust: boolean) =>
  fc.array(fc.tuple(resource, fc.array(badMetric(robust), { minLength: 1, maxLength: 3 })), { minLength: 1, maxLength: 2 }).map((rms) => ({
    resourceMetrics: rms.map(([res, metrics]) => ({ resource: res, scopeMetrics: [{ scope: { name: 'com.anthropic.claude_code' }, metrics }] })),
  }));

/**
 * Replaces the n-th object or array (in a depth-first walk) of a JSON tree with `v`. Leaves stay: replacing the -1 of a
 * bad cost with a random number could make a record valid, replacing the object around it cannot (by any odds).
 */
function replaceNth(doc: unknown, n: number, v: unknown): unknown {
  let i = 0;
  const walk = (x: unknown): unknown => {
    if (x === null || typeof x !== 'object' || x instanceof RawJson) return x;
    if (i++ === n) return v;
    if (Array.isArray(x)) return x.map(walk);
    return Object.fromEntries(Object.entries(x).map(([k, y]) => [k, walk(y)]));
  };
  return walk(doc);
}

const notAnObject = anyJson.filter((v) => v === null || typeof v !== 'object' || Array.isArray(v) || (v instanceof RawJson && !v.text.startsWith('{')));

const overLimit = Buffer.alloc(OTLP_MAX_BODY_BYTES + 1024, 0x0a);

export function badOtlpRequests(signal: 'metrics' | 'logs', authorization: string): fc.Arbitrary<FuzzRequest> {
  const path = `/v1/${signal}`;
  const doc: fc.Arbitrary<unknown> = signal === 'metrics' ? metricsDoc(false) : logsDoc(false);
  /** Exports no byte flip can turn into a record the receiver takes (so flipped bytes never store anything). */
  const robustDoc: fc.Arbitrary<unknown> = signal === 'metrics' ? metricsDoc(true) : logsDoc(true);
  const PB = { 'content-type': 'application/x-protobuf' };
  const JSON_TYPE = { 'content-type': 'application/json' };
  const req = (family: string, headers: Record<string, string>, body: string | Buffer, expect: 'reject' | 'any', authTampered = false) =>
    new FuzzRequest(family, 'POST', path, '', { authorization, ...headers }, body, expect, authTampered);
  const mutatedPb = fc
    .tuple(robustDoc, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), fc.option(fc.nat()))
    .map(([d, flips, cut]) => {
      const b = encodeProtobuf(signal, d);
      for (const [at, byte] of flips) if (b.length > 0) b[at % b.length] = byte;
      return cut === null || b.length === 0 ? b : b.subarray(0, cut % b.length);
    });
  return fc.oneof(
    { weight: 6, arbitrary: doc.map((d) => req('json-bad-records', JSON_TYPE, toJsonText(d), 'any')) },
    {
      weight: 4,
      arbitrary: fc.tuple(doc, fc.nat({ max: 60 }), anyJson).map(([d, n, v]) => req('json-type-confused', JSON_TYPE, toJsonText(replaceNth(d, n, v)), 'any')),
    },
    { weight: 3, arbitrary: malformedJson(doc.map(toJsonText)).map((s) => req('json-malformed', JSON_TYPE, s, 'reject')) },
    { weight: 2, arbitrary: notAnObject.map((v) => req('json-not-an-object', JSON_TYPE, toJsonText(v), 'reject')) },
    { weight: 4, arbitrary: doc.map((d) => req('protobuf-bad-records', PB, encodeProtobuf(signal, d), 'any')) },
    { weight: 5, arbitrary: fc.uint8Array({ maxLength: 2048 }).map((b) => req('protobuf-random-bytes', PB, Buffer.from(b), 'any')) },
    { weight: 5, arbitrary: mutatedPb.map((b) => req('protobuf-mutated', PB, b, 'any')) },
    {
      weight: 2,
      arbitrary: fc
        .oneof(fc.uint8Array({ maxLength: 1024 }).map(Buffer.from), mutatedPb)
        .map((b) => req('gzip-of-garbage', { ...PB, 'content-encoding': 'gzip' }, zlib.gzipSync(b), 'any')),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(notGzip, fc.constantFrom(PB, JSON_TYPE))
        .map(([b, type]) => req('random-bytes-as-gzip', { ...type, 'content-encoding': 'gzip' }, b, 'reject')),
    },
    // Random bytes can be a valid deflate or brotli stream: odd, not certainly invalid.
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('deflate', 'br'), fc.uint8Array({ minLength: 1, maxLength: 512 }), fc.constantFrom(PB, JSON_TYPE))
        .map(([enc, b, type]) => req(`random-bytes-as-${enc}`, { ...type, 'content-encoding': enc }, Buffer.from(b), 'any')),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(PB, JSON_TYPE)
        .map((type) => req('gzip-bomb', { ...type, 'content-encoding': 'gzip' }, gzipBomb(OTLP_MAX_BODY_BYTES), 'reject')),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 1, max: 1024 }).map((n) => req('over-body-limit', PB, overLimit.subarray(0, OTLP_MAX_BODY_BYTES + n), 'reject')),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...NON_JSON_TYPES.filter((t) => t !== 'application/x-protobuf'), ''), doc)
        .map(([type, d]) => req('wrong-content-type', type === '' ? {} : { 'content-type': type }, toJsonText(d), 'reject')),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('compress', 'zstd', 'x-bogus'), doc)
        .map(([enc, d]) => req('unknown-encoding', { ...JSON_TYPE, 'content-encoding': enc }, toJsonText(d), 'reject')),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('Bearer', 'Bearer x', 'Basic Zm9vOmJhcg==', 'Bearer bmo_k_x.y', `Bearer ${'k'.repeat(600)}`)
        .map((a) => new FuzzRequest('auth-tampered', 'POST', path, '', { ...JSON_TYPE, authorization: a }, '{}', 'reject', true)),
    },
  );
}

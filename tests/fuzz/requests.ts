import fc from 'fast-check';
import zlib from 'node:zlib';
import { anyJson, deepJson, longString, nastyString, pct, RAW_URL_FRAGMENTS, RawJson, toJsonText, unknownKey, withKey, withoutKey } from './values.js';

/**
 * Bad HTTP requests, derived from a description of an endpoint (its path parameters, query parameters and JSON body),
 * for the fuzz test in tests/integration/fuzz.test.ts. Each generated request says whether it is certainly invalid
 * (`expect: 'reject'`: the server must answer 4xx) or merely odd (`'any'`: anything but a 5xx).
 */

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export class FuzzRequest {
  constructor(
    /** Which kind of bad input this is (for the report and the status histogram). */
    readonly family: string,
    readonly method: Method,
    /** The path, percent-encoded as sent (no query). */
    readonly path: string,
    /** The query string as sent, without `?`; empty for none. */
    readonly query: string,
    readonly headers: Record<string, string>,
    readonly body: string | Buffer | undefined,
    readonly expect: 'reject' | 'any',
    /** The credentials were tampered with: 401 is the right answer. */
    readonly authTampered = false,
  ) {}

  get url(): string {
    return this.query === '' ? this.path : `${this.path}?${this.query}`;
  }

  [fc.toStringMethod](): string {
    const clip = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}… (${s.length} chars)` : s);
    const body =
      this.body === undefined
        ? 'none'
        : Buffer.isBuffer(this.body)
          ? `<${this.body.length} bytes: ${this.body.subarray(0, 64).toString('hex')}…>`
          : JSON.stringify(clip(this.body));
    return `[${this.family}] ${this.method} ${clip(this.url)} headers=${JSON.stringify(this.headers)} body=${body}`;
  }
}

/**
 * Longest URL sent. Node refuses a request line and headers over 16 KiB itself (431, no body, before the app sees
 * it): that is Node's answer, not the app's, and is left out here.
 */
export const MAX_URL = 12_000;

export interface Credentials {
  /** `Authorization` header value the endpoint accepts (null: none needed). */
  authorization: string | null;
}

/** A path parameter: a value that exists (so other parts can be tested alone) and encoded bad values. */
export interface ParamSpec {
  valid: string;
  bad: fc.Arbitrary<string>;
}

/** A query parameter: values the schema accepts (edge cases welcome) and values it must refuse (decoded strings). */
export interface QuerySpec {
  valid: fc.Arbitrary<string>;
  bad: fc.Arbitrary<string>;
  required?: boolean;
}

/** A body field: JSON values the schema accepts and JSON values it must refuse. */
export interface FieldSpec {
  valid: fc.Arbitrary<unknown>;
  bad: fc.Arbitrary<unknown>;
  required?: boolean;
}

export interface Endpoint {
  method: Method;
  /** Express path template, e.g. /api/v1/projects/:id/budget. */
  path: string;
  /** Who calls it in the fuzz run: a signed-in manager, the ingest key, or nobody (login). */
  auth: 'session' | 'ingest' | 'none';
  params?: Record<string, ParamSpec>;
  /** Known query parameters (the schemas are strict: every other key is refused). Absent: the route takes none. */
  query?: Record<string, QuerySpec>;
  /** A coherent valid query (e.g. start before end) to build on; default: the required keys with valid values. */
  validQuery?: fc.Arbitrary<Record<string, string>>;
  /** The strict JSON object the route reads; absent: it reads no body. */
  body?: Record<string, FieldSpec>;
  /** The JSON body limit in bytes (64 KiB for the API, 1 MiB for ingestion). */
  bodyLimit: number;
  /** A valid request would change stored state: only certainly-invalid inputs are sent. */
  writes?: boolean;
  /** The route is mounted before the JSON parser and never reads a body: a bad body is no bad input there. */
  ignoresBody?: boolean;
  /**
   * Found in the source but not described here (a route added meanwhile): only inputs that any route must refuse are
   * sent (tampered credentials, bodies that are not JSON, too large or wrongly encoded).
   */
  generic?: boolean;
}

// ---------- bad value generators per parameter kind ----------

const ALNUM = fc.string({
  unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_'.split('')),
  minLength: 1,
  maxLength: 12,
});
const CONTROL = fc.constantFrom('\u0000', '\u0001', '\u0008', '\t', '\n', '\r', '\u001b', '\u001f', '\u007f');

/** Ids (idSchema: 1–128 chars, no control characters). */
export const badId = fc.oneof(
  fc.constant(''),
  longString(129, 3000),
  fc.tuple(fc.string({ maxLength: 10 }), CONTROL, fc.string({ maxLength: 10 })).map(([a, c, b]) => `${a}${c}${b}`),
);
// eslint-disable-next-line no-control-regex
const HAS_CONTROL = /[\u0000-\u001f\u007f]/;
export const validId = fc.oneof(
  { weight: 3, arbitrary: ALNUM },
  { weight: 1, arbitrary: nastyString.filter((s) => s.length >= 1 && s.length <= 128 && !HAS_CONTROL.test(s)) },
);

/** A whole number in [min, max] written as the query's /^\d{1,n}$/ (anything else is refused). */
export function intParam(min: number, max: number, digits = 9): QuerySpec {
  return {
    valid: fc.oneof(fc.integer({ min, max }).map(String), fc.constantFrom(String(min), String(max))),
    bad: fc.oneof(
      fc.constantFrom('-1', '-0', '1.5', '1e3', '1E3', 'NaN', 'Infinity', '0x10', ' 1', '1 ', '+1', '٣', '１', '1,000', '1_000', 'null', ''),
      fc.constant(String(max + 1)),
      ...(min > 0 ? [fc.constant(String(min - 1))] : []),
      fc.integer({ min: digits + 1, max: 40 }).map((n) => '9'.repeat(n)),
      fc.constantFrom(String(Number.MAX_SAFE_INTEGER + 1), '1e308', '-9007199254740993'),
      nastyString.filter((s) => !/^\d+$/.test(s)),
    ),
  };
}

export function enumParam(values: readonly string[]): QuerySpec {
  return {
    valid: fc.constantFrom(...values),
    bad: fc
      .oneof(fc.constantFrom(...values.map((v) => v.toUpperCase()), ...values.map((v) => ` ${v}`), ...values.map((v) => `${v},${v}`), ''), nastyString)
      .filter((s) => !values.includes(s)),
  };
}

export const boolParam: QuerySpec = enumParam(['true', 'false']);

/** A comma-separated list of enum values (at most `max`, at most `maxChars`; `dedup`: repeated values count once). */
export function csvParam(values: readonly string[], max: number, maxChars: number, dedup = false): QuerySpec {
  const token = fc.constantFrom(...values);
  return {
    valid: fc.array(token, { minLength: 1, maxLength: Math.min(max, 4) }).map((xs) => xs.join(',')),
    bad: fc.oneof(
      fc.constantFrom(',', ' , ', ',,,', ''),
      fc
        .tuple(
          fc.array(token, { maxLength: 3 }),
          nastyString.filter((s) => s.trim() !== '' && !s.includes(',') && !values.includes(s.trim())),
        )
        .map(([xs, b]) => [...xs, b].join(',')),
      ...(dedup && max >= values.length ? [] : [fc.constant(Array.from({ length: max + 1 }, (_, i) => values[i % values.length]).join(','))]),
      fc.constant(`${values[0]},`.repeat(Math.ceil(maxChars / (values[0]!.length + 1)) + 1)),
    ),
  };
}

/** A comma-separated list of ids. */
export function idListParam(max: number, maxChars: number): QuerySpec {
  return {
    valid: fc.array(ALNUM, { minLength: 1, maxLength: 3 }).map((xs) => xs.join(',')),
    bad: fc.oneof(
      fc.constantFrom(',', ' , ', ''),
      fc.constant(Array.from({ length: max + 1 }, (_, i) => `a${i}`).join(',')),
      longString(maxChars + 1, maxChars + 500, 'a,'),
      fc.tuple(ALNUM, longString(129, 400)).map(([a, b]) => `${a},${b}`),
      fc.tuple(ALNUM, CONTROL).map(([a, c]) => `${a},x${c}y`),
    ),
  };
}

export const idParam: QuerySpec = { valid: validId, bad: badId };

export function textParam(max: number): QuerySpec {
  return {
    valid: nastyString.filter((s) => s.length >= 1 && s.length <= max && s.trim() === s),
    bad: fc.oneof(fc.constant(''), longString(max + 1, max + 2000)),
  };
}

/** ISO-8601 instants with an offset between 1970 and 9999 (instantSchema). */
export const instantParam: QuerySpec = {
  valid: fc.oneof(
    fc.constantFrom('1970-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '2026-11-29T08:00:00+14:00', '2026-11-29T08:00:00-12:00', '2024-02-29T00:00:00Z'),
    fc.date({ min: new Date('1970-01-02T00:00:00Z'), max: new Date('9999-12-30T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  ),
  bad: fc.oneof(
    fc.constantFrom(
      'yesterday',
      'now',
      '2026-11-29',
      '2026-11-29T08:00:00',
      '2026-02-30T08:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-11-29T25:00:00Z',
      '1969-12-31T23:59:59Z',
      '0000-01-01T00:00:00Z',
      '+010000-01-01T00:00:00Z',
      '2026-11-29T08:00:00+24:00',
      '2026-11-29T08:00:00 Z',
      '2026-11-29 08:00:00Z',
      '1764403200000',
      '-1',
      'NaN',
      '',
      '2026-11-29T08:00:00.0000000000000000000000000000000001Z',
    ),
    fc.tuple(fc.constant('2026-11-29T08:00:00Z'), CONTROL).map(([a, c]) => `${a}${c}`),
    nastyString.filter((s) => Number.isNaN(Date.parse(s)) || !/^\d{4}-\d\d-\d\dT/.test(s)),
  ),
};

/** IANA time zones: the known ones (with odd but valid spellings) and strings Intl refuses. */
export function tzParam(isKnown: (tz: string) => boolean): QuerySpec {
  return {
    valid: fc
      .constantFrom(
        'UTC',
        'Europe/Berlin',
        'Pacific/Kiritimati',
        'Pacific/Pago_Pago',
        'America/St_Johns',
        'Asia/Kathmandu',
        'Australia/Lord_Howe',
        'Etc/GMT+12',
        'Etc/GMT-14',
        'utc',
        'EST',
        'America/Argentina/ComodRivadavia',
      )
      .filter(isKnown),
    bad: fc
      .oneof(
        fc.constantFrom('', 'Mars/Olympus', 'Etc/GMT+99', 'UTC+99', 'Europe/', '/', 'Europe/Berlin/x', '../../etc/localtime'),
        longString(65, 200),
        nastyString,
      )
      .filter((s) => s === '' || s.length > 64 || !isKnown(s)),
  };
}

// ---------- requests ----------

const QUERY_KEY_OK = (known: Record<string, unknown>) => (k: string) => k !== '' && !Object.hasOwn(known, k);

/** Path segments: broken escapes, dot segments, encoded slashes and NUL, overlong UTF-8, odd and long ids. */
export const badPathSegment = fc.oneof(
  { weight: 2, arbitrary: badId.filter((s) => s !== '').map(pct) },
  { weight: 2, arbitrary: nastyString.filter((s) => s !== '').map(pct) },
  { weight: 2, arbitrary: fc.array(fc.oneof(fc.constantFrom(...RAW_URL_FRAGMENTS), ALNUM), { minLength: 1, maxLength: 5 }).map((xs) => xs.join('')) },
  { weight: 1, arbitrary: fc.constantFrom('..', '.', '...', '..%2F..%2Fetc%2Fpasswd', '%2e%2e', '%252e%252e%252f') },
  { weight: 1, arbitrary: longString(129, 6000, 'a%C3%A9') },
);

function pathOf(template: string, values: Record<string, string>): string {
  return template.replace(/:([A-Za-z]+)/g, (_m, name: string) => values[name] ?? 'missing');
}

function queryOf(pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

const encPairs = (q: Record<string, string>): [string, string][] => Object.entries(q).map(([k, v]) => [pct(k), pct(v)]);

/** Extra headers a client may send that the server reads or logs. */
const extraHeaders = fc.option(
  fc.dictionary(
    fc.constantFrom('x-request-id', 'x-correlation-id', 'accept', 'accept-encoding', 'user-agent', 'x-forwarded-for', 'accept-language'),
    fc.string({ unit: 'grapheme-ascii', maxLength: 200 }),
    { maxKeys: 3 },
  ),
  { nil: {} },
);

const TAMPERED_AUTH = fc.oneof(
  fc.constantFrom(
    'Bearer',
    'Bearer ',
    'Basic dXNlcjpwYXNz',
    'bearer  ',
    'Bearer a b',
    'Token abc',
    'Bearer bmo_s_',
    'Bearer bmo_k_x.y',
    'Bearer null',
    'Bearer undefined',
  ),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 80 }).map((s) => `Bearer ${s.replace(/\s/g, '_')}`),
  longString(513, 2000).map((s) => `Bearer ${s}`),
);

/** Content types JSON routes do not parse as JSON (the body reaches the schema as undefined, or is refused). */
export const NON_JSON_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=xyz',
  'application/xml',
  'application/octet-stream',
  'application/x-protobuf',
  'text/html',
  'image/png',
];
/** JSON with a charset body-parser refuses (415). */
export const BAD_CHARSET_TYPES = ['application/json; charset=latin1', 'application/json; charset=utf-16', 'application/json; charset=x-unknown'];

/** Bodies that are certainly not valid JSON (400 from any JSON parser that is strict about the grammar). */
export function malformedJson(validText: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    // A strict prefix of an object or array is unbalanced, whatever it holds; at least one character stays.
    validText
      .filter((s) => s.length >= 2 && (s.startsWith('{') || s.startsWith('[')))
      .chain((s) => fc.integer({ min: 1, max: s.length - 1 }).map((n) => s.slice(0, n))),
    fc.tuple(validText, fc.constantFrom('}', ']', ',', 'x', ' x', '\u0000', '{', '"')).map(([s, g]) => `${s}${g}`),
    fc.tuple(fc.constantFrom('x', ',', ']', '}', '\u0000', "'", 'NaN'), validText).map(([g, s]) => `${g}${s}`),
    fc.constantFrom(
      '{"x":NaN}',
      '{"x":Infinity}',
      '{"x":-Infinity}',
      '{"x":undefined}',
      '{x:1}',
      '{"x":1,}',
      '[1,]',
      '{"x":01}',
      '{"x":.5}',
      '{"x":+1}',
      '{"x":0x10}',
      '{"x":"a\u0000b"}',
      '{"x":"\\x41"}',
      '{"x":"\\u12"}',
      "{'x':'y'}",
      '/*c*/{}',
      '{"x":1}//',
      '{"x":1}{"y":2}',
      '{"a" 1}',
      '{"a":1 "b":2}',
      '{',
      '[',
      '{"',
      '\u00ef\u00bb\u00bf{}x',
      `${'['.repeat(100_000)}`,
    ),
  );
}

interface BodyFamilies {
  /** A valid body as a JS value. */
  valid: fc.Arbitrary<Record<string, unknown>>;
  /** Certainly invalid JSON values (objects or not). */
  invalidValue: fc.Arbitrary<[string, unknown]>;
}

function objectBody(fields: Record<string, FieldSpec>): BodyFamilies {
  const names = Object.keys(fields);
  const required = names.filter((n) => fields[n]!.required);
  const valid = fc.record(Object.fromEntries(names.map((n) => [n, fields[n]!.valid])), { requiredKeys: required }) as fc.Arbitrary<Record<string, unknown>>;
  const nonObject = anyJson.filter((v) => v instanceof RawJson || v === null || typeof v !== 'object' || Array.isArray(v));
  const invalidValue = fc.oneof(
    { weight: 2, arbitrary: nonObject.map((v): [string, unknown] => ['body-not-an-object', v]) },
    {
      weight: 5,
      arbitrary: fc
        .tuple(valid, fc.constantFrom(...names))
        .chain(([base, name]) => fields[name]!.bad.map((bad): [string, unknown] => [`body-bad-${name}`, withKey(base, name, bad)])),
    },
    ...(required.length > 0
      ? [
          {
            weight: 1,
            arbitrary: fc.tuple(valid, fc.constantFrom(...required)).map(([base, name]): [string, unknown] => [`body-missing-${name}`, withoutKey(base, name)]),
          },
        ]
      : []),
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          valid,
          fc.uniqueArray(
            unknownKey.filter((k) => !names.includes(k)),
            { minLength: 1, maxLength: 3 },
          ),
          fc.array(anyJson, { minLength: 3, maxLength: 3 }),
        )
        .map(([base, keys, values]): [string, unknown] => ['body-extra-keys', keys.reduce((o, k, i) => withKey(o, k, values[i]), base)]),
    },
  );
  return { valid, invalidValue };
}

const gzipOf = (s: string | Buffer) => zlib.gzipSync(s);
/** Bytes that are not a gzip stream (no gzip magic number): Content-Encoding gzip over them must be refused. */
export const notGzip = fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => (b[0] === 0x1f ? Buffer.from([0x00, ...b]) : Buffer.from(b)));
const UNKNOWN_ENCODINGS = ['compress', 'x-gzip-bogus', 'gzip, compress', 'zstd', 'identity, br, x'];

/** A JSON text over `limit` bytes that would otherwise be fine (a padding key). */
function oversized(base: fc.Arbitrary<Record<string, unknown>>, limit: number) {
  return fc.tuple(base, fc.integer({ min: 1, max: 4096 })).map(([b, extra]) => toJsonText(withKey(b, 'padding', 'p'.repeat(limit + extra))));
}

/** A gzip stream that inflates past `limit` bytes (a "zip bomb" in miniature). */
const bombs = new Map<number, Buffer>();
export function gzipBomb(limit: number): Buffer {
  let b = bombs.get(limit);
  if (!b) {
    b = zlib.gzipSync(Buffer.concat([Buffer.from('{"padding":"'), Buffer.alloc(limit + 1024, 0x61), Buffer.from('"}')]));
    bombs.set(limit, b);
  }
  return b;
}

/** Bodies that break the transport rather than the schema: bad encodings, charsets, bombs, oversize. */
function transportBodies(
  valid: fc.Arbitrary<Record<string, unknown>>,
  limit: number,
  odd: boolean,
): fc.Arbitrary<[string, Record<string, string>, string | Buffer, boolean?]> {
  const json = { 'content-type': 'application/json' };
  return fc.oneof(
    {
      weight: 2,
      arbitrary: notGzip.map((bytes): [string, Record<string, string>, string | Buffer] => ['corrupt-gzip', { ...json, 'content-encoding': 'gzip' }, bytes]),
    },
    // Random bytes can be a valid deflate or brotli stream (brotli especially, even an empty one): odd, not invalid.
    ...(odd
      ? [
          {
            weight: 1,
            arbitrary: fc
              .tuple(fc.constantFrom('deflate', 'br'), fc.uint8Array({ minLength: 1, maxLength: 300 }))
              .map(([enc, bytes]): [string, Record<string, string>, string | Buffer, boolean] => [
                `random-${enc}`,
                { ...json, 'content-encoding': enc },
                Buffer.from(bytes),
                true,
              ]),
          },
        ]
      : []),
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...UNKNOWN_ENCODINGS), valid)
        .map(([enc, b]): [string, Record<string, string>, string | Buffer] => ['unknown-encoding', { ...json, 'content-encoding': enc }, toJsonText(b)]),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...BAD_CHARSET_TYPES), valid)
        .map(([type, b]): [string, Record<string, string>, string | Buffer] => ['bad-charset', { 'content-type': type }, toJsonText(b)]),
    },
    {
      weight: 1,
      arbitrary: fc.constant<[string, Record<string, string>, string | Buffer]>(['gzip-bomb', { ...json, 'content-encoding': 'gzip' }, gzipBomb(limit)]),
    },
    { weight: 1, arbitrary: oversized(valid, limit).map((s): [string, Record<string, string>, string | Buffer] => ['over-body-limit', json, s]) },
  );
}

/**
 * Every kind of bad request this endpoint can get, weighted so each family gets a fair share of the runs.
 * `valid` components fill the parts that are not under test, so the bad part is what the server has to refuse.
 */
export function badRequests(e: Endpoint, creds: Credentials): fc.Arbitrary<FuzzRequest> {
  const params = e.params ?? {};
  const paramNames = Object.keys(params);
  const validPath = pathOf(e.path, Object.fromEntries(paramNames.map((n) => [n, pct(params[n]!.valid)])));
  const known = e.query ?? {};
  const queryNames = Object.keys(known);
  const required = queryNames.filter((n) => known[n]!.required);
  const validQuery: fc.Arbitrary<Record<string, string>> =
    e.validQuery ??
    fc.record(Object.fromEntries(queryNames.map((n) => [n, known[n]!.valid])), { requiredKeys: required }).map((q) => q as Record<string, string>);
  const baseQuery: fc.Arbitrary<Record<string, string>> =
    e.validQuery ?? fc.record(Object.fromEntries(required.map((n) => [n, known[n]!.valid]))).map((q) => q as Record<string, string>);
  const bodyFamilies = e.body ? objectBody(e.body) : undefined;
  const validBody = bodyFamilies?.valid ?? fc.constant<Record<string, unknown>>({});
  const auth: Record<string, string> = creds.authorization ? { authorization: creds.authorization } : {};
  const jsonHeaders: Record<string, string> = e.body ? { 'content-type': 'application/json' } : {};
  const validBodyText = e.body ? validBody.map(toJsonText) : fc.constant<string | undefined>(undefined);

  type Parts = {
    family: string;
    path?: string;
    query?: [string, string][];
    headers?: Record<string, string>;
    body?: string | Buffer | undefined;
    expect?: 'reject' | 'any';
    authTampered?: boolean;
  };
  const make = (p: Parts, extra: Record<string, string>, bodyText: string | undefined, q: Record<string, string>) =>
    new FuzzRequest(
      p.family,
      e.method,
      p.path ?? validPath,
      queryOf(p.query ?? encPairs(q)),
      // A header given as '' is left out (a body without a Content-Type).
      Object.fromEntries(
        Object.entries({ ...extra, ...auth, ...(p.body !== undefined || bodyText !== undefined ? jsonHeaders : {}), ...p.headers }).filter(([, v]) => v !== ''),
      ),
      'body' in p ? p.body : bodyText,
      p.expect ?? 'reject',
      p.authTampered ?? false,
    );
  /** A body is refused by the JSON parser before the route, unless the route comes before the parser. */
  const bodyExpect = e.ignoresBody ? ('any' as const) : ('reject' as const);
  const families: fc.WeightedArbitrary<Parts & { q?: Record<string, string> }>[] = [];
  const add = (weight: number, arbitrary: fc.Arbitrary<Parts & { q?: Record<string, string> }>) => families.push({ weight, arbitrary });

  // A route described only by its path gets no path or query inputs: nothing says which of them it must refuse.
  if (!e.generic) {
    // Path parameters: one bad (generic odd segments, or values the parameter's schema refuses), the rest valid.
    if (paramNames.length > 0) {
      const validParams = Object.fromEntries(paramNames.map((n) => [n, pct(params[n]!.valid)]));
      add(
        4,
        fc
          .tuple(fc.constantFrom(...paramNames), badPathSegment)
          .map(([name, seg]) => ({ family: `path-${name}-odd`, path: pathOf(e.path, { ...validParams, [name]: seg }) })),
      );
      // An empty segment is left out: /projects/ is the list route (Express ignores the trailing slash), no bad input.
      add(
        4,
        fc.constantFrom(...paramNames).chain((name) =>
          params[name]!.bad.filter((bad) => bad !== '').map((bad) => ({
            family: `path-${name}-invalid`,
            path: pathOf(e.path, { ...validParams, [name]: bad }),
          })),
        ),
      );
    }
    // Query strings: unknown keys, bad values, repeated keys, missing required keys, garbage.
    add(
      4,
      fc
        .tuple(
          baseQuery,
          fc.uniqueArray(unknownKey.filter(QUERY_KEY_OK(known)), { minLength: 1, maxLength: 3 }),
          fc.array(nastyString, { minLength: 3, maxLength: 3 }),
        )
        .map(([q, keys, values]) => ({
          family: 'query-unknown-key',
          query: [...encPairs(q), ...keys.map((k, i): [string, string] => [pct(k), pct(values[i]!)])],
        })),
    );
    if (queryNames.length > 0) {
      add(
        8,
        fc
          .tuple(baseQuery, fc.constantFrom(...queryNames))
          .chain(([q, name]) => known[name]!.bad.map((bad) => ({ family: `query-bad-${name}`, query: encPairs({ ...q, [name]: bad }) }))),
      );
      add(
        2,
        fc.tuple(baseQuery, fc.constantFrom(...queryNames), fc.integer({ min: 2, max: 4 })).chain(([q, name, n]) =>
          fc.array(known[name]!.valid, { minLength: n, maxLength: n }).map((vs) => ({
            family: `query-repeated-${name}`,
            query: [...encPairs(withoutKey(q, name) as Record<string, string>), ...vs.map((v): [string, string] => [pct(name), pct(v)])],
          })),
        ),
      );
      add(
        1,
        fc.tuple(baseQuery, fc.constantFrom(...queryNames)).map(([q, name]) => ({
          family: `query-bracket-${name}`,
          query: [...encPairs(withoutKey(q, name) as Record<string, string>), [`${pct(name)}[]`, 'x'] as [string, string]],
        })),
      );
    }
    if (required.length > 0) {
      add(
        2,
        fc
          .tuple(baseQuery, fc.constantFrom(...required))
          .map(([q, name]) => ({ family: `query-missing-${name}`, query: encPairs(withoutKey(q, name) as Record<string, string>) })),
      );
    }
    if (!e.writes) {
      // Not certainly invalid: may be a valid request after all. Only where a valid request changes nothing.
      add(
        2,
        fc
          .array(fc.oneof(fc.constantFrom(...RAW_URL_FRAGMENTS, '&', '=', '&&', '==', '?', '#'), ALNUM), { minLength: 1, maxLength: 8 })
          .map((xs) => ({ family: 'query-garbage', query: [[xs.join(''), ''] as [string, string]], expect: 'any' as const })),
      );
      if (queryNames.length > 0)
        add(
          4,
          validQuery.map((q) => ({ family: 'query-edge-valid', q, expect: 'any' as const })),
        );
    }
  }
  // Bodies.
  if (bodyFamilies) {
    add(
      12,
      bodyFamilies.invalidValue.map(([family, v]) => ({ family, body: toJsonText(v) })),
    );
    add(
      3,
      malformedJson(validBodyText as fc.Arbitrary<string>).map((s) => ({ family: 'body-malformed-json', body: s })),
    );
    add(
      2,
      fc
        .tuple(fc.constantFrom(...NON_JSON_TYPES, ''), validBodyText as fc.Arbitrary<string>)
        .map(([type, s]) => ({ family: 'body-wrong-content-type', body: s, headers: { 'content-type': type } })),
    );
    add(
      1,
      fc.tuple(bodyFamilies.invalidValue).map(([[family, v]]) => ({
        family: `gzip-${family}`,
        body: gzipOf(toJsonText(v)),
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      })),
    );
    add(
      1,
      fc.uint8Array({ minLength: 1, maxLength: 8 }).map((bytes) => ({
        family: 'body-invalid-utf8-key',
        body: Buffer.concat([Buffer.from('{"'), Buffer.from(bytes.map((b) => b | 0x80)), Buffer.from('":1}')]),
      })),
    );
  } else {
    add(
      2,
      malformedJson(anyJson.map(toJsonText)).map((s) => ({
        family: 'body-malformed-json',
        body: s,
        headers: { 'content-type': 'application/json' },
        expect: bodyExpect,
      })),
    );
    if (!e.writes && !e.generic)
      add(
        1,
        fc
          .tuple(anyJson, fc.constantFrom('application/json', ...NON_JSON_TYPES))
          .map(([v, type]) => ({ family: 'body-ignored', body: toJsonText(v), headers: { 'content-type': type }, expect: 'any' as const })),
      );
  }
  // Odd transport inputs (not certainly invalid) only where a valid request changes nothing.
  add(
    3,
    transportBodies(validBody, e.bodyLimit, !e.writes).map(([family, headers, body, odd]) => ({
      family,
      headers,
      body,
      expect: odd ? ('any' as const) : bodyExpect,
    })),
  );
  // Credentials that are not (the input must be refused before anything else).
  add(
    1,
    TAMPERED_AUTH.map((a) => ({ family: 'auth-tampered', headers: { authorization: a }, authTampered: true })),
  );
  if (e.body) {
    const first = Object.keys(e.body)[0]!;
    add(
      1,
      deepJson.map((d) => ({ family: 'body-deep-json', body: `{${JSON.stringify(first)}:${d.text}}`, headers: { 'content-type': 'application/json' } })),
    );
  } else if (!e.writes && !e.generic) {
    add(
      1,
      deepJson.map((d) => ({ family: 'body-deep-json', body: d.text, headers: { 'content-type': 'application/json' }, expect: 'any' as const })),
    );
  }

  return fc
    .tuple(fc.oneof(...families), extraHeaders, validBodyText, validQuery)
    .map(([p, extra, bodyText, q]) => make(p, extra, bodyText, p.q ?? (p.query ? {} : q)))
    .filter((r) => r.url.length <= MAX_URL);
}

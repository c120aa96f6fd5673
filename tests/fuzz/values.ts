import fc from 'fast-check';

/**
 * Value-level generators for the HTTP fuzz test (tests/integration/fuzz.test.ts): strings, numbers and JSON that a
 * sloppy or hostile client sends. Everything is bounded so 500 inputs per endpoint stay fast.
 */

/** A JSON fragment written verbatim: numbers JSON.stringify cannot write (1e309, -0, 1e-400) and very deep nesting. */
export class RawJson {
  constructor(readonly text: string) {}
  [fc.toStringMethod](): string {
    return `RawJson(${this.text.length > 80 ? `${this.text.slice(0, 80)}… (${this.text.length} chars)` : this.text})`;
  }
}

/** JSON text of a value that may hold RawJson fragments. Keys such as `__proto__` stay ordinary keys. */
export function toJsonText(v: unknown): string {
  if (v instanceof RawJson) return v.text;
  if (Array.isArray(v)) return `[${v.map(toJsonText).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}:${toJsonText(x)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** An object with `key` set as an own property (also for `__proto__`, which `o[key] = v` would not make a key). */
export function withKey(o: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  return Object.fromEntries([...Object.entries(o).filter(([k]) => k !== key), [key, value]]);
}

export function withoutKey(o: Record<string, unknown>, key: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));
}

/** A string of `n` characters made cheaply (fast-check builds it from a length, so it shrinks to the boundary). */
export const longString = (min: number, max: number, fill = 'x') => fc.integer({ min, max }).map((n) => fill.repeat(Math.ceil(n / fill.length)).slice(0, n));

/** Characters that break naive code: NUL and other controls, lone surrogates, direction marks, BOM, zero-width joiners. */
export const ODD_CHARS = [
  '\u0000',
  '\u0001',
  '\u001f',
  '\u007f',
  '\n',
  '\r\n',
  '\t',
  '\uD800',
  '\uDFFF',
  '\uDBFF\uDBFF',
  '\u202E',
  '\u200F',
  '\u200E',
  '\u2066',
  '\uFEFF',
  '\u200D',
  '\u0301',
  '\uFFFD',
  '\uFFFF',
  '\u{10FFFF}',
  '\u{1F4A9}',
  '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}',
  'ﷺ',
  '٣',
  '１',
  'İ',
  'ß',
];

/** Strings that look like something else: numbers at the edges, SQL, markup, paths, format strings. */
export const TRICKY_STRINGS = [
  '',
  ' ',
  '   ',
  'NaN',
  'Infinity',
  '-Infinity',
  '-0',
  '0',
  '-1',
  '1e308',
  '1e309',
  '-1e308',
  '5e-324',
  '9007199254740993',
  '-9007199254740993',
  '0x1F',
  '1_000',
  '1.5',
  '+1',
  ' 1',
  '1 ',
  'null',
  'undefined',
  'true',
  'false',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  "x'; DROP TABLE domain_events; --",
  '" OR 1=1 --',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%00',
  '%s%s%s%n',
  '${7*7}',
  '{{7*7}}',
  'C:\\',
  '/dev/null',
  'file:///etc/passwd',
  'http://169.254.169.254/',
  '\u0000../\u0000',
];

/** A short string with odd characters spliced in. */
export const oddString = fc
  .tuple(fc.string({ maxLength: 12 }), fc.constantFrom(...ODD_CHARS), fc.string({ maxLength: 12 }), fc.constantFrom(...ODD_CHARS))
  .map(([a, x, b, y]) => `${a}${x}${b}${y}`);

/** Any string worth sending where a string is expected (may be valid for the field: callers decide). */
export const nastyString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TRICKY_STRINGS) },
  { weight: 3, arbitrary: oddString },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 40 }) },
  { weight: 1, arbitrary: longString(200, 5000) },
);

/** Numbers at the edges, as JSON (RawJson for what JSON.stringify would turn into null or 0). */
export const edgeNumber: fc.Arbitrary<number | RawJson> = fc.oneof(
  fc.constantFrom<number | RawJson>(
    0,
    -1,
    1.5,
    -1.5,
    1e308,
    -1e308,
    Number.MAX_VALUE,
    Number.MIN_VALUE,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER + 1,
    -Number.MAX_SAFE_INTEGER - 1,
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 64,
    1e21,
    new RawJson('-0'),
    new RawJson('1e309'),
    new RawJson('-1e309'),
    new RawJson('1e-400'),
    new RawJson('123456789012345678901234567890'),
    new RawJson('0.1e1'),
    new RawJson('1E+2'),
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** A JSON value nested `depth` levels deep (arrays or objects), as text: cheap to make, expensive to mishandle. */
export const deepJson = fc
  .tuple(fc.integer({ min: 50, max: 5000 }), fc.boolean())
  .map(([depth, arrays]) => new RawJson(arrays ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`));

/** Any JSON value, with odd strings, edge numbers and deep nesting among them. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 2, arbitrary: nastyString },
  { weight: 2, arbitrary: edgeNumber },
  { weight: 1, arbitrary: deepJson },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
);

/** A JSON value that is not a string (for fields that must be one). */
export const notAString: fc.Arbitrary<unknown> = fc.oneof(
  edgeNumber,
  fc.constantFrom(null, true, false, [], {}, [''], { value: 'x' }),
  fc.array(nastyString, { minLength: 1, maxLength: 3 }),
  deepJson,
);

/** A JSON value that is not a number (numeric-looking strings included). */
export const notANumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...TRICKY_STRINGS),
  fc.constantFrom(null, true, false, [], {}, [1], { value: 1 }),
  deepJson,
);

/** A JSON value that is not a boolean. */
export const notABoolean: fc.Arbitrary<unknown> = fc.oneof(fc.constantFrom('true', 'false', 1, 0, null, [], {}, 'yes', [true]), edgeNumber, nastyString);

/** Key names a schema does not know (assumed: the caller filters out the known ones). */
export const unknownKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'admin', 'role', 'id', 'x', 'status[]', 'a.b', '$where', ' ', '\u0000'),
  fc.string({ minLength: 1, maxLength: 20 }),
  oddString,
);

/**
 * Percent-encodes a string for a URL path segment or query value, byte by byte. Lone surrogates become the bytes
 * ED A0 80 … (CESU-8), which is not UTF-8: the server must cope with that too.
 */
export function pct(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += encodeURIComponent(s.slice(i, i + 2));
        i++;
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      out += `%${(0xe0 | (c >> 12)).toString(16).toUpperCase()}%${(0x80 | ((c >> 6) & 0x3f)).toString(16).toUpperCase()}%${(0x80 | (c & 0x3f)).toString(16).toUpperCase()}`;
      continue;
    }
    out += encodeURIComponent(s[i]!);
  }
  return out;
}

/** Raw, already-encoded fragments for paths and query strings: broken escapes, encoded NUL and slashes, overlong UTF-8. */
export const RAW_URL_FRAGMENTS = [
  '%',
  '%0',
  '%zz',
  '%E0%A4%A',
  '%C0%AF',
  '%C0%80',
  '%FF%FE',
  '%ED%A0%80',
  '%00',
  '%2F',
  '%2E%2E%2F',
  '..%2F..%2F',
  '%252e%252e',
  '%5C',
  '%0D%0A',
  '%u0041',
  '+',
  '%20',
  ';',
  ',',
  '!',
  "'",
  '(',
  ')',
  '*',
  '~',
];

import fc from 'fast-check';
import zlib from 'node:zlib';
import { EVENT_TYPES, INGEST_LIMITS } from '../../src/contracts/index.js';
import { badId, BAD_CHARSET_TYPES, FuzzRequest, gzipBomb, malformedJson, NON_JSON_TYPES, notGzip } from './requests.js';
import { anyJson, longString, nastyString, notAString, RawJson, toJsonText, unknownKey, withKey, withoutKey } from './values.js';

/**
 * Bad bodies for POST /api/v1/events. Every event in a batch is certainly invalid (or a conflicting replay, or
 * refused by the sender policy), so the server must accept none of them: 207 with every result rejected, or a 4xx.
 */

const ALNUM = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-'.split('')), minLength: 1, maxLength: 16 });

/** Valid events of several types, to be broken one field at a time. */
const TEMPLATES: { entityType: string; event: (id: string, entityId: string) => Record<string, unknown> }[] = [
  {
    entityType: 'project',
    event: (id, e) => ({
      id,
      source: 'fuzz',
      type: 'project.upserted',
      occurredAt: '2026-11-29T08:00:00Z',
      entity: { type: 'project', id: e },
      payload: { name: 'Fuzz', status: 'in_progress' },
    }),
  },
  {
    entityType: 'story',
    event: (id, e) => ({
      id,
      source: 'fuzz',
      type: 'story.upserted',
      occurredAt: '2026-11-29T08:00:00Z',
      entity: { type: 'story', id: e },
      payload: { projectId: 'p-fuzz', title: 'T', status: 'queued' },
    }),
  },
  {
    entityType: 'workflow',
    event: (id, e) => ({
      id,
      source: 'fuzz',
      type: 'workflow.upserted',
      occurredAt: '2026-11-29T08:00:00Z',
      entity: { type: 'workflow', id: e },
      payload: { name: 'W', status: 'queued' },
    }),
  },
  {
    entityType: 'agent',
    event: (id, e) => ({
      id,
      source: 'fuzz',
      type: 'agent.upserted',
      occurredAt: '2026-11-29T08:00:00Z',
      entity: { type: 'agent', id: e },
      payload: { name: 'A', type: 'dev' },
    }),
  },
  {
    entityType: 'user',
    event: (id, e) => ({
      id,
      source: 'fuzz',
      type: 'user.upserted',
      occurredAt: '2026-11-29T08:00:00Z',
      entity: { type: 'user', id: e },
      payload: { email: 'u@example.test', displayName: 'U' },
    }),
  },
  {
    entityType: 'cost',
    event: (id, e) => ({
      id,
      source: 'fuzz',
      type: 'cost.recorded',
      occurredAt: '2026-11-29T08:00:00Z',
      entity: { type: 'cost', id: e },
      payload: { amount: 1.25, currency: 'USD' },
    }),
  },
  {
    entityType: 'sync',
    event: (id, e) => ({
      id,
      source: 'fuzz',
      type: 'sync.reported',
      occurredAt: '2026-11-29T08:00:00Z',
      entity: { type: 'sync', id: e },
      payload: { module: 'story', status: 'ok' },
    }),
  },
];

/** Valid event templates (the test checks they are valid, so every mutation below is what makes an event bad). */
export const validEventTemplates = (): Record<string, unknown>[] => TEMPLATES.map((t, i) => t.event(`fuzz-template-${i}`, `fuzz-entity-${i}`));

const template = fc
  .tuple(fc.integer({ min: 0, max: TEMPLATES.length - 1 }), ALNUM, ALNUM)
  .map(([i, id, entity]) => ({ entityType: TEMPLATES[i]!.entityType, event: TEMPLATES[i]!.event(`fz-${id}`, `fz-${entity}`) }));

const ENVELOPE_KEYS = ['id', 'source', 'type', 'occurredAt', 'entity', 'projectId', 'storyId', 'workflowId', 'correlationId', 'payload'];
const REQUIRED = ['id', 'source', 'type', 'occurredAt', 'entity', 'payload'];
const CONTEXT_OF: Record<string, string> = { project: 'projectId', story: 'storyId', workflow: 'workflowId' };

const badIdValue = fc.oneof(
  notAString.filter((v) => v !== null),
  badId,
);
const notAnObject = anyJson.filter((v) => v === null || typeof v !== 'object' || Array.isArray(v) || (v instanceof RawJson && !v.text.startsWith('{')));
const badInstant = fc.oneof(
  notAString,
  fc.constantFrom(
    'yesterday',
    '2026-11-29',
    '2026-11-29T08:00:00',
    '2026-02-30T08:00:00Z',
    '1969-12-31T23:59:59Z',
    '1764403200000',
    '',
    '2026-11-29T08:00:00Z\u0000',
    'x'.repeat(41),
  ),
);

const deepJsonObject = fc.integer({ min: 100, max: 20_000 }).map((d) => new RawJson(`{"events":[${'['.repeat(d)}${']'.repeat(d)}]}`));

type Mutation = [string, (e: Record<string, unknown>, entityType: string) => Record<string, unknown>];

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  badIdValue.map((v): Mutation => ['id', (e) => withKey(e, 'id', v)]),
  fc.oneof(badIdValue, longString(65, 200)).map((v): Mutation => ['source', (e) => withKey(e, 'source', v)]),
  fc
    .oneof(
      notAString,
      nastyString.filter((s) => !(EVENT_TYPES as readonly string[]).includes(s)),
      fc.constantFrom('Project.Upserted', 'project.upserted ', 'project.*', 'project'),
    )
    .map((v): Mutation => ['type', (e) => withKey(e, 'type', v)]),
  badInstant.map((v): Mutation => ['occurredAt', (e) => withKey(e, 'occurredAt', v)]),
  fc
    .oneof(
      notAnObject,
      badId.map((id) => ({ type: 'project', id })),
      fc.constant({ id: 'x' }),
      fc.constant({ type: 'project' }),
      fc
        .tuple(
          unknownKey.filter((k) => k !== 'type' && k !== 'id'),
          anyJson,
        )
        .map(([k, v]) => withKey({ type: 'project', id: 'x' }, k, v)),
      longString(33, 100).map((type) => ({ type, id: 'x' })),
    )
    .map((v): Mutation => ['entity', (e) => withKey(e, 'entity', v)]),
  fc
    .tuple(fc.constantFrom('project', 'story', 'workflow', 'agent', 'user', 'cost', 'sync', 'document', '', 'PROJECT'), ALNUM)
    .map(([type, id]): Mutation => ['entity-type-mismatch', (e, entityType) => withKey(e, 'entity', { type: type === entityType ? `${type}x` : type, id })]),
  fc.tuple(fc.constantFrom('projectId', 'storyId', 'workflowId', 'correlationId'), badIdValue).map(([k, v]): Mutation => [`${k}-bad`, (e) => withKey(e, k, v)]),
  notAnObject.map((v): Mutation => ['payload-not-an-object', (e) => withKey(e, 'payload', v)]),
  fc.constantFrom(...REQUIRED).map((k): Mutation => [`missing-${k}`, (e) => withoutKey(e, k)]),
  fc
    .tuple(
      unknownKey.filter((k) => !ENVELOPE_KEYS.includes(k)),
      anyJson,
    )
    .map(([k, v]): Mutation => ['envelope-extra-key', (e) => withKey(e, k, v)]),
  fc
    .tuple(
      fc.oneof(
        ALNUM.map((k) => `fuzz_${k}`),
        fc.constantFrom('__proto__', 'constructor', 'toString'),
      ),
      anyJson,
    )
    .map(([k, v]): Mutation => ['payload-extra-key', (e) => withKey(e, 'payload', withKey(e.payload as Record<string, unknown>, k, v))]),
  ALNUM.map((other): Mutation => [
    'context-contradicts-entity',
    // Only a project, story or workflow event implies a context id; for the others an extra envelope key breaks it.
    (e, entityType) => (CONTEXT_OF[entityType] ? withKey(e, CONTEXT_OF[entityType], `other-${other}`) : withKey(e, 'fuzz_extra', other)),
  ]),
  fc.constantFrom('bmad-ops-ui', 'otlp', 'bmad-ops-demo').map((s): Mutation => ['server-source', (e) => withKey(e, 'source', s)]),
  fc.constant<Mutation>([
    'server-only-type',
    (e) => ({ ...e, type: 'project.budget_set', entity: { type: 'project', id: 'p-fuzz' }, payload: { amount: 5, currency: 'USD' } }),
  ]),
);

/** One valid event with one thing broken. */
const badEvent = fc.tuple(template, mutation).map(([t, [, mutate]]) => mutate(t.event, t.entityType));

export function badIngestRequests(opts: { authorization: string; conflicting: fc.Arbitrary<Record<string, unknown>> }): fc.Arbitrary<FuzzRequest> {
  const json = { 'content-type': 'application/json' };
  const req = (family: string, body: string | Buffer, headers: Record<string, string> = json, expect: 'reject' | 'any' = 'reject', authTampered = false) =>
    new FuzzRequest(family, 'POST', '/api/v1/events', '', { authorization: opts.authorization, ...headers }, body, expect, authTampered);
  const batch = fc.array(fc.oneof({ weight: 9, arbitrary: badEvent }, { weight: 1, arbitrary: opts.conflicting }), { minLength: 1, maxLength: 4 });
  const validText = fc.constant(toJsonText({ events: validEventTemplates() }));
  return fc.oneof(
    {
      weight: 14,
      arbitrary: fc
        .tuple(
          batch,
          fc.option(
            fc.tuple(
              unknownKey.filter((k) => k !== 'events'),
              anyJson,
            ),
          ),
        )
        .map(([events, extra]) => req('bad-events', toJsonText(extra ? withKey({ events }, extra[0], extra[1]) : { events }))),
    },
    {
      weight: 3,
      arbitrary: fc
        .oneof(
          notAnObject,
          notAnObject.filter((v) => !Array.isArray(v)).map((v) => ({ events: v })),
          fc.constantFrom({ events: [] }, {}, { evnts: [1] }, { Events: [1] }),
          deepJsonObject,
        )
        .map((v) => req('bad-envelope', toJsonText(v))),
    },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: INGEST_LIMITS.maxEvents + 1, max: INGEST_LIMITS.maxEvents + 50 })
        .map((n) => req('too-many-events', `{"events":[${Array.from({ length: n }, () => '0').join(',')}]}`)),
    },
    { weight: 3, arbitrary: malformedJson(validText).map((s) => req('malformed-json', s)) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...NON_JSON_TYPES, ''), batch)
        .map(([type, events]) => req('wrong-content-type', toJsonText({ events }), type === '' ? {} : { 'content-type': type })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...BAD_CHARSET_TYPES), batch)
        .map(([type, events]) => req('bad-charset', toJsonText({ events }), { 'content-type': type })),
    },
    { weight: 2, arbitrary: notGzip.map((b) => req('corrupt-gzip', b, { ...json, 'content-encoding': 'gzip' })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('deflate', 'br'), fc.uint8Array({ minLength: 1, maxLength: 300 }))
        .map(([enc, b]) => req(`random-${enc}`, Buffer.from(b), { ...json, 'content-encoding': enc }, 'any')),
    },
    { weight: 1, arbitrary: batch.map((events) => req('gzip-bad-events', zlib.gzipSync(toJsonText({ events })), { ...json, 'content-encoding': 'gzip' })) },
    { weight: 1, arbitrary: fc.constant(null).map(() => req('gzip-bomb', gzipBomb(INGEST_LIMITS.maxBytes), { ...json, 'content-encoding': 'gzip' })) },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 1, max: 4096 }).map((n) => req('over-body-limit', `{"events":[${JSON.stringify('e'.repeat(INGEST_LIMITS.maxBytes + n))}]}`)),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('compress', 'zstd', 'x-bogus'), batch)
        .map(([enc, events]) => req('unknown-encoding', toJsonText({ events }), { ...json, 'content-encoding': enc })),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('Bearer', 'Bearer x', 'Basic Zm9vOmJhcg==', 'Bearer bmo_k_x.y', `Bearer ${'k'.repeat(600)}`)
        .map(
          (a) =>
            new FuzzRequest(
              'auth-tampered',
              'POST',
              '/api/v1/events',
              '',
              { ...json, authorization: a },
              toJsonText({ events: validEventTemplates() }),
              'reject',
              true,
            ),
        ),
    },
  );
}

import fc from 'fast-check';
import { testBackend } from '../support/postgres.js';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ENDPOINTS as CATALOGUE,
  endpointKey,
  fullPath,
  AUDIT_OUTCOMES,
  COST_BUCKETS,
  COST_GROUP_BY,
  COST_WINDOWS,
  errorBodySchema,
  FLOW_BUCKETS,
  FLOW_SOURCE_KINDS,
  ingestResponseSchema,
  isKnownTimeZone,
  KPI_KEYS,
  loginResponseSchema,
  parseIncomingEvent,
  ROLES,
  STATUSES,
  STATUS_WINDOWS,
} from '../../src/contracts/index.js';
import { databaseFile } from '../../src/server/config.js';
import { DbWatch, diff, type Snapshot } from '../fuzz/db-watch.js';
import { badIngestRequests, validEventTemplates } from '../fuzz/ingest.js';
import { badOtlpRequests, decodeStatus } from '../fuzz/otlp.js';
import {
  badId,
  badRequests,
  boolParam,
  csvParam,
  enumParam,
  idListParam,
  idParam,
  instantParam,
  intParam,
  textParam,
  tzParam,
  type Endpoint,
  type FieldSpec,
  type FuzzRequest,
  type ParamSpec,
  type QuerySpec,
} from '../fuzz/requests.js';
import { edgeNumber, longString, nastyString, notABoolean, notANumber, notAString, pct, RawJson } from '../fuzz/values.js';
import { agentUpserted, costRecorded, projectUpserted, storyUpserted, workflowUpserted } from '../support/events.js';
import { ADMIN, startTestServer, type TestServer } from '../support/test-server.js';

/**
 * Issue 13 §4: every HTTP endpoint under /api/v1 and the OTLP receiver gets at least 500 generated bad inputs
 * (fast-check), signed in as a manager (or with the ingest key) so they reach validation. No answer may be a 5xx, a
 * certainly invalid input gets a 4xx, every 4xx carries the error body with a code (422s with field messages), and
 * nothing is stored: every table's rows are compared after each input with how they were before it.
 * A failure names the first input that broke it, as generated and as shrunk by fast-check.
 *
 * The table below says, per endpoint, what its path parameters, query and body accept; tests/fuzz/requests.ts turns
 * that into bad requests (odd and invalid path segments; unknown, repeated, missing and badly valued query parameters;
 * wrong types, missing and extra fields, huge strings, deep nesting, malformed JSON, wrong content types, corrupt or
 * unknown encodings, bodies over the limit; tampered credentials). POST /events and the OTLP receiver have their own
 * generators (tests/fuzz/ingest.ts, tests/fuzz/otlp.ts). Routes found in the source but missing from the table are
 * fuzzed with the inputs every route must refuse, and named in a warning.
 */

const RUNS = 500;
const API = '/api/v1';

// ---------- the endpoints ----------

const PROJECT = 'p-fuzz';
const STORY = 's-fuzz';
const WORKFLOW = 'wf-fuzz';

const id = (valid: string): ParamSpec => ({ valid, bad: badId.map(pct) });
const page = { page: intParam(1, 100_000), pageSize: intParam(1, 200) };
const statusList = csvParam(STATUSES, 20, 500);
const tz = tzParam(isKnownTimeZone);
const instantPair = (maxDays: number) =>
  fc
    .tuple(
      fc.date({ min: new Date('1970-01-02T00:00:00Z'), max: new Date('9990-01-01T00:00:00Z'), noInvalidDate: true }),
      fc.integer({ min: 1, max: maxDays * 86_400 }),
    )
    .map(([start, secs]) => ({ start: start.toISOString(), end: new Date(start.getTime() + secs * 1000).toISOString() }));
const afterParam: QuerySpec = {
  valid: fc.oneof(fc.nat().map(String), fc.constantFrom('0', '999999999999999')),
  bad: fc.oneof(
    fc.constantFrom('-1', '1.5', '1e3', 'NaN', '', ' 1', '0x1', '9999999999999999', '١٢'),
    nastyString.filter((s) => !/^\d{1,15}$/.test(s)),
  ),
};
const lineageRef: ParamSpec = {
  valid: 'event:1',
  bad: fc
    .oneof(fc.constantFrom('event:', 'metric:', 'event', 'EVENT:1', 'event:1/2', 'event:a.b', 'x:1', ':1', 'event::1', `event:${'a'.repeat(200)}`), nastyString)
    .filter((s) => s !== '' && (s.length > 200 || !/^(metric|event):[A-Za-z0-9_-]+$/.test(s)))
    .map(pct),
};

const str = (valid: fc.Arbitrary<string>, min: number, max: number, trim = false): FieldSpec => ({
  valid,
  bad: fc.oneof(
    notAString,
    ...(min > 0 ? [fc.constant(''), ...(trim ? [fc.constant('   ')] : [])] : []),
    longString(max + 1, max + 3000),
    ...(min > 1 ? [longString(1, min - 1)] : []),
  ),
  required: true,
});
const enumField = (values: readonly string[], required = false): FieldSpec => ({
  valid: fc.constantFrom(...values),
  bad: fc.oneof(notAString, enumParam(values).bad),
  required,
});

const ENDPOINTS: Endpoint[] = [
  // Mounted before the JSON parser: it never reads a body.
  { method: 'GET', path: `${API}/health`, auth: 'session', bodyLimit: 64 * 1024, ignoresBody: true },
  {
    method: 'POST',
    path: `${API}/auth/login`,
    auth: 'none',
    bodyLimit: 64 * 1024,
    writes: true,
    body: {
      email: str(
        fc.oneof(
          fc.constantFrom('nobody@example.test', ADMIN.email, ADMIN.email.toUpperCase(), ` ${ADMIN.email} `),
          nastyString.filter((s) => s.trim().length >= 1 && s.trim().length <= 254),
        ),
        1,
        254,
        true,
      ),
      password: str(
        fc.oneof(
          fc.constant('not the password'),
          nastyString.filter((s) => s.length >= 1 && s.length <= 1024 && s !== ADMIN.password),
        ),
        1,
        1024,
      ),
      issueToken: { valid: fc.boolean(), bad: notABoolean },
    },
  },
  { method: 'POST', path: `${API}/auth/logout`, auth: 'session', bodyLimit: 64 * 1024, writes: true },
  { method: 'GET', path: `${API}/auth/me`, auth: 'session', bodyLimit: 64 * 1024 },
  { method: 'GET', path: `${API}/auth/providers`, auth: 'none', bodyLimit: 64 * 1024 },
  { method: 'GET', path: `${API}/openapi.json`, auth: 'none', bodyLimit: 64 * 1024 },
  {
    method: 'PUT',
    path: `${API}/auth/me/preferences`,
    auth: 'session',
    bodyLimit: 64 * 1024,
    writes: true,
    body: { theme: enumField(['light', 'dark', 'system']) },
  },
  { method: 'GET', path: `${API}/meta/status-model`, auth: 'session', bodyLimit: 64 * 1024 },
  { method: 'GET', path: `${API}/meta/workspace`, auth: 'session', bodyLimit: 64 * 1024 },
  { method: 'GET', path: `${API}/meta/kpis`, auth: 'session', bodyLimit: 64 * 1024 },
  { method: 'GET', path: `${API}/directory`, auth: 'session', bodyLimit: 64 * 1024 },
  {
    method: 'GET',
    path: `${API}/workflows`,
    auth: 'session',
    bodyLimit: 64 * 1024,
    query: { status: statusList, ownerId: idParam, projectId: idParam, agentId: idParam, storyId: idParam, ...page },
  },
  { method: 'GET', path: `${API}/workflows/:id`, auth: 'session', bodyLimit: 64 * 1024, params: { id: id(WORKFLOW) } },
  {
    method: 'GET',
    path: `${API}/workflows/:id/transitions`,
    auth: 'session',
    bodyLimit: 64 * 1024,
    params: { id: id(WORKFLOW) },
    query: { limit: intParam(1, 1000) },
  },
  {
    method: 'GET',
    path: `${API}/projects`,
    auth: 'session',
    bodyLimit: 64 * 1024,
    query: { status: statusList, ownerId: idParam, riskFlag: boolParam, overdue: boolParam, ...page },
  },
  { method: 'GET', path: `${API}/projects/:id`, auth: 'session', bodyLimit: 64 * 1024, params: { id: id(PROJECT) } },
  { method: 'GET', path: `${API}/projects/:id/context`, auth: 'session', bodyLimit: 64 * 1024, params: { id: id(PROJECT) } },
  { method: 'GET', path: `${API}/projects/:id/integrity`, auth: 'session', bodyLimit: 64 * 1024, params: { id: id(PROJECT) } },
  {
    method: 'GET',
    path: `${API}/projects/:id/flow`,
    auth: 'session',
    bodyLimit: 64 * 1024,
    params: { id: id(PROJECT) },
    query: { start: instantParam, end: instantParam, bucket: enumParam(FLOW_BUCKETS), tz },
    validQuery: fc
      .tuple(fc.option(instantPair(800)), fc.option(fc.constantFrom(...FLOW_BUCKETS)), fc.option(tz.valid))
      .map(([range, bucket, zone]) => ({ ...(range ?? {}), ...(bucket ? { bucket } : {}), ...(zone ? { tz: zone } : {}) })),
  },
  {
    method: 'GET',
    path: `${API}/projects/:id/flow/sources`,
    auth: 'session',
    bodyLimit: 64 * 1024,
    params: { id: id(PROJECT) },
    query: {
      kind: { ...enumParam(FLOW_SOURCE_KINDS), required: true },
      start: { ...instantParam, required: true },
      end: { ...instantParam, required: true },
      column: textParam(64),
      epic: textParam(200),
    },
    validQuery: fc
      .tuple(fc.constantFrom(...FLOW_SOURCE_KINDS), instantPair(800), fc.option(textParam(64).valid), textParam(200).valid)
      .map(([kind, range, column, epic]) => ({ kind, ...range, ...(column ? { column } : {}), ...(kind === 'burndown' ? { epic } : {}) })),
  },
  { method: 'PUT', path: `${API}/projects/:id/budget`, auth: 'session', bodyLimit: 64 * 1024, writes: true, params: { id: id(PROJECT) }, body: budgetBody() },
  { method: 'DELETE', path: `${API}/projects/:id/budget`, auth: 'session', bodyLimit: 64 * 1024, writes: true, params: { id: id(PROJECT) } },
  {
    method: 'GET',
    path: `${API}/stories`,
    auth: 'session',
    bodyLimit: 64 * 1024,
    query: { projectId: idParam, column: textParam(64), status: statusList, ...page },
  },
  { method: 'GET', path: `${API}/stories/:id`, auth: 'session', bodyLimit: 64 * 1024, params: { id: id(STORY) } },
  {
    method: 'PATCH',
    path: `${API}/stories/:id/status`,
    auth: 'session',
    bodyLimit: 64 * 1024,
    writes: true,
    params: { id: id(STORY) },
    body: {
      to: enumField(STATUSES, true),
      from: enumField(STATUSES),
      reason: { valid: nastyString.filter((s) => s.trim().length <= 2000), bad: fc.oneof(notAString, longString(2001, 5000)) },
    },
  },
  { method: 'GET', path: `${API}/kanban/board`, auth: 'session', bodyLimit: 64 * 1024, query: { projectId: { ...idParam, required: true } } },
  { method: 'GET', path: `${API}/sync/status`, auth: 'session', bodyLimit: 64 * 1024 },
  { method: 'GET', path: `${API}/status`, auth: 'session', bodyLimit: 64 * 1024, query: { window: enumParam(STATUS_WINDOWS) } },
  {
    method: 'GET',
    path: `${API}/costs/summary`,
    auth: 'session',
    bodyLimit: 64 * 1024,
    query: { window: enumParam(COST_WINDOWS), start: instantParam, end: instantParam, projectId: idParam, groupBy: enumParam(COST_GROUP_BY) },
    validQuery: fc
      .tuple(
        fc.oneof(
          fc.constantFrom('24h', '7d', '30d').map((window) => ({ window })),
          instantPair(400).map((r) => ({ window: 'custom', ...r })),
        ),
        fc.option(fc.constantFrom(...COST_GROUP_BY)),
        fc.option(idParam.valid),
      )
      .map(([w, groupBy, projectId]) => ({ ...w, ...(groupBy ? { groupBy } : {}), ...(projectId ? { projectId } : {}) })),
  },
  {
    method: 'GET',
    path: `${API}/costs/timeseries`,
    auth: 'session',
    bodyLimit: 64 * 1024,
    query: { bucket: enumParam(COST_BUCKETS), start: { ...instantParam, required: true }, end: { ...instantParam, required: true }, projectId: idParam, tz },
    validQuery: fc
      .tuple(instantPair(400), fc.option(fc.constantFrom(...COST_BUCKETS)), fc.option(tz.valid), fc.option(idParam.valid))
      .map(([range, bucket, zone, projectId]) => ({
        ...range,
        ...(bucket ? { bucket } : {}),
        ...(zone ? { tz: zone } : {}),
        ...(projectId ? { projectId } : {}),
      })),
  },
  {
    method: 'GET',
    path: `${API}/analytics/agents/trends`,
    auth: 'session',
    bodyLimit: 64 * 1024,
    query: {
      agentIds: idListParam(50, 4000),
      kpis: csvParam(KPI_KEYS, KPI_KEYS.length, 4000, true),
      start: { ...instantParam, required: true },
      end: { ...instantParam, required: true },
      bucket: enumParam(['hour', 'day']),
    },
    validQuery: fc
      .tuple(
        instantPair(400),
        fc.option(fc.constantFrom('hour', 'day')),
        fc.option(idListParam(50, 4000).valid),
        fc.option(csvParam(KPI_KEYS, KPI_KEYS.length, 4000, true).valid),
      )
      .map(([range, bucket, agentIds, kpis]) => ({ ...range, ...(bucket ? { bucket } : {}), ...(agentIds ? { agentIds } : {}), ...(kpis ? { kpis } : {}) })),
  },
  {
    method: 'GET',
    path: `${API}/analytics/agents/outliers`,
    auth: 'session',
    bodyLimit: 64 * 1024,
    query: {
      agentIds: idListParam(50, 4000),
      kpi: enumParam(KPI_KEYS),
      start: { ...instantParam, required: true },
      end: { ...instantParam, required: true },
      limit: intParam(1, 1000, 4),
    },
    validQuery: fc
      .tuple(instantPair(400), fc.option(fc.constantFrom(...KPI_KEYS)), fc.option(intParam(1, 1000, 4).valid))
      .map(([range, kpi, limit]) => ({ ...range, ...(kpi ? { kpi } : {}), ...(limit ? { limit } : {}) })),
  },
  {
    method: 'GET',
    path: `${API}/analytics/lineage/:lineageRef`,
    auth: 'session',
    bodyLimit: 64 * 1024,
    params: { lineageRef },
    query: { limit: intParam(1, 1000, 4), after: afterParam },
  },
  {
    method: 'GET',
    path: `${API}/documents`,
    auth: 'session',
    bodyLimit: 64 * 1024,
    query: { projectId: idParam, storyId: idParam, kind: textParam(64), ...page },
  },
  { method: 'GET', path: `${API}/documents/:id`, auth: 'session', bodyLimit: 64 * 1024, params: { id: id('doc-fuzz') } },
  { method: 'GET', path: `${API}/documents/:id/content`, auth: 'session', bodyLimit: 64 * 1024, params: { id: id('doc-fuzz') } },
  ...adminEndpoints(),
];

/** Settings for managers. Every change writes, and a valid GET /admin/backup copies the database: bad inputs only. */
function adminEndpoints(): Endpoint[] {
  const userId = id('u-fuzz-none');
  const keyId = id('k-fuzz-none');
  const label = (max: number) => str(fc.constantFrom('Fuzz Person', 'fuzz-key'), 1, max, true);
  return [
    { method: 'GET', path: `${API}/admin/users`, auth: 'session', bodyLimit: 64 * 1024 },
    {
      method: 'POST',
      path: `${API}/admin/users`,
      auth: 'session',
      bodyLimit: 64 * 1024,
      writes: true,
      body: {
        email: str(fc.constant('invited.by.fuzz@example.test'), 3, 254, true),
        role: enumField(ROLES, true),
        displayName: { ...label(100), required: false },
      },
    },
    {
      method: 'PATCH',
      path: `${API}/admin/users/:id`,
      auth: 'session',
      bodyLimit: 64 * 1024,
      writes: true,
      params: { id: userId },
      body: { role: enumField(ROLES), disabled: { valid: fc.boolean(), bad: notABoolean } },
    },
    { method: 'POST', path: `${API}/admin/users/:id/revoke-sessions`, auth: 'session', bodyLimit: 64 * 1024, writes: true, params: { id: userId } },
    { method: 'POST', path: `${API}/admin/users/:id/reset-password`, auth: 'session', bodyLimit: 64 * 1024, writes: true, params: { id: userId } },
    { method: 'GET', path: `${API}/admin/keys`, auth: 'session', bodyLimit: 64 * 1024 },
    {
      method: 'POST',
      path: `${API}/admin/keys`,
      auth: 'session',
      bodyLimit: 64 * 1024,
      writes: true,
      body: {
        name: label(100),
        scopes: {
          valid: fc.constantFrom(['read'], ['metrics'], ['ingest', 'read']),
          bad: fc.constantFrom([], ['root'], 'read', null, 42, [['read']], ['read', 'read', 'read', 'read']),
          required: true,
        },
        sources: {
          valid: fc.constantFrom('any', ['fuzz-source']),
          bad: fc.constantFrom(
            [],
            'all',
            ['bmad-ops-ui'],
            [''],
            null,
            7,
            Array.from({ length: 21 }, (_, i) => `s${i}`),
          ),
        },
        expiresInDays: { valid: fc.integer({ min: 1, max: 3650 }), bad: fc.oneof(notANumber, fc.constantFrom(0, -1, 3651, 1.5, new RawJson('1e309'))) },
      },
    },
    { method: 'DELETE', path: `${API}/admin/keys/:id`, auth: 'session', bodyLimit: 64 * 1024, writes: true, params: { id: keyId } },
    {
      method: 'GET',
      path: `${API}/admin/audit`,
      auth: 'session',
      bodyLimit: 64 * 1024,
      query: {
        action: {
          valid: fc.constantFrom('user.*', 'auth.login', 'key.revoke'),
          bad: fc.oneof(
            fc.constantFrom('', 'user', '*', 'user.**', 'USER.x', '.x', `a.${'b'.repeat(70)}`),
            nastyString.filter((v) => !/^[a-z][a-z_]*\.(?:[a-z_]+|\*)$/.test(v)),
          ),
        },
        actorId: idParam,
        targetId: idParam,
        outcome: enumParam(AUDIT_OUTCOMES),
        cursor: afterParam,
        pageSize: intParam(1, 200),
      },
      validQuery: fc.constant({}),
    },
    { method: 'GET', path: `${API}/admin/backup`, auth: 'session', bodyLimit: 64 * 1024, writes: true },
  ];
}

function budgetBody(): Record<string, FieldSpec> {
  return {
    amount: {
      valid: fc.oneof(fc.constantFrom(0.01, 1, 100, 1e9, Number.MIN_VALUE), fc.double({ min: 0.01, max: 1e9, noNaN: true })),
      bad: fc.oneof(
        notANumber,
        fc.constantFrom(
          0,
          -1,
          -0.01,
          1e9 + 0.5,
          1e308,
          Number.MAX_SAFE_INTEGER + 1,
          new RawJson('-0'),
          new RawJson('1e309'),
          new RawJson('-1e309'),
          new RawJson('1e-400'),
        ),
        edgeNumber.filter((n) => typeof n === 'number' && !(n > 0 && n <= 1e9)),
      ),
      required: true,
    },
    currency: {
      valid: fc.constantFrom('USD', 'EUR', 'JPY', 'XXX'),
      bad: fc.oneof(
        notAString,
        fc.constantFrom('usd', 'US', 'USDD', '', ' USD', 'USD ', 'ÜSD', 'U$D', '€'),
        nastyString.filter((s) => !/^[A-Z]{3}$/.test(s)),
      ),
      required: true,
    },
  };
}

/** An account's own password change. */
const OPTIONAL: Endpoint[] = [
  {
    method: 'POST',
    path: `${API}/auth/me/password`,
    auth: 'session',
    bodyLimit: 64 * 1024,
    writes: true,
    body: {
      currentPassword: str(
        fc.oneof(
          fc.constant('not the password'),
          nastyString.filter((s) => s.length >= 1 && s.length <= 1024 && s !== ADMIN.password),
        ),
        1,
        1024,
      ),
      newPassword: str(fc.oneof(fc.constant('a brand new password'), longString(12, 1024)), 12, 1024),
    },
  },
];

// ---------- the routes the server has, from the API catalogue it mounts them from ----------

/** Every /api/v1 endpoint and the OTLP receiver (`/metrics` is text for Prometheus, outside this run). */
function routesInSource(): string[] {
  return CATALOGUE.filter((e) => fullPath(e).startsWith(`${API}/`) || fullPath(e).startsWith('/v1/'))
    .map(endpointKey)
    .sort();
}

/** Routes added since the table was written: fuzzed with what every route must refuse (see Endpoint.generic). */
function genericEndpoint(route: string): Endpoint {
  const [method, p] = route.split(' ') as [Endpoint['method'], string];
  const params = Object.fromEntries([...p.matchAll(/:([A-Za-z]+)/g)].map((m) => [m[1]!, id('fz-none')]));
  return { method, path: p, auth: 'session', bodyLimit: 64 * 1024, writes: true, generic: true, params };
}

// ---------- server, credentials, what is stored ----------

let t: TestServer;
let agent: Agent;
let session: string;
let watch: DbWatch;
let baseline: Snapshot;
const seeded: Record<string, unknown>[] = [];
const statuses = new Map<string, Map<string, number>>();
const source = routesInSource();
const described = [...ENDPOINTS, ...OPTIONAL.filter((e) => source.includes(`${e.method} ${e.path}`))];
const SEPARATE = ['POST /api/v1/events', 'POST /v1/metrics', 'POST /v1/logs'];
const endpoints = [...described, ...source.filter((r) => !SEPARATE.includes(r) && !described.some((e) => `${e.method} ${e.path}` === r)).map(genericEndpoint)];

beforeAll(async () => {
  if (testBackend() === 'postgres') return;
  t = await startTestServer({
    config: {
      kanbanEditable: true,
      // The fuzz run is thousands of requests a second from one key and one address: the limiters must not answer first.
      ingest: { rateLimitPerSecond: 1_000_000 },
      auth: { loginAttemptsPerMinute: 1_000_000 },
      analytics: { rollupPollMs: 50 },
    },
  });
  agent = new Agent({ keepAliveTimeout: 30_000, connections: 4 });
  seeded.push(
    projectUpserted(PROJECT),
    storyUpserted(STORY, PROJECT),
    workflowUpserted(WORKFLOW, { projectId: PROJECT, storyId: STORY }),
    agentUpserted('a-fuzz'),
    costRecorded('c-fuzz', { projectId: PROJECT, storyId: STORY, agentId: 'a-fuzz', model: 'claude-sonnet-4-5' }),
  );
  const ingested = await t.ingest(seeded);
  expect(ingested.status, await ingested.clone().text()).toBe(200);
  const login = await t.post(`${API}/auth/login`, { email: ADMIN.email, password: ADMIN.password, issueToken: true }, null);
  expect(login.status).toBe(200);
  session = loginResponseSchema.parse(await login.json()).token!;
  // The rollup folds on a worker thread that may still be starting: wait for it, then for everything to be still.
  await t.server.core.rollup.drain();
  watch = new DbWatch(databaseFile(t.config));
  baseline = await settled();
}, 60_000);

afterAll(async () => {
  watch?.close();
  await agent?.close();
  await t?.close();
  const lines = [...statuses.entries()].map(
    ([e, m]) =>
      `  ${e}: ${[...m.entries()]
        .sort()
        .map(([s, n]) => `${s}×${n}`)
        .join(' ')}`,
  );
  console.log(`fuzz: responses by endpoint and status\n${lines.join('\n')}`);
});

/** Waits until the background jobs (rollups) have caught up: two snapshots 300 ms apart are the same. */
async function settled(): Promise<Snapshot> {
  let last = watch.snapshot();
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 300));
    const now = watch.snapshot();
    if (diff(last, now).length === 0) return now;
    last = now;
  }
  throw new Error('the database never settled after seeding');
}

function authorization(e: Endpoint): string | null {
  return e.auth === 'session' ? `Bearer ${session}` : e.auth === 'ingest' ? `Bearer ${t.keys.ingest}` : null;
}

interface Answer {
  status: number;
  type: string;
  body: Buffer;
}

async function send(r: FuzzRequest): Promise<Answer> {
  const res = await agent.request({
    origin: t.url,
    path: r.url,
    method: r.method,
    headers: r.headers,
    body: r.body ?? null,
    headersTimeout: 20_000,
    bodyTimeout: 20_000,
  });
  const body = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, type: String(res.headers['content-type'] ?? ''), body };
}

function count(endpoint: string, status: number) {
  const m = statuses.get(endpoint) ?? new Map<string, number>();
  m.set(String(status), (m.get(String(status)) ?? 0) + 1);
  statuses.set(endpoint, m);
}

const brief = (b: Buffer) => (b.length > 400 ? `${b.subarray(0, 400).toString()}… (${b.length} bytes)` : b.toString());

/** The API's answer to a bad input: below 500, and a 4xx is `{ error: { code, message, fields? } }`. */
function checkApiAnswer(r: FuzzRequest, a: Answer, opts: { invalidCredentialsIs401?: boolean } = {}): void {
  if (a.status >= 500) throw new Error(`${a.status}: ${brief(a.body)}`);
  if (a.status === 429) throw new Error(`rate limited, the input did not reach validation: ${brief(a.body)}`);
  if (a.status === 401 && !r.authTampered && !opts.invalidCredentialsIs401) throw new Error(`401 although the credentials were valid: ${brief(a.body)}`);
  if (r.expect === 'reject' && (a.status < 400 || a.status >= 500)) throw new Error(`a certainly invalid input was answered ${a.status}: ${brief(a.body)}`);
  if (a.status >= 400) {
    if (!a.type.startsWith('application/json')) throw new Error(`${a.status} with Content-Type "${a.type}", not the JSON error body: ${brief(a.body)}`);
    const parsed = errorBodySchema.safeParse(JSON.parse(a.body.toString('utf8')));
    if (!parsed.success) throw new Error(`${a.status} without the error body shape: ${brief(a.body)}`);
    if (parsed.data.error.code.trim() === '') throw new Error(`${a.status} with an empty error code`);
    if (a.status === 422 && !parsed.data.error.fields?.length) throw new Error(`422 without field errors: ${brief(a.body)}`);
  }
}

/** POST /events: a 4xx as above, or 207 with every event rejected. */
function checkIngestAnswer(r: FuzzRequest, a: Answer): void {
  if (a.status >= 300) return checkApiAnswer(r, a);
  if (a.status !== 207) throw new Error(`${a.status}: a batch of bad events was taken: ${brief(a.body)}`);
  const body = ingestResponseSchema.parse(JSON.parse(a.body.toString('utf8')));
  if (body.accepted > 0 || body.results.some((x) => x.status !== 'rejected')) throw new Error(`an invalid event was accepted: ${brief(a.body)}`);
  if (body.results.some((x) => x.status === 'rejected' && x.errors.length === 0)) throw new Error(`a rejection without field errors: ${brief(a.body)}`);
}

/** The OTLP receiver: below 500; a 4xx carries a google.rpc.Status (JSON, or protobuf for protobuf requests). */
function checkOtlpAnswer(r: FuzzRequest, a: Answer): void {
  if (a.status >= 500) throw new Error(`${a.status}: ${brief(a.body)}`);
  if (a.status === 429) throw new Error('rate limited, the input did not reach the decoder');
  if (a.status === 401 && !r.authTampered) throw new Error(`401 although the key was valid: ${brief(a.body)}`);
  if (r.expect === 'reject' && a.status < 400) throw new Error(`a certainly invalid export was answered ${a.status}: ${brief(a.body)}`);
  if (a.status >= 400) {
    const status = a.type.startsWith('application/x-protobuf')
      ? decodeStatus(a.body)
      : a.type.startsWith('application/json')
        ? (JSON.parse(a.body.toString('utf8')) as { code?: unknown; message?: unknown })
        : null;
    if (!status) throw new Error(`${a.status} with Content-Type "${a.type}": ${brief(a.body)}`);
    if (typeof status.code !== 'number' || status.code <= 0 || typeof status.message !== 'string' || status.message === '') {
      throw new Error(`${a.status} without a google.rpc.Status (code, message): ${brief(a.body)}`);
    }
  } else if (a.status !== 200) throw new Error(`unexpected ${a.status}`);
}

/**
 * Runs the property: every input answered well, and nothing stored by it (the database is compared after every input
 * with how it was before; SQLite's data_version says cheaply when there is nothing to compare). A failure reports the
 * first failing input as generated and as shrunk by fast-check (a store can make later inputs fail too, so the first
 * one is the one to read).
 */
async function fuzz(name: string, arb: fc.Arbitrary<FuzzRequest>, check: (r: FuzzRequest, a: Answer) => void): Promise<void> {
  let first: string | undefined;
  let last = { version: watch.version(), snapshot: watch.snapshot() };
  const details = await fc.check(
    fc.asyncProperty(arb, async (r) => {
      try {
        const a = await send(r);
        count(name, a.status);
        check(r, a);
        const version = watch.version();
        if (version !== last.version) {
          const snapshot = watch.snapshot();
          const changed = diff(last.snapshot, snapshot);
          last = { version, snapshot };
          if (changed.length > 0) throw new Error(`answered ${a.status} and stored something: ${changed.join('; ')}`);
        }
      } catch (err) {
        first ??= `${fc.stringify(r)}\n  → ${(err as Error).message}`;
        throw err;
      }
    }),
    { numRuns: RUNS },
  );
  if (details.failed) {
    const shrunk = details.counterexample ? fc.stringify(details.counterexample[0]) : '(none)';
    throw new Error(
      `${name}: failed after ${details.numRuns} inputs (seed ${details.seed}, path "${details.counterexamplePath}")\n` +
        `first failure: ${first}\nshrunk (${details.numShrinks} shrinks): ${shrunk}\n  → ${(details.errorInstance as Error | undefined)?.message}`,
    );
  }
  const drift = diff(baseline, watch.snapshot());
  expect(drift, `${name}: the database changed during the run`).toEqual([]);
}

// SQLite only: what is fuzzed is the HTTP layer, the same on both backends; the no-write oracle reads the SQLite file.
describe.skipIf(testBackend() === 'postgres')('fuzzing every endpoint with bad inputs', () => {
  it('the table covers every route the server registers', () => {
    const table = [...endpoints.map((e) => `${e.method} ${e.path}`), ...SEPARATE];
    expect(source.filter((r) => !table.includes(r))).toEqual([]);
    expect(table.filter((r) => !source.includes(r))).toEqual([]);
    // Routes the table does not describe yet are still fuzzed, with inputs every route must refuse: named here so
    // someone writes their entry.
    const generic = endpoints.filter((e) => e.generic).map((e) => `${e.method} ${e.path}`);
    if (generic.length > 0) console.warn(`fuzz: no table entry (schema-agnostic inputs only) for ${generic.join(', ')}`);
  });

  it('the event templates the ingestion fuzzer breaks are valid to begin with', () => {
    for (const e of validEventTemplates()) expect(parseIncomingEvent(e).ok, JSON.stringify(e)).toBe(true);
  });

  it('an unknown payload key is refused even when it is __proto__ (found by this fuzzer: z.record had dropped it)', () => {
    const [project] = validEventTemplates();
    const sent = JSON.parse(JSON.stringify(project).replace('"payload":{', '"payload":{"__proto__":{"x":1},')) as unknown;
    const parsed = parseIncomingEvent(sent);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.map((e) => e.path)).toContain('payload');
  });

  it.each(endpoints.map((e) => [`${e.method} ${e.path}`, e] as const))('%s', async (name, e) => {
    const login = e.path.endsWith('/auth/login');
    await fuzz(name, badRequests(e, { authorization: authorization(e) }), (r, a) => checkApiAnswer(r, a, { invalidCredentialsIs401: login }));
  });

  it('POST /api/v1/events', async () => {
    const conflicting = fc
      .tuple(fc.constantFrom(...seeded), fc.string({ minLength: 1, maxLength: 20 }))
      .map(([e, name]) => ({ ...e, payload: { ...(e.payload as object), name: `changed ${name}` } }));
    await fuzz('POST /api/v1/events', badIngestRequests({ authorization: `Bearer ${t.keys.ingest}`, conflicting }), checkIngestAnswer);
  });

  it.each(['metrics', 'logs'] as const)('POST /v1/%s', async (signal) => {
    await fuzz(`POST /v1/${signal}`, badOtlpRequests(signal, `Bearer ${t.keys.ingest}`), checkOtlpAnswer);
  });

  it('afterwards the manager is still signed in, the server serves, and nothing was stored', async () => {
    expect((await t.get(`${API}/auth/me`, session)).status).toBe(200);
    expect((await t.get(`${API}/health`, null)).status).toBe(200);
    expect(diff(baseline, watch.snapshot())).toEqual([]);
  });
});

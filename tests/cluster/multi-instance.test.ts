import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventMessage, ResyncCompleteMessage, WelcomeMessage } from '../../src/contracts/index.js';
import { costRecorded, workflowUpserted } from '../support/events.js';
import { createTestDatabase, dropTestDatabase } from '../support/postgres.js';
import { sleep, until } from '../support/wait.js';
import { TestWsClient } from '../support/ws-client.js';
import { eventsOf, streamViolations } from '../realtime/support.js';
import { createKey, startInstance, type ClusterEnv, type Instance } from './instances.js';

/**
 * Three `bmad-ops serve` processes on one Postgres database and one NATS JetStream stream: events ingested on any of
 * them reach the WebSocket clients of all of them once each, in sequence order; a kill -9 loses nothing acknowledged,
 * its clients resume elsewhere by replay, and the jobs it ran move to another instance within 10 s.
 */

const NATS_URL = process.env.BMAD_OPS_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
let env: ClusterEnv;
let dbName: string;
let key: string;
const instances: Instance[] = [];
const clients: TestWsClient[] = [];

async function ingest(instance: Instance, events: unknown[]): Promise<Response> {
  return fetch(`${instance.url}/api/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ events }),
  });
}

async function subscribedClient(instance: Instance): Promise<{ c: TestWsClient; epoch: string }> {
  const c = await TestWsClient.authed(instance.url, key);
  clients.push(c);
  const epoch = (c.messages[0] as WelcomeMessage).epoch;
  c.send({ type: 'subscribe', topics: ['workflow'] });
  await c.waitFor((m) => m.type === 'resync_complete');
  return { c, epoch };
}

async function query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: env.databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

const workflowIdsOf = (events: readonly EventMessage[]) => events.map((e) => e.entityId);

beforeAll(async () => {
  const db = await createTestDatabase('cluster');
  dbName = db.name;
  env = { databaseUrl: db.url, natsUrl: NATS_URL, stream: `T${randomBytes(6).toString('hex')}` };
  // The first instance migrates and takes every lease; the others join it.
  for (let i = 0; i < 3; i++) instances.push(await startInstance(env, { BMAD_OPS_LOGIN_RATE_LIMIT: '4' }));
  key = await createKey(env);
}, 180_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(instances.map((i) => i.stop()));
  if (dbName) await dropTestDatabase(dbName);
}, 60_000);

describe('three instances on one Postgres and one NATS', () => {
  it('hold the login limit and the per-key WebSocket cap across instances', async () => {
    // 4 failed sign-ins a minute per address: 12 spread over three instances may not all be tried.
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await fetch(`${instances[i % 3]!.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'nobody@example.test', password: 'wrong password here' }),
      });
      statuses.push(r.status);
    }
    // A window may roll over during the loop: at most two windows' worth get through, never twelve.
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(8);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(4);

    // 30 connections per key: 28 on one instance leave room for two on another, not three.
    const own = await createKey(env);
    const many = await Promise.all(Array.from({ length: 28 }, () => TestWsClient.authed(instances[1]!.url, own)));
    clients.push(...many);
    await until(
      async () =>
        (
          await query<{ n: number }>('select coalesce(sum(connections), 0)::int as n from ws_presence where connections > 0 and principal like $1', ['key:%'])
        )[0]!.n >= 28,
      'the connections are reported',
      10_000,
    );
    await sleep(4_500); // the other instances read the reports every 2 s: two rounds
    const second = [await TestWsClient.authed(instances[2]!.url, own), await TestWsClient.authed(instances[2]!.url, own)];
    clients.push(...second);
    const third = await TestWsClient.connect(instances[2]!.url);
    clients.push(third);
    third.send({ type: 'auth', token: own });
    const refused = await third.waitFor((m) => m.type === 'error');
    expect(refused).toMatchObject({ code: 'too_many_connections' });
  });

  it('deliver every event ingested on any instance to the clients of all three, once each, in sequence order', async () => {
    const subs = await Promise.all(instances.flatMap((i) => [subscribedClient(i), subscribedClient(i)]));
    const ids: string[] = [];
    const batches = Array.from({ length: 30 }, (_, b) => {
      const events = Array.from({ length: 10 }, (_, n) => workflowUpserted(`wf-spread-${b}-${n}`, { projectId: null }));
      ids.push(...events.map((e) => e.entity.id));
      return { instance: instances[b % 3]!, events };
    });
    const answers = await Promise.all(batches.map((b) => ingest(b.instance, b.events)));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    // Written through three instances at once: the log's ids still run 1…N without a gap.
    const [log] = await query<{ n: number; lo: number; hi: number }>('select count(*)::int as n, min(id)::int as lo, max(id)::int as hi from domain_events');
    expect(log!.hi - log!.lo + 1).toBe(log!.n);
    for (const { c } of subs) {
      await until(() => eventsOf(c.messages).filter((e) => e.entityId.startsWith('wf-spread-')).length >= ids.length, 'every event on every client', 20_000);
      const got = eventsOf(c.messages).filter((e) => e.entityId.startsWith('wf-spread-'));
      expect(new Set(workflowIdsOf(got)).size).toBe(got.length);
      expect(new Set(workflowIdsOf(got))).toEqual(new Set(ids));
      expect(streamViolations(c.messages)).toEqual([]);
    }
  });

  it('carry a push made by a job on one instance (the analytics rollup) to the browsers of the others', async () => {
    // The first instance holds the rollup's lease; this browser is on the third.
    const c = await TestWsClient.authed(instances[2]!.url, key);
    clients.push(c);
    c.send({ type: 'subscribe', topics: ['agent'] });
    await c.waitFor((m) => m.type === 'resync_complete');
    const r = await ingest(instances[1]!, [
      workflowUpserted('wf-analytics', { projectId: 'p-analytics', agentId: 'ag-analytics' }),
      costRecorded('c-analytics', { projectId: 'p-analytics', workflowId: 'wf-analytics', agentId: 'ag-analytics', model: 'claude-sonnet-4-5' }),
    ]);
    expect(r.status).toBe(200);
    await c.waitFor((m) => m.type === 'analytics_updated', 15_000);
  });

  it('loses nothing acknowledged when an instance is killed mid-burst; its clients resume on another by replay; its jobs move within 10 s', async () => {
    const victim = instances[0]!;
    const held = await query<{ name: string }>('select name from job_leases where holder like $1', [`%-${victim.pid}-%`]);
    expect(held.map((r) => r.name).sort()).toEqual(expect.arrayContaining(['alerts', 'analytics-rollup', 'outbox', 'retention']));
    const { c: orphan, epoch } = await subscribedClient(victim);
    const watcher = (await subscribedClient(instances[1]!)).c;

    const acknowledged: string[] = [];
    let killedAt = 0;
    let leasesMoved: Promise<number> | undefined;
    // The victim's leases are taken over by a live instance: timed from the kill.
    const moved = async () => {
      await until(
        async () => {
          const rows = await query<{ name: string; holder: string }>('select name, holder from job_leases');
          return held.every((h) => rows.some((r) => r.name === h.name && !r.holder.includes(`-${victim.pid}-`)));
        },
        'the leases moved',
        10_000,
        100,
      );
      return performance.now() - killedAt;
    };
    const burst = (async () => {
      for (let b = 0; b < 40; b++) {
        const target = instances[b % 3]!;
        const events = Array.from({ length: 5 }, (_, n) => workflowUpserted(`wf-burst-${b}-${n}`, { projectId: null }));
        const r = await ingest(target, events).catch(() => null);
        if (r?.status === 200) acknowledged.push(...events.map((e) => e.entity.id));
        if (b === 15) {
          killedAt = performance.now();
          await victim.kill9();
          leasesMoved = moved();
        }
      }
    })();
    await burst;
    await orphan.waitForClose(10_000);

    // Every acknowledged event is in the log, once.
    const stored = await query<{ entity_id: string }>("select entity_id from domain_events where entity_id like 'wf-burst-%'");
    expect(new Set(stored.map((r) => r.entity_id))).toEqual(new Set(acknowledged));
    expect(stored.length).toBe(acknowledged.length);

    // The orphaned client reconnects to another instance and replays from where it was.
    const seen = eventsOf(orphan.messages);
    const lastAck =
      seen.length > 0 ? seen[seen.length - 1]!.eventId : (orphan.messages.find((m) => m.type === 'resync_complete') as ResyncCompleteMessage).toEventId;
    const resumed = await TestWsClient.authed(instances[2]!.url, key);
    clients.push(resumed);
    resumed.send({ type: 'subscribe', topics: ['workflow'], resumeFrom: { lastAckEventId: lastAck, epoch } });
    const done = await resumed.waitFor<ResyncCompleteMessage>((m) => m.type === 'resync_complete', 10_000);
    expect(done.recovered).toBe(true);
    await until(
      () =>
        new Set([...workflowIdsOf(seen), ...workflowIdsOf(eventsOf(resumed.messages))].filter((id) => id.startsWith('wf-burst-'))).size >= acknowledged.length,
      'the resumed client has every acknowledged event',
      15_000,
    );
    const combined = [...seen, ...eventsOf(resumed.messages)].filter((e) => e.entityId.startsWith('wf-burst-'));
    expect(new Set(workflowIdsOf(combined)).size).toBe(combined.length);
    expect(streamViolations(resumed.messages)).toEqual([]);
    // A client of a surviving instance saw the whole burst without a gap.
    await until(
      () => eventsOf(watcher.messages).filter((e) => e.entityId.startsWith('wf-burst-')).length >= acknowledged.length,
      'the watcher has the burst',
      15_000,
    );
    expect(streamViolations(watcher.messages)).toEqual([]);

    expect(await leasesMoved).toBeLessThan(10_000);
  });
});

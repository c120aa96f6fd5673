import { describe, expect, it, beforeEach, afterEach } from 'vitest';
import type { IncomingEvent } from '../../src/contracts/index.js';
import type { DatabaseHandle } from '../../src/server/db/handle.js';
import { migrate } from '../../src/server/db/migrator.js';
import { withWriteTransaction } from '../../src/server/db/write-transaction.js';
import { apiKeysRepository, sessionsRepository } from '../../src/server/modules/auth/credentials.repository.js';
import { usersRepository } from '../../src/server/modules/auth/users.repository.js';
import { auditRepository } from '../../src/server/modules/audit/audit.repository.js';
import { contentHash } from '../../src/server/modules/events/content-hash.js';
import { eventsRepository } from '../../src/server/modules/events/events.repository.js';
import { projectsRepository } from '../../src/server/modules/projects/projects.repository.js';
import { storiesRepository } from '../../src/server/modules/stories/stories.repository.js';
import { syncRepository } from '../../src/server/modules/sync/sync.repository.js';
import { workflowsRepository, type WorkflowRow } from '../../src/server/modules/workflows/workflows.repository.js';

export interface BackendFactory {
  open(): Promise<DatabaseHandle>;
  /** Removes whatever open() created (files, schemas). */
  dispose(handle: DatabaseHandle): Promise<void>;
}

const tx = { maxRetries: 0, retryDelayMs: 1 };

function event(n: number, over: Partial<IncomingEvent> = {}): IncomingEvent {
  return {
    sourceEventId: `e-${String(n).padStart(5, '0')}`,
    source: 'contract',
    type: 'workflow.upserted',
    occurredAt: '2026-11-29T08:00:00.000Z',
    entityType: 'workflow',
    entityId: `wf-${n}`,
    projectId: 'p-1',
    storyId: null,
    workflowId: `wf-${n}`,
    correlationId: null,
    payload: { name: `w${n}`, status: 'queued' },
    ...over,
  } as IncomingEvent;
}

function workflowRow(id: string, over: Partial<WorkflowRow> = {}): WorkflowRow {
  return {
    id,
    project_id: 'p-1',
    story_id: null,
    name: id,
    owner_id: null,
    agent_id: null,
    attrs_at: '2026-11-29T08:00:00.000Z',
    attrs_key: 'k',
    status: 'queued',
    last_transition_at: '2026-11-29T08:00:00.000Z',
    status_key: 'k',
    updated_at: '2026-11-29T08:00:00.000Z',
    started_at: null,
    ended_at: null,
    ...over,
  };
}

/**
 * The behaviour every storage backend must show. Backends run this suite unchanged: it talks to the repositories
 * through the DatabaseHandle interface only, never to a driver.
 */
export function describeRepositoryContract(name: string, backend: BackendFactory): void {
  describe(`repository contract: ${name}`, () => {
    let db: DatabaseHandle;
    beforeEach(async () => {
      db = await backend.open();
      await migrate(db);
    });
    afterEach(async () => {
      await backend.dispose(db);
    });

    describe('events', () => {
      it('appends with strictly increasing sequence numbers in the given order and finds them by source key', async () => {
        const input = [event(3), event(1), event(2)].map((e) => ({ event: e, contentHash: contentHash(e) }));
        const stored = await withWriteTransaction(db, tx, (trx) => eventsRepository.append(trx, input, '2026-11-29T09:00:00.000Z'));
        expect(stored.map((s) => s.sourceEventId)).toEqual(['e-00003', 'e-00001', 'e-00002']);
        const ids = stored.map((s) => s.eventId);
        expect(ids[0]).toBeLessThan(ids[1]!);
        expect(ids[1]).toBeLessThan(ids[2]!);
        const found = await eventsRepository.findBySourceKeys(db.read, [
          { source: 'contract', sourceEventId: 'e-00001' },
          { source: 'other', sourceEventId: 'e-00001' },
        ]);
        expect([...found.keys()]).toEqual(['contract\ne-00001']);
        expect(await eventsRepository.headEventId(db.read)).toBe(ids[2]);
        const after = await eventsRepository.listAfter(db.read, ids[0]!, 10);
        expect(after.map((e) => e.eventId)).toEqual([ids[1], ids[2]]);
        expect(after[0]).toMatchObject({ type: 'workflow.upserted', payload: { name: 'w1', status: 'queued' }, ingestedAt: '2026-11-29T09:00:00.000Z' });
      });

      it('refuses a second row for the same source and id', async () => {
        const e = event(1);
        await withWriteTransaction(db, tx, (trx) => eventsRepository.append(trx, [{ event: e, contentHash: 'a' }], 'now'));
        await expect(withWriteTransaction(db, tx, (trx) => eventsRepository.append(trx, [{ event: e, contentHash: 'b' }], 'now'))).rejects.toThrow();
        expect(await eventsRepository.headEventId(db.read)).toBe(1);
      });

      it('never reuses a sequence number, even after a rollback', async () => {
        await withWriteTransaction(db, tx, (trx) => eventsRepository.append(trx, [{ event: event(1), contentHash: 'a' }], 'now'));
        await expect(
          withWriteTransaction(db, tx, async (trx) => {
            await eventsRepository.append(trx, [{ event: event(2), contentHash: 'a' }], 'now');
            throw new Error('abort');
          }),
        ).rejects.toThrow('abort');
        expect(await eventsRepository.findBySourceKeys(db.read, [{ source: 'contract', sourceEventId: 'e-00002' }])).toEqual(new Map());
        const [third] = await withWriteTransaction(db, tx, (trx) => eventsRepository.append(trx, [{ event: event(3), contentHash: 'a' }], 'now'));
        expect(third!.eventId).toBeGreaterThan(1);
      });

      it('appends more rows than one statement can carry', async () => {
        const many = Array.from({ length: 1200 }, (_, i) => event(i)).map((e) => ({ event: e, contentHash: 'h' }));
        const stored = await withWriteTransaction(db, tx, (trx) => eventsRepository.append(trx, many, 'now'));
        expect(new Set(stored.map((s) => s.eventId)).size).toBe(1200);
        expect(
          (
            await eventsRepository.findBySourceKeys(
              db.read,
              many.map((m) => m.event),
            )
          ).size,
        ).toBe(1200);
      });
    });

    describe('workflows', () => {
      it('upserts rows, filters, sorts newest transition first with id as tie-break, and paginates', async () => {
        await withWriteTransaction(db, tx, (trx) =>
          workflowsRepository.upsertRows(trx, [
            workflowRow('b', { last_transition_at: '2026-11-29T08:05:00.000Z', status: 'blocked', owner_id: 'u1' }),
            workflowRow('a', { last_transition_at: '2026-11-29T08:05:00.000Z', status: 'failed' }),
            workflowRow('c', { last_transition_at: null, status: null }),
            workflowRow('d', { last_transition_at: '2026-11-29T08:09:00.000Z', project_id: 'p-2' }),
          ]),
        );
        await withWriteTransaction(db, tx, (trx) =>
          workflowsRepository.upsertRows(trx, [workflowRow('d', { name: 'renamed', last_transition_at: '2026-11-29T08:09:00.000Z', project_id: 'p-2' })]),
        );
        const all = await workflowsRepository.list(db.read, {}, 1, 10, storiesRepository);
        expect(all.items.map((w) => w.id)).toEqual(['d', 'a', 'b', 'c']);
        expect(all.total).toBe(4);
        expect(all.items[0]!.name).toBe('renamed');
        expect((await workflowsRepository.list(db.read, { status: ['blocked', 'failed'] }, 1, 10, storiesRepository)).items.map((w) => w.id)).toEqual([
          'a',
          'b',
        ]);
        expect((await workflowsRepository.list(db.read, { ownerId: 'u1' }, 1, 10, storiesRepository)).items.map((w) => w.id)).toEqual(['b']);
        const page2 = await workflowsRepository.list(db.read, {}, 2, 3, storiesRepository);
        expect(page2).toEqual({ items: [expect.objectContaining({ id: 'c' })], total: 4 });
        expect(await workflowsRepository.findById(db.read, 'zzz', storiesRepository)).toBeUndefined();
      });

      it('upserts and reads back more rows than one statement can carry', async () => {
        const rows = Array.from({ length: 3000 }, (_, i) => workflowRow(`w${i}`));
        await withWriteTransaction(db, tx, (trx) => workflowsRepository.upsertRows(trx, rows));
        expect(
          (
            await workflowsRepository.rowsByIds(
              db.read,
              rows.map((r) => r.id),
            )
          ).size,
        ).toBe(3000);
      });

      it('returns the latest transitions as a timeline and ignores a re-inserted event', async () => {
        const stored = await withWriteTransaction(db, tx, (trx) =>
          eventsRepository.append(
            trx,
            [1, 2, 3].map((n) => ({ event: event(n), contentHash: 'h' })),
            'now',
          ),
        );
        const rows = stored.map((s, i) => ({
          workflow_id: 'w',
          event_id: s.eventId,
          from_status: null,
          to_status: 'in_progress',
          occurred_at_utc: `2026-11-29T08:0${3 - i}:00.000Z`,
          actor_id: null,
          reason: `r${i}`,
          transition_key: null,
          seen_in: null,
          commit_hash: null,
          commit_subject: null,
        }));
        await withWriteTransaction(db, tx, (trx) => workflowsRepository.insertTransitions(trx, rows));
        await withWriteTransaction(db, tx, (trx) => workflowsRepository.insertTransitions(trx, rows.slice(0, 1)));
        const two = await workflowsRepository.transitions(db.read, 'w', 2);
        expect(two.map((t) => t.reason)).toEqual(['r1', 'r0']);
        expect((await workflowsRepository.transitions(db.read, 'w', 100)).length).toBe(3);
      });
    });

    describe('projects and stories', () => {
      it('filters projects on overdue against the given instant', async () => {
        const base = { owner_id: null, progress_pct: null, risk_flag: 0, updated_at: 'x', version_at: 'x', version_key: 'k', details_json: null };
        await withWriteTransaction(db, tx, (trx) =>
          projectsRepository.upsertRows(trx, [
            { ...base, id: 'late', name: 'Late', status: 'in_progress', due_at: '2026-01-01T00:00:00.000Z' },
            { ...base, id: 'done-late', name: 'Done', status: 'done', due_at: '2026-01-01T00:00:00.000Z' },
            { ...base, id: 'open', name: 'Open', status: 'queued', due_at: null, risk_flag: 1 },
          ]),
        );
        const now = '2026-06-01T00:00:00.000Z';
        expect((await projectsRepository.list(db.read, { overdue: true }, 1, 10, now)).items.map((p) => p.id)).toEqual(['late']);
        expect((await projectsRepository.list(db.read, { overdue: false }, 1, 10, now)).items.map((p) => p.id)).toEqual(['done-late', 'open']);
        expect((await projectsRepository.list(db.read, { riskFlag: true }, 1, 10, now)).items).toEqual([
          expect.objectContaining({ id: 'open', riskFlag: true, progressPct: null }),
        ]);
      });

      it('finds stories in a custom column or in the column of their status', async () => {
        const base = {
          project_id: 'p',
          title: 't',
          owner_id: null,
          epic: null,
          attrs_at: null,
          attrs_key: null,
          status_at: null,
          status_key: null,
          updated_at: '2026-11-29T08:00:00.000Z',
          details_json: null,
        };
        await withWriteTransaction(db, tx, (trx) =>
          storiesRepository.upsertRows(trx, [
            { ...base, id: 's1', status: 'in_progress', kanban_column: 'review' },
            { ...base, id: 's2', status: 'in_progress', kanban_column: null },
          ]),
        );
        expect((await storiesRepository.list(db.read, { column: 'review' }, 1, 10)).items.map((s) => s.id)).toEqual(['s1']);
        expect((await storiesRepository.list(db.read, { column: 'in_progress' }, 1, 10)).items.map((s) => s.id)).toEqual(['s2']);
        expect((await storiesRepository.byProject(db.read, 'p', 10)).map((s) => s.kanbanColumn)).toEqual(['review', 'in_progress']);
      });
    });

    describe('accounts, keys, sessions, audit, sync', () => {
      it('keeps login emails unique but lets people known from events share one', async () => {
        const account = { displayName: null, role: 'viewer' as const, passwordHash: 'h', passwordChangeRequired: false, now: 'now' };
        await usersRepository.createAccount(db.write, { ...account, id: 'u1', email: 'a@x.test' });
        await expect(usersRepository.createAccount(db.write, { ...account, id: 'u2', email: 'a@x.test' })).rejects.toThrow();
        const eventUser = {
          email: 'a@x.test',
          display_name: 'A',
          role: 'viewer',
          password_hash: null,
          preferences_json: '{}',
          origin: 'event',
          version_at: 'v',
          version_key: 'k',
          created_at: 'c',
          updated_at: 'u',
          disabled_at: null,
          password_change_required: 0,
        };
        await usersRepository.upsertEventUsers(db.write, [
          { ...eventUser, id: 'e1' },
          { ...eventUser, id: 'u1', email: 'hijack@x.test' },
        ]);
        expect((await usersRepository.findAccountById(db.read, 'u1'))?.email).toBe('a@x.test');
        expect(await usersRepository.countAccounts(db.read)).toBe(1);
        expect((await usersRepository.findAccountByEmail(db.read, 'a@x.test'))?.id).toBe('u1');
      });

      it('stores keys and sessions by hash, revokes and expires them', async () => {
        await apiKeysRepository.insert(db.write, {
          id: 'k1',
          name: 'n',
          scopes: ['read'],
          secretHash: 'hash',
          createdBy: null,
          now: '2026-01-01T00:00:00.000Z',
        });
        expect(await apiKeysRepository.revoke(db.write, 'k1', 'later')).toBe(true);
        expect(await apiKeysRepository.revoke(db.write, 'k1', 'later')).toBe(false);
        expect((await apiKeysRepository.findById(db.read, 'k1'))?.revokedAt).toBe('later');
        await usersRepository.createAccount(db.write, {
          id: 'u1',
          email: 'a@x.test',
          displayName: null,
          role: 'viewer',
          passwordHash: 'h',
          passwordChangeRequired: false,
          now: 'now',
        });
        await sessionsRepository.insert(db.write, {
          id: 's1',
          userId: 'u1',
          tokenHash: 't1',
          now: '2026-01-01T00:00:00.000Z',
          expiresAt: '2026-01-02T00:00:00.000Z',
          userAgent: null,
          ip: null,
        });
        expect((await sessionsRepository.findByTokenHash(db.read, 't1'))?.userId).toBe('u1');
        expect(await sessionsRepository.deleteExpired(db.write, '2026-01-03T00:00:00.000Z')).toBe(1);
        expect(await sessionsRepository.findByTokenHash(db.read, 't1')).toBeUndefined();
      });

      it('appends audit entries newest first', async () => {
        await auditRepository.insert(db.write, { occurredAt: '1', actorType: 'cli', actorId: null, action: 'a1', outcome: 'success' });
        await auditRepository.insert(db.write, { occurredAt: '2', actorType: 'user', actorId: 'u', action: 'a2', outcome: 'failure', details: { why: 'x' } });
        expect((await auditRepository.recent(db.read, 5)).map((e) => [e.action, e.details])).toEqual([
          ['a2', { why: 'x' }],
          ['a1', {}],
        ]);
      });

      it('upserts sync state per scope', async () => {
        const row = {
          id: 'conn',
          module: 'story',
          status: 'ok',
          error_message: null,
          expected_interval_ms: 1000,
          last_attempt_at_utc: 'a',
          last_attempt_key: 'k',
          last_successful_sync_at_utc: 'a',
          note: null,
        };
        await syncRepository.upsertRows(db.write, [row]);
        await syncRepository.upsertRows(db.write, [{ ...row, status: 'failed', error_message: 'e', last_attempt_at_utc: 'b' }]);
        expect(await syncRepository.all(db.read)).toEqual([
          expect.objectContaining({ status: 'failed', error_message: 'e', last_successful_sync_at_utc: 'a' }),
        ]);
      });
    });
  });
}

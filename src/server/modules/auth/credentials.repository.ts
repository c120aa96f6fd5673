import type { KeyScope } from '../../../contracts/index.js';
import type { Executor } from '../../db/handle.js';
import { incrementMeta, readMeta } from '../../db/meta.js';

export interface ApiKeyRecord {
  id: string;
  name: string;
  scopes: KeyScope[];
  secretHash: string;
  createdAt: string;
  revokedAt: string | null;
  /** An ingest key bound to one project may only send that project's data (OTLP and the events API). */
  projectId: string | null;
  /** The event sources it may write (null: made before sources were bound; any but the server's own). */
  sources: string[] | null;
  /** After this instant the key is refused like a revoked one; null: it does not expire. */
  expiresAt: string | null;
}

export interface SessionRecord {
  id: string;
  userId: string;
  expiresAt: string;
}

const CREDENTIALS_VERSION = 'credentials_version';

export const apiKeysRepository = {
  async insert(
    db: Executor,
    k: {
      id: string;
      name: string;
      scopes: KeyScope[];
      secretHash: string;
      createdBy: string | null;
      now: string;
      projectId?: string | null;
      sources?: readonly string[] | null;
      expiresAt?: string | null;
    },
  ): Promise<void> {
    await db
      .insertInto('api_keys')
      .values({
        id: k.id,
        name: k.name,
        scopes_json: JSON.stringify(k.scopes),
        secret_hash: k.secretHash,
        created_by: k.createdBy,
        created_at: k.now,
        revoked_at: null,
        project_id: k.projectId ?? null,
        sources_json: k.sources ? JSON.stringify(k.sources) : null,
        expires_at: k.expiresAt ?? null,
      })
      .execute();
  },

  async findById(db: Executor, id: string): Promise<ApiKeyRecord | undefined> {
    const r = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return r
      ? {
          id: r.id,
          name: r.name,
          scopes: JSON.parse(r.scopes_json) as KeyScope[],
          secretHash: r.secret_hash,
          createdAt: r.created_at,
          revokedAt: r.revoked_at,
          projectId: r.project_id,
          sources: r.sources_json ? (JSON.parse(r.sources_json) as string[]) : null,
          expiresAt: r.expires_at,
        }
      : undefined;
  },

  async list(db: Executor): Promise<Omit<ApiKeyRecord, 'secretHash'>[]> {
    const rows = await db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      scopes: JSON.parse(r.scopes_json) as KeyScope[],
      createdAt: r.created_at,
      revokedAt: r.revoked_at,
      projectId: r.project_id,
      sources: r.sources_json ? (JSON.parse(r.sources_json) as string[]) : null,
      expiresAt: r.expires_at,
    }));
  },

  async namesByIds(db: Executor, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await db
      .selectFrom('api_keys')
      .select(['id', 'name'])
      .where('id', 'in', [...ids])
      .execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  },

  async revoke(db: Executor, id: string, now: string): Promise<boolean> {
    const r = await db.updateTable('api_keys').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },

  /** A counter in `meta` bumped whenever a credential loses access (read by servers polling for CLI changes). */
  async bumpCredentialsVersion(db: Executor): Promise<void> {
    await incrementMeta(db, CREDENTIALS_VERSION);
  },

  async credentialsVersion(db: Executor): Promise<number> {
    return Number((await readMeta(db, CREDENTIALS_VERSION)) ?? 0);
  },
};

export const sessionsRepository = {
  async insert(
    db: Executor,
    s: { id: string; userId: string; tokenHash: string; now: string; expiresAt: string; userAgent: string | null; ip: string | null },
  ): Promise<void> {
    await db
      .insertInto('auth_sessions')
      .values({ id: s.id, user_id: s.userId, token_hash: s.tokenHash, created_at: s.now, expires_at: s.expiresAt, user_agent: s.userAgent, ip: s.ip })
      .execute();
  },

  async findByTokenHash(db: Executor, tokenHash: string): Promise<SessionRecord | undefined> {
    const r = await db.selectFrom('auth_sessions').select(['id', 'user_id', 'expires_at']).where('token_hash', '=', tokenHash).executeTakeFirst();
    return r ? { id: r.id, userId: r.user_id, expiresAt: r.expires_at } : undefined;
  },

  async delete(db: Executor, id: string): Promise<void> {
    await db.deleteFrom('auth_sessions').where('id', '=', id).execute();
  },

  /** Ends every session of an account (disabled, password changed, or asked for); returns how many. */
  /** `except`: the session that asked (a person changing their own password stays signed in there). */
  async deleteForUser(db: Executor, userId: string, except?: string): Promise<number> {
    let q = db.deleteFrom('auth_sessions').where('user_id', '=', userId);
    if (except !== undefined) q = q.where('id', '!=', except);
    const r = await q.executeTakeFirst();
    return Number(r.numDeletedRows);
  },

  /** Sessions not expired yet, per account that has any. */
  async countActiveByUser(db: Executor, now: string): Promise<Map<string, number>> {
    const rows = await db
      .selectFrom('auth_sessions')
      .select(['user_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('expires_at', '>', now)
      .groupBy('user_id')
      .execute();
    return new Map(rows.map((r) => [r.user_id, Number(r.n)]));
  },

  async deleteExpired(db: Executor, now: string): Promise<number> {
    const r = await db.deleteFrom('auth_sessions').where('expires_at', '<', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  },
};

import { type AdminKey, type CreatedKeyResponse, type CreateKeyBody, DAY_MS, type FieldError, sourceNamedAfter } from '../../../contracts/index.js';
import type { DatabaseHandle } from '../../db/handle.js';
import { HttpError, notFound, validationFailed } from '../../http/errors.js';
import { auditRepository } from '../audit/index.js';
import type { AuthService } from '../auth/index.js';
import { apiKeysRepository, type ApiKeyRecord } from '../auth/index.js';
import { projectsRepository } from '../projects/index.js';
import type { Manager } from './accounts.service.js';
import { actorNamer } from './actor-names.js';

/** Settings → API keys: the same rules as `bmad-ops key create`, for a manager in the browser. */
export class KeysService {
  constructor(
    private readonly db: DatabaseHandle,
    private readonly auth: AuthService,
  ) {}

  /** Active keys first, then expired, then revoked; newest first within each. */
  async list(): Promise<AdminKey[]> {
    const views = await this.views(await this.auth.listApiKeys());
    const rank = { active: 0, expired: 1, revoked: 2 } as const;
    return views.sort((a, b) => rank[a.state] - rank[b.state] || b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
  }

  /** Creates the key and returns it this once: only its hash is stored. The contract already refused reserved sources. */
  async create(body: CreateKeyBody, manager: Manager): Promise<CreatedKeyResponse> {
    const now = this.auth.clock.now();
    const fields: FieldError[] = [];
    // Unlike the CLI (which warns and binds anyway, for a project connected later), the browser offers only known projects.
    if (body.projectId !== undefined && (await projectsRepository.namesByIds(this.db.read, [body.projectId])).size === 0) {
      fields.push({ path: 'body.projectId', message: `no project ${body.projectId} is known` });
    }
    if (body.expiresAt !== undefined && Date.parse(body.expiresAt) <= now.getTime()) fields.push({ path: 'body.expiresAt', message: 'is in the past' });
    if (fields.length > 0) throw validationFailed(fields);

    const sources = body.sources === 'any' ? null : (body.sources ?? [sourceNamedAfter(body.name)]);
    const expiresAt = body.expiresAt ?? (body.expiresInDays !== undefined ? new Date(now.getTime() + body.expiresInDays * DAY_MS).toISOString() : null);
    const created = await this.auth.createApiKey(
      body.name,
      body.scopes,
      { actorType: 'user', actorId: manager.userId, ip: manager.ip },
      { projectId: body.projectId ?? null, sources, expiresAt },
    );
    return { apiKey: await this.view(created.id), key: created.key };
  }

  async revoke(id: string, manager: Manager): Promise<AdminKey> {
    const key = await apiKeysRepository.findById(this.db.write, id);
    if (!key) throw notFound('API key', id);
    if (key.revokedAt !== null) throw new HttpError(409, 'already_revoked', `the key "${key.name}" was already revoked`);
    await this.auth.revokeApiKey(id, { actorType: 'user', actorId: manager.userId, ip: manager.ip });
    return this.view(id);
  }

  private async view(id: string): Promise<AdminKey> {
    const key = await apiKeysRepository.findById(this.db.write, id);
    if (!key) throw notFound('API key', id);
    const [view] = await this.views([key]);
    return view!;
  }

  /** Project names and creators for a batch of keys: who made a key is in the audit log (key.create), not on the key. */
  private async views(keys: readonly Omit<ApiKeyRecord, 'secretHash'>[]): Promise<AdminKey[]> {
    const ids = keys.map((k) => k.id);
    const projectIds = [...new Set(keys.flatMap((k) => (k.projectId ? [k.projectId] : [])))];
    const [projects, creators] = await Promise.all([
      projectsRepository.namesByIds(this.db.read, projectIds),
      auditRepository.actorsOfTargets(this.db.read, 'key.create', ids),
    ]);
    const name = await actorNamer(this.db, [...creators.values()]);
    const now = this.auth.clock.now().toISOString();
    return keys.map((k) => {
      const creator = creators.get(k.id);
      return {
        id: k.id,
        name: k.name,
        scopes: k.scopes,
        sources: k.sources ?? 'any',
        projectId: k.projectId,
        projectName: k.projectId ? (projects.get(k.projectId) ?? null) : null,
        createdAt: k.createdAt,
        createdBy: creator ? name(creator) : null,
        expiresAt: k.expiresAt,
        revokedAt: k.revokedAt,
        state: k.revokedAt !== null ? 'revoked' : k.expiresAt !== null && k.expiresAt <= now ? 'expired' : 'active',
      };
    });
  }
}

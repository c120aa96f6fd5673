import { Router, type Request } from 'express';
import { accountPatchBodySchema, auditQuerySchema, createKeyBodySchema, idParamsSchema, inviteBodySchema } from '../../../contracts/index.js';
import { route } from '../../http/route.js';
import { requireAccess } from '../auth/auth.middleware.js';
import type { Principal } from '../auth/principal.js';
import type { AccountsService, Manager } from './accounts.service.js';
import type { AuditService } from './audit.service.js';
import type { KeysService } from './keys.service.js';

export interface AdminServices {
  accounts: AccountsService;
  keys: KeysService;
  audit: AuditService;
}

/** requireAccess('manage') lets only a signed-in manager through, so the principal is a user here. */
const managerOf = (principal: Principal | undefined, req: Request): Manager => ({
  userId: principal?.kind === 'user' ? principal.userId : '',
  ip: req.ip ?? null,
});

/** Settings for managers: people, API keys and the audit log. */
export function adminRoutes(s: AdminServices): Router {
  const r = Router();
  r.use('/admin', requireAccess('manage'), (_req, res, next) => {
    // One-time passwords and keys travel in these answers: no cache may keep a copy.
    res.set('Cache-Control', 'no-store');
    next();
  });

  r.get('/admin/users', route({}, async () => ({ items: await s.accounts.list() })));
  r.post('/admin/users', route({ body: inviteBodySchema }, ({ body, principal, req }) => s.accounts.invite(body, managerOf(principal, req)), 201));
  r.patch('/admin/users/:id', route({ params: idParamsSchema, body: accountPatchBodySchema }, ({ params, body, principal, req }) => s.accounts.update(params.id, body, managerOf(principal, req))));
  r.post('/admin/users/:id/revoke-sessions', route({ params: idParamsSchema }, ({ params, principal, req }) => s.accounts.revokeSessions(params.id, managerOf(principal, req))));
  r.post('/admin/users/:id/reset-password', route({ params: idParamsSchema }, ({ params, principal, req }) => s.accounts.resetPassword(params.id, managerOf(principal, req))));

  r.get('/admin/keys', route({}, async () => ({ items: await s.keys.list() })));
  r.post('/admin/keys', route({ body: createKeyBodySchema }, ({ body, principal, req }) => s.keys.create(body, managerOf(principal, req)), 201));
  r.delete('/admin/keys/:id', route({ params: idParamsSchema }, ({ params, principal, req }) => s.keys.revoke(params.id, managerOf(principal, req))));

  r.get('/admin/audit', route({ query: auditQuerySchema }, ({ query }) => s.audit.page(query)));
  return r;
}

import { Router, type Request, type RequestHandler } from 'express';
import { API } from '../../../contracts/index.js';
import { mount } from '../../http/mount.js';
import type { Principal } from '../auth/index.js';
import type { AccountsService, Manager } from './accounts.service.js';
import type { AuditService } from './audit.service.js';
import type { KeysService } from './keys.service.js';

export interface AdminServices {
  accounts: AccountsService;
  keys: KeysService;
  audit: AuditService;
}

/** The catalogue's manage rule lets only a signed-in manager through, so the principal is a user here. */
const managerOf = (principal: Principal | undefined, req: Request): Manager => ({
  userId: principal?.kind === 'user' ? principal.userId : '',
  ip: req.ip ?? null,
});

/** One-time passwords and keys travel in these answers: no cache may keep a copy. */
const noStore: RequestHandler[] = [
  (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  },
];

/** Settings for managers: people, API keys and the audit log. */
export function adminRoutes(s: AdminServices): Router {
  const r = Router();
  const A = API.admin;
  mount(r, A.users, async () => ({ items: await s.accounts.list() }), noStore);
  mount(r, A.invite, ({ body, principal, req }) => s.accounts.invite(body, managerOf(principal, req)), noStore);
  mount(r, A.updateUser, ({ params, body, principal, req }) => s.accounts.update(params.id, body, managerOf(principal, req)), noStore);
  mount(r, A.revokeSessions, ({ params, principal, req }) => s.accounts.revokeSessions(params.id, managerOf(principal, req)), noStore);
  mount(r, A.resetPassword, ({ params, principal, req }) => s.accounts.resetPassword(params.id, managerOf(principal, req)), noStore);
  mount(r, A.keys, async () => ({ items: await s.keys.list() }), noStore);
  mount(r, A.createKey, ({ body, principal, req }) => s.keys.create(body, managerOf(principal, req)), noStore);
  mount(r, A.revokeKey, ({ params, principal, req }) => s.keys.revoke(params.id, managerOf(principal, req)), noStore);
  mount(r, A.audit, ({ query }) => s.audit.page(query), noStore);
  return r;
}

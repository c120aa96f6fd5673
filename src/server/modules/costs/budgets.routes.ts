import { Router } from 'express';
import { API } from '../../../contracts/index.js';
import { mount } from '../../http/mount.js';
import type { Principal } from '../auth/index.js';
import type { SetProjectBudget } from './budgets.command.js';

const actorOf = (principal: Principal | undefined, ip: string | undefined) => ({ userId: principal?.kind === 'user' ? principal.userId : '', ip: ip ?? null });

/** Monthly project budgets: set and cleared by the people who may move stories (operators and managers). */
export function budgetsRoutes(command: SetProjectBudget): Router {
  const r = Router();
  mount(r, API.work.setBudget, ({ params, body, principal, req }) => command.set(params.id, body, actorOf(principal, req.ip)));
  mount(r, API.work.clearBudget, async ({ params, principal, req, res }) => {
    await command.clear(params.id, actorOf(principal, req.ip));
    res.status(204).end();
    return undefined;
  });
  return r;
}

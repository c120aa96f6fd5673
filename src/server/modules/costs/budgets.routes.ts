import { Router } from 'express';
import { budgetBodySchema, idParamsSchema } from '../../../contracts/index.js';
import { route } from '../../http/route.js';
import { requireAccess } from '../auth/auth.middleware.js';
import type { SetProjectBudget } from './budgets.command.js';

/** Monthly project budgets: set and cleared by the people who may move stories (operators and managers). */
export function budgetsRoutes(command: SetProjectBudget): Router {
  const r = Router();
  const actorOf = (principal: { kind: string; userId?: string } | undefined, ip: string | undefined) => ({
    userId: principal?.kind === 'user' ? (principal.userId ?? '') : '',
    ip: ip ?? null,
  });
  r.put(
    '/projects/:id/budget',
    requireAccess('operate'),
    route({ params: idParamsSchema, body: budgetBodySchema }, ({ params, body, principal, req }) => command.set(params.id, body, actorOf(principal, req.ip))),
  );
  r.delete(
    '/projects/:id/budget',
    requireAccess('operate'),
    route({ params: idParamsSchema }, async ({ params, principal, req, res }) => {
      await command.clear(params.id, actorOf(principal, req.ip));
      res.status(204).end();
      return undefined;
    }),
  );
  return r;
}

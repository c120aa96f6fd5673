import { Router, type Request, type RequestHandler } from 'express';
import { z } from 'zod';
import { alertChannelCreateSchema, alertChannelPatchSchema, alertRuleBodySchema, idParamsSchema, markReadBodySchema, notificationsQuerySchema } from '../../../contracts/index.js';
import { route } from '../../http/route.js';
import { requireAccess } from '../auth/auth.middleware.js';
import type { Principal } from '../auth/principal.js';
import type { AlertConfigCommand, AlertActor } from './alert-config.command.js';
import type { AlertConfigService } from './alert-config.service.js';
import type { NotificationsService } from './notifications.service.js';

export interface AlertsServices {
  config: AlertConfigService;
  command: AlertConfigCommand;
  notifications: NotificationsService;
}

/** The guards let only signed-in people through, so the principal is a user here. */
const actorOf = (principal: Principal | undefined, req: Request): AlertActor => ({ userId: principal?.kind === 'user' ? principal.userId : '', ip: req.ip ?? null });
const userIdOf = (principal: Principal | undefined) => (principal?.kind === 'user' ? principal.userId : '');

/** A generated signing secret travels in the create answer: no cache may keep a copy of any of these. */
const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};
const manage = [requireAccess('manage'), noStore];
/** A signed-in person who chose their own password (read state is per person: an API key has none). */
const person = [requireAccess('session'), requireAccess('read')];

const deliveriesQuerySchema = z.strictObject({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(200))
    .default(50),
});

/** /alerts: rules and channels for managers (Settings → Alerts), notifications for everyone signed in. */
export function alertsRoutes(s: AlertsServices): Router {
  const r = Router();
  r.get('/alerts/rules', ...manage, route({}, async () => ({ items: await s.config.rules() })));
  r.post('/alerts/rules', ...manage, route({ body: alertRuleBodySchema }, async ({ body, principal, req }) => s.config.rule(await s.command.createRule(body, actorOf(principal, req))), 201));
  r.put(
    '/alerts/rules/:id',
    ...manage,
    route({ params: idParamsSchema, body: alertRuleBodySchema }, async ({ params, body, principal, req }) => {
      await s.command.updateRule(params.id, body, actorOf(principal, req));
      return s.config.rule(params.id);
    }),
  );
  r.delete(
    '/alerts/rules/:id',
    ...manage,
    route({ params: idParamsSchema }, async ({ params, principal, req, res }) => {
      await s.command.removeRule(params.id, actorOf(principal, req));
      res.status(204).end();
      return undefined;
    }),
  );

  r.get('/alerts/channels', ...manage, route({}, async () => ({ items: await s.config.channels() })));
  r.post(
    '/alerts/channels',
    ...manage,
    route(
      { body: alertChannelCreateSchema },
      async ({ body, principal, req }) => {
        const created = await s.command.createChannel(body, actorOf(principal, req));
        return { channel: await s.config.channel(created.id), secret: created.generatedSecret };
      },
      201,
    ),
  );
  r.patch(
    '/alerts/channels/:id',
    ...manage,
    route({ params: idParamsSchema, body: alertChannelPatchSchema }, async ({ params, body, principal, req }) => {
      await s.command.updateChannel(params.id, body, actorOf(principal, req));
      return s.config.channel(params.id);
    }),
  );
  r.delete(
    '/alerts/channels/:id',
    ...manage,
    route({ params: idParamsSchema }, async ({ params, principal, req, res }) => {
      await s.command.removeChannel(params.id, actorOf(principal, req));
      res.status(204).end();
      return undefined;
    }),
  );
  r.post('/alerts/channels/:id/test', ...manage, route({ params: idParamsSchema }, async ({ params, principal, req }) => ({ delivery: await s.command.testChannel(params.id, actorOf(principal, req)) })));
  r.get('/alerts/channels/:id/deliveries', ...manage, route({ params: idParamsSchema, query: deliveriesQuerySchema }, async ({ params, query }) => ({ items: await s.config.deliveries(params.id, query.limit) })));

  r.get('/alerts/notifications', ...person, route({ query: notificationsQuerySchema }, ({ query, principal }) => s.notifications.page(userIdOf(principal), query)));
  r.get('/alerts/notifications/unread-count', ...person, route({}, async ({ principal }) => ({ unread: await s.notifications.unread(userIdOf(principal)) })));
  r.post('/alerts/notifications/read', ...person, route({ body: markReadBodySchema }, async ({ body, principal }) => ({ unread: await s.notifications.markRead(userIdOf(principal), body) })));
  return r;
}

import { Router, type Request, type RequestHandler } from 'express';
import { API } from '../../../contracts/index.js';
import { mount } from '../../http/mount.js';
import type { Principal } from '../auth/index.js';
import type { AlertConfigCommand, AlertActor } from './alert-config.command.js';
import type { AlertConfigService } from './alert-config.service.js';
import type { NotificationsService } from './notifications.service.js';

export interface AlertsServices {
  config: AlertConfigService;
  command: AlertConfigCommand;
  notifications: NotificationsService;
}

/** The guards let only signed-in people through, so the principal is a user here. */
const actorOf = (principal: Principal | undefined, req: Request): AlertActor => ({
  userId: principal?.kind === 'user' ? principal.userId : '',
  ip: req.ip ?? null,
});
const userIdOf = (principal: Principal | undefined) => (principal?.kind === 'user' ? principal.userId : '');

/** A generated signing secret travels in the create answer: no cache may keep a copy of any of these. */
const noStore: RequestHandler[] = [
  (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  },
];

/** /alerts: rules and channels for managers (Settings → Alerts), notifications for everyone signed in. */
export function alertsRoutes(s: AlertsServices): Router {
  const r = Router();
  const A = API.alerts;
  mount(r, A.rules, async () => ({ items: await s.config.rules() }), noStore);
  mount(r, A.createRule, async ({ body, principal, req }) => s.config.rule(await s.command.createRule(body, actorOf(principal, req))), noStore);
  mount(
    r,
    A.updateRule,
    async ({ params, body, principal, req }) => {
      await s.command.updateRule(params.id, body, actorOf(principal, req));
      return s.config.rule(params.id);
    },
    noStore,
  );
  mount(
    r,
    A.removeRule,
    async ({ params, principal, req, res }) => {
      await s.command.removeRule(params.id, actorOf(principal, req));
      res.status(204).end();
      return undefined;
    },
    noStore,
  );
  mount(r, A.channels, async () => ({ items: await s.config.channels() }), noStore);
  mount(
    r,
    A.createChannel,
    async ({ body, principal, req }) => {
      const created = await s.command.createChannel(body, actorOf(principal, req));
      return { channel: await s.config.channel(created.id), secret: created.generatedSecret };
    },
    noStore,
  );
  mount(
    r,
    A.updateChannel,
    async ({ params, body, principal, req }) => {
      await s.command.updateChannel(params.id, body, actorOf(principal, req));
      return s.config.channel(params.id);
    },
    noStore,
  );
  mount(
    r,
    A.removeChannel,
    async ({ params, principal, req, res }) => {
      await s.command.removeChannel(params.id, actorOf(principal, req));
      res.status(204).end();
      return undefined;
    },
    noStore,
  );
  mount(r, A.testChannel, async ({ params, principal, req }) => ({ delivery: await s.command.testChannel(params.id, actorOf(principal, req)) }), noStore);
  mount(r, A.deliveries, async ({ params, query }) => ({ items: await s.config.deliveries(params.id, query.limit) }), noStore);
  mount(r, A.notifications, ({ query, principal }) => s.notifications.page(userIdOf(principal), query));
  mount(r, A.unreadCount, async ({ principal }) => ({ unread: await s.notifications.unread(userIdOf(principal)) }));
  mount(r, A.markRead, async ({ body, principal }) => ({ unread: await s.notifications.markRead(userIdOf(principal), body) }));
  return r;
}

import { Router } from 'express';
import { API } from '../../../contracts/index.js';
import { mount } from '../../http/mount.js';
import { denialReason, type Principal } from '../auth/index.js';
import type { HealthService } from './health.service.js';

/**
 * Anyone may ask whether the server is up (200, or 503 when not ready); only a manager or a key with the metrics scope
 * sees why it is not (database error text and subscriber counts are no business of an anonymous caller).
 */
export function healthRoutes(health: HealthService): Router {
  const r = Router();
  mount(r, API.ops.health, async ({ res }) => {
    const principal = res.locals.principal as Principal | undefined;
    const { ok, body } = await health.check(principal !== undefined && denialReason(principal, 'metrics') === null);
    res.status(ok ? 200 : 503).set('Cache-Control', 'no-store');
    return body;
  });
  return r;
}

import { Router } from 'express';
import { API } from '../../../contracts/index.js';
import { mount } from '../../http/mount.js';
import type { StatusService } from './status.service.js';

/** The status page's data: every signed-in user, and keys with the read scope. */
export function statusRoutes(service: StatusService): Router {
  const r = Router();
  mount(r, API.insight.status, ({ query }) => service.status(query.window));
  return r;
}

import { Router } from 'express';
import { statusQuerySchema } from '../../../contracts/index.js';
import { route } from '../../http/route.js';
import type { StatusService } from './status.service.js';

/** The status page's data; mounted behind read access (every signed-in user, and keys with the read scope). */
export function statusRoutes(service: StatusService): Router {
  const r = Router();
  r.get('/status', route({ query: statusQuerySchema }, ({ query }) => service.status(query.window)));
  return r;
}

import { Router } from 'express';
import { route } from '../../http/route.js';
import type { SyncService } from './sync.service.js';

export function syncRoutes(service: SyncService): Router {
  const r = Router();
  r.get('/sync/status', route({}, () => service.status()));
  return r;
}

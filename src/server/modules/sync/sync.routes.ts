import { Router } from 'express';
import { API } from '../../../contracts/index.js';
import { mount } from '../../http/mount.js';
import type { SyncService } from './sync.service.js';

export function syncRoutes(service: SyncService): Router {
  const r = Router();
  mount(r, API.work.syncStatus, () => service.status());
  return r;
}

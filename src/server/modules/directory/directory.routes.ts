import { Router } from 'express';
import { route } from '../../http/route.js';
import type { DirectoryService } from './directory.service.js';

export function directoryRoutes(service: DirectoryService): Router {
  const r = Router();
  r.get('/directory', route({}, () => service.get()));
  return r;
}

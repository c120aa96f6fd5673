import { Router } from 'express';
import { API } from '../../../contracts/index.js';
import { mount } from '../../http/mount.js';
import type { DirectoryService } from './directory.service.js';

export function directoryRoutes(service: DirectoryService): Router {
  const r = Router();
  mount(r, API.work.directory, () => service.get());
  return r;
}

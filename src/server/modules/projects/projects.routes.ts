import { Router } from 'express';
import { API } from '../../../contracts/index.js';
import { mount } from '../../http/mount.js';
import type { ProjectsService } from './projects.service.js';

export function projectsRoutes(service: ProjectsService): Router {
  const r = Router();
  mount(r, API.work.projects, ({ query }) => service.list(query));
  mount(r, API.work.project, ({ params }) => service.get(params.id));
  mount(r, API.work.projectContext, ({ params }) => service.context(params.id));
  mount(r, API.work.integrity, ({ params }) => service.integrity(params.id));
  return r;
}

import { Router } from 'express';
import { idParamsSchema, projectsQuerySchema } from '../../../contracts/index.js';
import { route } from '../../http/route.js';
import type { ProjectsService } from './projects.service.js';

export function projectsRoutes(service: ProjectsService): Router {
  const r = Router();
  r.get('/projects', route({ query: projectsQuerySchema }, ({ query }) => service.list(query)));
  r.get('/projects/:id', route({ params: idParamsSchema }, ({ params }) => service.get(params.id)));
  r.get('/projects/:id/context', route({ params: idParamsSchema }, ({ params }) => service.context(params.id)));
  r.get('/projects/:id/integrity', route({ params: idParamsSchema }, ({ params }) => service.integrity(params.id)));
  return r;
}

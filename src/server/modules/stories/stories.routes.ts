import { Router } from 'express';
import { kanbanQuerySchema, storiesQuerySchema } from '../../../contracts/index.js';
import { route } from '../../http/route.js';
import type { StoriesService } from './kanban.service.js';

export function storiesRoutes(service: StoriesService): Router {
  const r = Router();
  r.get('/stories', route({ query: storiesQuerySchema }, ({ query }) => service.list(query)));
  r.get('/kanban/board', route({ query: kanbanQuerySchema }, ({ query }) => service.board(query.projectId)));
  return r;
}

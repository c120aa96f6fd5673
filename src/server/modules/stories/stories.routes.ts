import { Router } from 'express';
import { idParamsSchema, kanbanQuerySchema, storiesQuerySchema, storyStatusChangeBodySchema } from '../../../contracts/index.js';
import { requireAccess } from '../auth/auth.middleware.js';
import { route } from '../../http/route.js';
import type { StoriesService } from './kanban.service.js';
import type { ChangeStoryStatus } from './story-status.command.js';

export function storiesRoutes(service: StoriesService, changeStatus: ChangeStoryStatus): Router {
  const r = Router();
  r.get('/stories', route({ query: storiesQuerySchema }, ({ query }) => service.list(query)));
  r.get('/stories/:id', route({ params: idParamsSchema }, ({ params }) => service.detail(params.id)));
  r.get('/kanban/board', route({ query: kanbanQuerySchema }, ({ query }) => service.board(query.projectId)));
  r.patch(
    '/stories/:id/status',
    requireAccess('operate'),
    route({ params: idParamsSchema, body: storyStatusChangeBodySchema }, ({ params, body, principal, req }) =>
      changeStatus.run(params.id, body, { userId: principal!.kind === 'user' ? principal!.userId : '', ip: req.ip ?? null }),
    ),
  );
  return r;
}

import { Router } from 'express';
import { idParamsSchema, transitionsQuerySchema, workflowsQuerySchema } from '../../../contracts/index.js';
import { route } from '../../http/route.js';
import type { WorkflowsService } from './workflows.service.js';

export function workflowsRoutes(service: WorkflowsService): Router {
  const r = Router();
  r.get('/workflows', route({ query: workflowsQuerySchema }, ({ query }) => service.list(query)));
  r.get('/workflows/:id', route({ params: idParamsSchema }, ({ params }) => service.get(params.id)));
  r.get(
    '/workflows/:id/transitions',
    route({ params: idParamsSchema, query: transitionsQuerySchema }, ({ params, query }) => service.transitions(params.id, query.limit)),
  );
  return r;
}

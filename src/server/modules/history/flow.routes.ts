import { Router } from 'express';
import { flowQuerySchema, flowSourcesQuerySchema, idParamsSchema } from '../../../contracts/index.js';
import { route } from '../../http/route.js';
import type { FlowService } from './flow.service.js';

export function flowRoutes(service: FlowService): Router {
  const r = Router();
  r.get('/projects/:id/flow', route({ params: idParamsSchema, query: flowQuerySchema }, ({ params, query }) => service.flow(params.id, query)));
  r.get('/projects/:id/flow/sources', route({ params: idParamsSchema, query: flowSourcesQuerySchema }, ({ params, query }) => service.sources(params.id, query)));
  return r;
}

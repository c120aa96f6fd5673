import { Router } from 'express';
import { lineageParamsSchema, lineageQuerySchema, outliersQuerySchema, trendsQuerySchema } from '../../../contracts/index.js';
import { route } from '../../http/route.js';
import type { AnalyticsService } from './analytics.service.js';

export function analyticsRoutes(service: AnalyticsService): Router {
  const r = Router();
  r.get('/meta/kpis', route({}, () => service.catalogue()));
  r.get('/analytics/agents/trends', route({ query: trendsQuerySchema }, ({ query }) => service.trends(query)));
  r.get('/analytics/agents/outliers', route({ query: outliersQuerySchema }, ({ query }) => service.outliers(query)));
  r.get(
    '/analytics/lineage/:lineageRef',
    route({ params: lineageParamsSchema, query: lineageQuerySchema }, ({ params, query }) => service.lineage(params.lineageRef, query)),
  );
  return r;
}

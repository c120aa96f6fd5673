import { Router } from 'express';
import { costSummaryQuerySchema, costTimeseriesQuerySchema } from '../../../contracts/index.js';
import { route } from '../../http/route.js';
import type { CostsService } from './costs.service.js';

export function costsRoutes(service: CostsService): Router {
  const r = Router();
  r.get('/costs/summary', route({ query: costSummaryQuerySchema }, ({ query }) => service.summary(query)));
  r.get('/costs/timeseries', route({ query: costTimeseriesQuerySchema }, ({ query }) => service.timeseries(query)));
  return r;
}

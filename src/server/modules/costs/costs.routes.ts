import { Router } from 'express';
import { API } from '../../../contracts/index.js';
import { mount } from '../../http/mount.js';
import type { CostsService } from './costs.service.js';

export function costsRoutes(service: CostsService): Router {
  const r = Router();
  mount(r, API.insight.costSummary, ({ query }) => service.summary(query));
  mount(r, API.insight.costTimeseries, ({ query }) => service.timeseries(query));
  return r;
}

import { Router } from 'express';
import { API } from '../../../contracts/index.js';
import { mount } from '../../http/mount.js';
import type { AnalyticsService } from './analytics.service.js';

export function analyticsRoutes(service: AnalyticsService): Router {
  const r = Router();
  mount(r, API.insight.kpis, () => service.catalogue());
  mount(r, API.insight.trends, ({ query }) => service.trends(query));
  mount(r, API.insight.outliers, ({ query }) => service.outliers(query));
  mount(r, API.insight.lineage, ({ params, query }) => service.lineage(params.lineageRef, query));
  return r;
}

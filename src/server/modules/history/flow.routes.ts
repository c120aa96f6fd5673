import { Router } from 'express';
import { API } from '../../../contracts/index.js';
import { mount } from '../../http/mount.js';
import type { FlowService } from './flow.service.js';

export function flowRoutes(service: FlowService): Router {
  const r = Router();
  mount(r, API.work.flow, ({ params, query }) => service.flow(params.id, query));
  mount(r, API.work.flowSources, ({ params, query }) => service.sources(params.id, query));
  return r;
}

import { Router } from 'express';
import { API } from '../../../contracts/index.js';
import { mount } from '../../http/mount.js';
import type { WorkflowsService } from './workflows.service.js';

export function workflowsRoutes(service: WorkflowsService): Router {
  const r = Router();
  mount(r, API.work.workflows, ({ query }) => service.list(query));
  mount(r, API.work.workflow, ({ params }) => service.get(params.id));
  mount(r, API.work.transitions, ({ params, query }) => service.transitions(params.id, query.limit));
  return r;
}

import { Router } from 'express';
import { API, STATUSES, STATUS_MODEL, STATUS_ENTITIES, type StatusModelResponse } from '../../../contracts/index.js';
import { mount } from '../../http/mount.js';
import type { WorkspaceService } from './workspace.service.js';

export function statusModelResponse(): StatusModelResponse {
  const entities = Object.fromEntries(
    STATUS_ENTITIES.map((e) => [
      e,
      {
        statuses: [...STATUS_MODEL[e].statuses],
        transitions: Object.fromEntries(STATUS_MODEL[e].statuses.map((s) => [s, [...(STATUS_MODEL[e].transitions[s] ?? [])]])),
        terminal: [...STATUS_MODEL[e].terminal],
      },
    ]),
  ) as StatusModelResponse['entities'];
  return { statuses: [...STATUSES], entities };
}

export function metaRoutes(workspace: WorkspaceService): Router {
  const r = Router();
  mount(r, API.work.statusModel, () => statusModelResponse());
  mount(r, API.work.workspace, () => workspace.info());
  return r;
}

import { Router } from 'express';
import { STATUSES, STATUS_MODEL, STATUS_ENTITIES, type StatusModelResponse } from '../../../contracts/index.js';
import { route } from '../../http/route.js';
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
  r.get('/meta/status-model', route({}, () => statusModelResponse()));
  r.get('/meta/workspace', route({}, () => workspace.info()));
  return r;
}

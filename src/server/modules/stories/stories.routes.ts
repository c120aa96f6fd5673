import { Router } from 'express';
import { API } from '../../../contracts/index.js';
import { mount } from '../../http/mount.js';
import type { StoriesService } from './kanban.service.js';
import type { ChangeStoryStatus } from './story-status.command.js';

export function storiesRoutes(service: StoriesService, changeStatus: ChangeStoryStatus): Router {
  const r = Router();
  mount(r, API.work.stories, ({ query }) => service.list(query));
  mount(r, API.work.story, ({ params }) => service.detail(params.id));
  mount(r, API.work.board, ({ query }) => service.boardBody(query.projectId));
  mount(r, API.work.moveStory, ({ params, body, principal, req }) =>
    changeStatus.run(params.id, body, { userId: principal!.kind === 'user' ? principal!.userId : '', ip: req.ip ?? null }),
  );
  return r;
}

import { Router } from 'express';
import { API } from '../../../contracts/index.js';
import { mount } from '../../http/mount.js';
import type { DocumentsService } from './documents.service.js';

export function documentsRoutes(service: DocumentsService): Router {
  const r = Router();
  mount(r, API.work.documents, ({ query }) => service.list(query));
  mount(r, API.work.document, ({ params }) => service.get(params.id));
  mount(r, API.work.documentContent, ({ params, req, res }) => service.content(params.id, req, res));
  return r;
}

import { Router } from 'express';
import { documentsQuerySchema, idParamsSchema } from '../../../contracts/index.js';
import { route } from '../../http/route.js';
import type { DocumentsService } from './documents.service.js';

export function documentsRoutes(service: DocumentsService): Router {
  const r = Router();
  r.get('/documents', route({ query: documentsQuerySchema }, ({ query }) => service.list(query)));
  r.get('/documents/:id', route({ params: idParamsSchema }, ({ params }) => service.get(params.id)));
  r.get('/documents/:id/content', route({ params: idParamsSchema }, ({ params, req, res }) => service.content(params.id, req, res)));
  return r;
}

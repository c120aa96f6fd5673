import { Router } from 'express';
import { API } from '../../../contracts/index.js';
import { mount } from '../../http/mount.js';
import { buildOpenApiDocument } from '../../http/openapi.js';

/** The API's version, as OpenAPI documents it: it changes when an endpoint changes incompatibly. */
export const API_DOCUMENT_VERSION = '1.0.0';

/** GET /openapi.json: built once, from the same catalogue the routes are mounted from. */
export function openApiRoutes(): Router {
  const r = Router();
  let document: unknown;
  mount(r, API.ops.openapi, ({ res }) => {
    res.set('Cache-Control', 'no-cache');
    return (document ??= buildOpenApiDocument(API_DOCUMENT_VERSION));
  });
  return r;
}

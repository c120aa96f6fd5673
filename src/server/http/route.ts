import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { issuesToFieldErrors } from '../../contracts/index.js';
import { validationFailed } from './errors.js';
import { SerializedJson } from './serialized-json.js';
import type { Principal } from '../modules/auth/index.js';

interface Schemas<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  params?: P;
  query?: Q;
  body?: B;
}

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  req: Request;
  res: Response;
  principal: Principal | undefined;
}

const empty = z.strictObject({});

/**
 * The one validation step of every route: params, query and body are parsed by their contract schemas before the
 * handler runs, and all failures are reported together as 422 field errors. Handlers never read raw req.query/body.
 * A handler returns the response body (sent as JSON with `status`; a SerializedJson as its bytes), or undefined when
 * it wrote the response itself.
 */
export function route<P extends z.ZodType = typeof empty, Q extends z.ZodType = typeof empty, B extends z.ZodType = z.ZodUnknown>(
  schemas: Schemas<P, Q, B>,
  handler: (input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>) => Promise<unknown> | unknown,
  status = 200,
): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const fields = [];
      const params = (schemas.params ?? empty).safeParse(req.params ?? {});
      if (!params.success) fields.push(...issuesToFieldErrors(params.error));
      const query = (schemas.query ?? empty).safeParse(req.query ?? {});
      if (!query.success) fields.push(...issuesToFieldErrors(query.error));
      const body = schemas.body ? schemas.body.safeParse(req.body) : { success: true as const, data: req.body as unknown };
      if (!body.success) fields.push(...issuesToFieldErrors(body.error, 'body'));
      if (fields.length > 0) throw validationFailed(fields);
      const result = await handler({
        params: params.data as z.output<P>,
        query: query.data as z.output<Q>,
        body: body.data as z.output<B>,
        req,
        res,
        principal: res.locals.principal as Principal | undefined,
      });
      if (result === undefined || res.headersSent) return;
      res.status(res.statusCode === 200 ? status : res.statusCode);
      // res.send answers 304 itself when the request's validator matches the ETag set here.
      if (result instanceof SerializedJson) res.type('json').set('ETag', result.etag).send(result.body);
      else res.json(result);
    } catch (err) {
      next(err);
    }
  };
}

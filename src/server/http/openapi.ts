import { z } from 'zod';
import { clientMessageSchema, CLOSE_CODES, ENDPOINTS, errorBodySchema, fullPath, serverMessageSchema, type EndpointSpec } from '../../contracts/index.js';

type JsonSchema = Record<string, unknown>;
const ERROR_REF = { $ref: '#/components/schemas/ErrorBody' };

/** Query parameters are read as strings and parsed: the reference shows what a caller sends, not what the server keeps. */
function toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', reused: 'inline' }) as JsonSchema;
  return rest;
}

function parameters(e: EndpointSpec): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, schema] of [
    ['path', e.params],
    ['query', e.query],
  ] as const) {
    if (!schema) continue;
    const s = toSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, prop] of Object.entries(s.properties ?? {})) {
      const { description, ...rest } = prop as { description?: string };
      out.push({ name, in: where, required: where === 'path' || (s.required ?? []).includes(name), schema: rest, ...(description ? { description } : {}) });
    }
  }
  return out;
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No content',
  303: 'Redirect',
  400: 'The body is not what this endpoint takes',
  401: 'Not signed in, or the token is invalid or expired',
  403: 'Signed in, but this role or key may not do this',
  404: 'No such resource',
  409: 'Conflicts with the current state',
  422: 'Validation failed: the fields say where',
  429: 'Too many requests: retry after Retry-After seconds',
  503: 'Busy or not ready: retry after Retry-After seconds',
  507: 'The disk is full: writes are refused until it is not',
};

function responses(e: EndpointSpec): JsonSchema {
  const ok = e.status ?? 200;
  const success: JsonSchema = { description: STATUS_TEXT[ok] ?? 'OK' };
  if (e.response) success.content = { 'application/json': { schema: toSchema(e.response, 'output') } };
  else if (e.produces) success.content = { [e.produces]: {} };
  const out: JsonSchema = { [ok]: success };
  const error = (code: number) => (out[code] = { description: STATUS_TEXT[code], content: { 'application/json': { schema: ERROR_REF } } });
  if (e.access !== 'public') [401, 403].forEach(error);
  if (e.params) error(404);
  if (e.params || e.query || e.body) error(422);
  if (e.method !== 'GET') [409, 429, 503].forEach(error);
  return out;
}

function operation(e: EndpointSpec): JsonSchema {
  const op: JsonSchema = {
    operationId: `${e.method.toLowerCase()}${fullPath(e).replace(/[^A-Za-z0-9]+(.)?/g, (_, c?: string) => (c ? c.toUpperCase() : ''))}`,
    summary: e.summary,
    tags: [e.tag],
    'x-access': e.access,
    parameters: parameters(e),
    responses: responses(e),
  };
  if (e.description) op.description = e.description;
  if (e.access === 'public') op.security = [];
  if (e.body) op.requestBody = { required: true, content: { 'application/json': { schema: toSchema(e.body, 'input') } } };
  else if (e.consumes) op.requestBody = { required: true, content: Object.fromEntries(e.consumes.map((c) => [c, {}])) };
  return op;
}

/** `/projects/:id` → `/projects/{id}` */
const openApiPath = (e: EndpointSpec) => fullPath(e).replace(/:([A-Za-z]+)/g, '{$1}');

/**
 * The OpenAPI 3.1 document, generated from the catalogue's zod schemas (zod's own JSON Schema output, which is the
 * dialect OpenAPI 3.1 uses). The WebSocket protocol has no place in OpenAPI's paths: its messages are components,
 * described under `x-websocket`.
 */
export function buildOpenApiDocument(version: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const e of ENDPOINTS) (paths[openApiPath(e)] ??= {})[e.method.toLowerCase()] = operation(e);
  const tags = [...new Set(ENDPOINTS.map((e) => e.tag))].map((name) => ({ name }));
  return {
    openapi: '3.1.0',
    info: {
      title: 'BMAD Ops API',
      version,
      description:
        'Everything the dashboard shows, and the ingestion API. Browsers use the session cookie; scripts send `Authorization: Bearer <API key or session token>`. ' +
        'Errors are `{ error: { code, message, fields? } }`. Live updates: a WebSocket on `/ws` (see `x-websocket` and the ClientMessage / ServerMessage components).',
    },
    servers: [{ url: '/' }],
    tags,
    security: [{ bearer: [] }, { session: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key (bmo_…) or a session token from POST /auth/login with issueToken' },
        session: { type: 'apiKey', in: 'cookie', name: 'bmad_ops_session', description: 'Set by sign-in; `__Host-bmad_ops_session` over HTTPS' },
      },
      schemas: {
        ErrorBody: toSchema(errorBodySchema, 'output'),
        ClientMessage: toSchema(clientMessageSchema, 'input'),
        ServerMessage: toSchema(serverMessageSchema, 'output'),
      },
    },
    'x-websocket': {
      path: '/ws',
      summary: 'Live events with sequence numbers: subscribe to topics, resume from (epoch, lastAckEventId), replay what was missed',
      clientMessages: { $ref: '#/components/schemas/ClientMessage' },
      serverMessages: { $ref: '#/components/schemas/ServerMessage' },
      closeCodes: CLOSE_CODES,
    },
  };
}

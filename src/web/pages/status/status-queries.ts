import { queryOptions } from '@tanstack/react-query';
import { statusResponseSchema, type StatusWindow } from '../../../contracts/index.js';
import { api } from '../../api/http.js';

/** Every status query lives under this prefix: a `status_updated` notice re-reads them. */
export const statusKeys = {
  all: ['status'] as const,
  window: (w: StatusWindow) => ['status', w] as const,
};

export const statusQuery = (w: StatusWindow) => queryOptions({ queryKey: statusKeys.window(w), queryFn: () => api.get(`/status?window=${w}`, statusResponseSchema) });

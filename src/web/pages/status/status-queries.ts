import { queryOptions } from '@tanstack/react-query';
import { API, type StatusWindow } from '../../../contracts/index.js';
import { call } from '../../api/http.js';
import { statusKeys } from '../../api/query-keys.js';

export const statusQuery = (w: StatusWindow) =>
  queryOptions({ queryKey: statusKeys.window(w), queryFn: () => call(API.insight.status, { query: { window: w } }) });

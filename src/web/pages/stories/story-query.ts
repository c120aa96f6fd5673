import { queryOptions } from '@tanstack/react-query';
import { API } from '../../../contracts/index.js';
import { call } from '../../api/http.js';
import { storyKeys } from '../../api/query-keys.js';

export const storyQuery = (id: string) => queryOptions({ queryKey: storyKeys.detail(id), queryFn: () => call(API.work.story, { params: { id } }) });

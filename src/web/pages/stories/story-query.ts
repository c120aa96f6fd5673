import { queryOptions } from '@tanstack/react-query';
import { storyDetailSchema } from '../../../contracts/index.js';
import { api } from '../../api/http.js';

/** The story page's query; the live reducers find it by this key (every story page lives under ['story']). */
export const storyKeys = {
  all: ['story'] as const,
  detail: (id: string) => ['story', id] as const,
};

export const storyQuery = (id: string) => queryOptions({ queryKey: storyKeys.detail(id), queryFn: () => api.get(`/stories/${encodeURIComponent(id)}`, storyDetailSchema) });

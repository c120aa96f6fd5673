import { useQuery } from '@tanstack/react-query';
import { storyQuery } from './story-query.js';

/** A story's title for labels: undefined while it loads, the id itself when the story has no title or is not known. */
export function useStoryTitle(id: string | null | undefined): string | undefined {
  const story = useQuery({ ...storyQuery(id ?? ''), enabled: !!id, retry: false });
  if (!id) return undefined;
  if (story.isPending) return undefined;
  return story.data?.story.title ?? id;
}

import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { keys, storyKeys } from '../../src/web/api/query-keys.js';
import { applyStoryEvents } from '../../src/web/live/reducers/stories.reducer.js';
import { liveEvent, recordingContext } from '../support/live-events.js';

const AT = '2026-11-29T11:00:00Z';

describe('live reducers: status history, flow and epics', () => {
  it('a story status change re-reads that story page (its history), the flow charts and an open sources drawer', () => {
    const { ctx, invalidated } = recordingContext();
    const e = liveEvent(
      'story.status_changed',
      's-1',
      AT,
      {
        from: 'queued',
        to: 'in_progress',
        column: 'in-progress',
        fromColumn: 'ready-for-dev',
        seenIn: 'commit',
        commit: { hash: 'a'.repeat(40), subject: 'feat: start' },
      },
      'story',
    );
    applyStoryEvents(new QueryClient(), [e], ctx);
    expect(invalidated).toContainEqual(storyKeys.detail('s-1'));
    expect(invalidated).toContainEqual(['flow']);
    expect(invalidated).toContainEqual(['flow-sources']);
    // Every project's flow query lives under the prefix the reducer re-reads.
    expect(keys.flow('p').slice(0, 1)).toEqual(['flow']);
    expect(keys.flowSources('p').slice(0, 1)).toEqual(['flow-sources']);
  });

  it('an upserted epic re-reads its project page; an epic status change (which names no project) re-reads the project pages on screen', () => {
    const { ctx, invalidated } = recordingContext();
    applyStoryEvents(
      new QueryClient(),
      [
        liveEvent(
          'epic.upserted',
          'p:epic:1',
          AT,
          { projectId: 'p', key: '1', title: 'Foundations', status: 'done', sourceStatus: 'done', retrospective: { status: 'done' } },
          'story',
        ),
      ],
      ctx,
    );
    expect(invalidated).toEqual([keys.projectContext('p')]);
    applyStoryEvents(new QueryClient(), [liveEvent('epic.status_changed', 'p:epic:2', AT, { from: 'queued', to: 'in_progress' }, 'story')], ctx);
    expect(invalidated).toContainEqual(['project-context']);
    // Neither touches stories: no story page or flow re-read for an epic alone.
    expect(invalidated).not.toContainEqual(['flow']);
  });
});

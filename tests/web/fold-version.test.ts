import { describe, expect, it } from 'vitest';
import { compareVersions, isNewerVersion, versionKeyOf, type DocumentMeta, type Workflow } from '../../src/contracts/index.js';
import { isNewer as serverIsNewer } from '../../src/server/modules/events/projection.js';
import { foldDocument } from '../../src/web/live/reducers/documents.reducer.js';
import { foldProject, foldStory, foldWorkflow, versionOfMessage, type TypedEvent } from '../../src/web/live/reducers/fold.js';
import { liveEvent } from '../support/live-events.js';

// The browser's folds and the server's projections rank events by one rule: occurredAt, then sender and id.

const AT = '2026-11-29T10:00:00.000Z';
const from = (source: string, sourceEventId: string) => ({ source, sourceEventId });
const foldAll = (events: readonly TypedEvent[]) => events.reduce<Workflow | undefined>((w, e) => foldWorkflow(w, e), undefined);

describe('the shared "newest wins" rule', () => {
  it('is the one the server projects with', () => {
    expect(serverIsNewer).toBe(isNewerVersion);
  });

  it('breaks an occurredAt tie on the sender and its id, and lets an unversioned row lose to anything', () => {
    const a = { at: AT, key: versionKeyOf(from('src-1', 'e-9')) };
    const b = { at: AT, key: versionKeyOf(from('src-2', 'e-1')) };
    expect(isNewerVersion(b, a)).toBe(true);
    expect(isNewerVersion(a, b)).toBe(false);
    expect(isNewerVersion(a, a)).toBe(false);
    expect(isNewerVersion(a, { at: null, key: null })).toBe(true);
    expect([b, a].sort(compareVersions)).toEqual([a, b]);
  });
});

describe('live folds break ties as the server does, whatever the arrival order', () => {
  const older = liveEvent('workflow.transitioned', 'w', AT, { to: 'done' }, 'workflow', from('src-1', 'e-1'));
  const newer = liveEvent('workflow.transitioned', 'w', AT, { to: 'failed' }, 'workflow', from('src-2', 'e-1'));

  it('a workflow status', () => {
    expect(foldAll([older, newer])).toMatchObject({ status: 'failed', statusVersion: versionOfMessage(newer) });
    expect(foldAll([newer, older])).toMatchObject({ status: 'failed', statusVersion: versionOfMessage(newer) });
    // The same event again (a read racing the stream) changes nothing.
    const settled = foldAll([newer, older])!;
    expect(foldWorkflow(settled, newer)).toEqual(settled);
  });

  it('a story status and its column', () => {
    const a = liveEvent('story.upserted', 's', AT, { projectId: 'p', title: 'S', status: 'queued', kanbanColumn: 'review' }, 'story', from('src-1', 'e-1'));
    const b = liveEvent('story.status_changed', 's', AT, { to: 'in_progress' }, 'story', from('src-2', 'e-1'));
    for (const order of [
      [a, b],
      [b, a],
    ]) {
      // No column named: the card sits in its status's column, which is what the server reports for it.
      expect(order.reduce((s, e) => foldStory(s, e), foldStory(undefined, order[0]!))).toMatchObject({
        status: 'in_progress',
        kanbanColumn: 'in_progress',
        title: 'S',
      });
    }
  });

  it('a project', () => {
    const a = liveEvent('project.upserted', 'p', AT, { name: 'Alpha', status: 'queued' }, 'project', from('src-2', 'e-1'));
    const b = liveEvent('project.upserted', 'p', AT, { name: 'Beta', status: 'queued' }, 'project', from('src-1', 'e-9'));
    expect(foldProject(foldProject(undefined, a, 0), b, 0)!.name).toBe('Alpha');
    expect(foldProject(foldProject(undefined, b, 0), a, 0)!.name).toBe('Alpha');
  });

  it('a document', () => {
    const meta: DocumentMeta = {
      id: 'd',
      projectId: null,
      storyId: null,
      title: 'Old',
      mimeType: 'text/plain',
      checksum: null,
      createdAt: AT,
      updatedAt: AT,
      rowVersion: { at: AT, key: versionKeyOf(from('src-2', 'e-1')) },
    };
    const tied = liveEvent(
      'document.registered',
      'd',
      AT,
      { title: 'New', mimeType: 'text/plain', root: 'r', path: 'a.txt' },
      'document',
      from('src-1', 'e-2'),
    );
    expect(foldDocument(meta, tied)).toBe(meta);
  });
});

describe('attributes and status are versioned apart, as on the server', () => {
  it('an upsert older than the last transition still names the run', () => {
    const first = liveEvent('workflow.upserted', 'w', '2026-11-29T10:00:00.000Z', { name: 'build', status: 'queued' });
    const moved = liveEvent('workflow.transitioned', 'w', '2026-11-29T10:03:00.000Z', { to: 'in_progress' });
    const renamed = liveEvent('workflow.upserted', 'w', '2026-11-29T10:02:00.000Z', { name: 'review', status: 'queued' });
    expect(foldAll([first, moved, renamed])).toMatchObject({ name: 'review', status: 'in_progress', lastTransitionAt: '2026-11-29T10:03:00.000Z' });
    // A transition seen before any upsert does not stop the first upsert from naming the run.
    expect(foldAll([moved, first])).toMatchObject({ name: 'build', status: 'in_progress' });
  });
});

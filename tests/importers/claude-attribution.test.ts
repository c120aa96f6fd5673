import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConnectorEvent } from '../../src/server/connector/bmad/to-events.js';
import { commandContext, storyNamedIn } from '../../src/server/importers/claude/command-context.js';
import { ClaudeUsageImporter, mayHoldSessionsOf, resolveBmadRoots } from '../../src/server/importers/claude/index.js';
import { tempDir } from '../support/test-server.js';

const root = path.resolve(import.meta.dirname, '../..');
const STORIES = [
  { key: '1-2-create-and-edit-habits', file: '_bmad-output/implementation-artifacts/1-2-create-and-edit-habits.md' },
  { key: '1-20-bulk-edit', file: null },
  { key: '2-1-streak-calculation', file: '_bmad-output/implementation-artifacts/2-1-streak-calculation.md' },
];

describe('what a command names', () => {
  it('reads the skill and its arguments in each spelling', () => {
    expect(commandContext('<command-message>x</command-message>\n<command-name>/bmad-dev-story</command-name>\n<command-args>1-2</command-args>')).toEqual({
      skill: 'bmad-dev-story',
      args: '1-2',
    });
    expect(commandContext('please run /bmad-bmm-code-review story 2.1 now')).toEqual({ skill: 'bmad-bmm-code-review', args: 'story 2.1 now' });
    expect(commandContext('bmad-create-story')).toEqual({ skill: 'bmad-create-story', args: null });
    expect(commandContext('no command here')).toEqual({ skill: null, args: null });
  });

  it('names a story only when exactly one fits', () => {
    expect(storyNamedIn('1-2', STORIES)).toBe('1-2-create-and-edit-habits');
    expect(storyNamedIn('story 1.2', STORIES)).toBe('1-2-create-and-edit-habits');
    expect(storyNamedIn('1-20', STORIES)).toBe('1-20-bulk-edit');
    expect(storyNamedIn('2-1-streak-calculation please', STORIES)).toBe('2-1-streak-calculation');
    expect(storyNamedIn('3-1', STORIES)).toBeNull();
    expect(storyNamedIn('version 1.2.3', STORIES)).toBeNull();
    expect(storyNamedIn(null, STORIES)).toBeNull();
    // Two stories share the short key: no guess.
    expect(storyNamedIn('1-2', [...STORIES, { key: '1-2-other-habits', file: null }])).toBeNull();
  });

  it("knows which Claude Code folders can hold a project's sessions", () => {
    expect(mayHoldSessionsOf('-home-u-streakly', '/home/u/streakly')).toBe(true);
    expect(mayHoldSessionsOf('-home-u-streakly-src', '/home/u/streakly')).toBe(true);
    expect(mayHoldSessionsOf('-home-u-streakly2', '/home/u/streakly')).toBe(false);
    expect(mayHoldSessionsOf('-home-u-other', '/home/u/streakly')).toBe(false);
  });
});

describe('attribution from a session', () => {
  const base = tempDir('bmad-ops-claude-attr-');
  const bmad = path.join(base, 'streakly');
  fs.cpSync(path.join(root, 'examples/bmad-v6-sample'), bmad, { recursive: true });
  afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

  const user = (at: string, content: string, cwd = bmad) => ({ type: 'user', sessionId: 's1', cwd, timestamp: at, message: { role: 'user', content } });
  const assistant = (at: string, id: string, extra: Record<string, unknown> = {}, cwd = bmad) => ({
    type: 'assistant',
    sessionId: 's1',
    cwd,
    timestamp: at,
    requestId: `req_${id}`,
    message: { id: `msg_${id}`, model: 'claude-sonnet-4-5-20250929', content: [], usage: { input_tokens: 1, output_tokens: 1 }, ...extra },
  });

  async function run(lines: object[], options: { onlyInProjects?: boolean } = {}) {
    const file = path.join(base, `s-${Math.random().toString(36).slice(2)}.jsonl`);
    fs.writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const importer = new ClaudeUsageImporter(await resolveBmadRoots([bmad]), options);
    const events: ConnectorEvent[] = [];
    await importer.readFile(file, { partial: 'read', emit: (e) => void events.push(e) });
    return { importer, events, byRequest: (id: string) => events.find((e) => e.payload.requestId === `req_${id}`)?.payload };
  }

  it('takes the story from the story file the workflow edited when its command named none', async () => {
    const storyFile = path.join(bmad, '_bmad-output/implementation-artifacts/2-1-streak-calculation.md');
    const { byRequest } = await run([
      user('2026-11-20T09:00:00Z', '<command-name>/bmad-dev-story</command-name>'),
      assistant('2026-11-20T09:00:10Z', 'before'),
      assistant('2026-11-20T09:01:00Z', 'edit', { content: [{ type: 'tool_use', name: 'Edit', input: { file_path: storyFile } }] }),
      assistant('2026-11-20T09:02:00Z', 'after'),
      // Loading another workflow starts a new part: the edit before it names nothing after it.
      user('2026-11-20T09:03:00Z', '<command-name>/bmad-code-review</command-name>'),
      assistant('2026-11-20T09:03:10Z', 'review'),
    ]);
    expect(byRequest('before')).toMatchObject({ storyId: null, skill: 'bmad-dev-story', agentId: 'bmad-agent-dev' });
    expect(byRequest('edit')).toMatchObject({ storyId: 'bmad:streakly:story:2-1-streak-calculation' });
    expect(byRequest('after')).toMatchObject({ storyId: 'bmad:streakly:story:2-1-streak-calculation' });
    expect(byRequest('review')).toMatchObject({ storyId: null, skill: 'bmad-code-review', agentId: 'bmad-agent-qa' });
  });

  it('keeps the cache-write split, skips synthetic lines, and leaves sessions outside projects out when asked', async () => {
    const { importer, events, byRequest } = await run(
      [
        user('2026-11-20T09:00:00Z', '/bmad-dev-story 1.2'),
        assistant('2026-11-20T09:00:10Z', 'split', {
          usage: {
            input_tokens: 1,
            output_tokens: 2,
            cache_creation_input_tokens: 30,
            cache_creation: { ephemeral_5m_input_tokens: 10, ephemeral_1h_input_tokens: 20 },
            speed: 'fast',
            service_tier: 'standard',
          },
        }),
        // A split that does not add up to the total is not trusted: the total alone is kept.
        assistant('2026-11-20T09:00:20Z', 'badsplit', {
          usage: {
            input_tokens: 1,
            output_tokens: 2,
            cache_creation_input_tokens: 30,
            cache_creation: { ephemeral_5m_input_tokens: 10, ephemeral_1h_input_tokens: 5 },
          },
        }),
        assistant('2026-11-20T09:00:30Z', 'synthetic', { model: '<synthetic>' }),
        assistant('2026-11-20T09:00:40Z', 'outside', {}, '/somewhere/else'),
      ],
      { onlyInProjects: true },
    );
    expect(byRequest('split')).toMatchObject({
      storyId: 'bmad:streakly:story:1-2-create-and-edit-habits',
      tokens: { input: 1, output: 2, cacheWrite: 30, cacheRead: 0, cacheWrite5m: 10, cacheWrite1h: 20 },
      speed: 'fast',
      serviceTier: 'standard',
      via: 'transcript',
      sessionId: 's1',
      parentSessionId: null,
    });
    expect(byRequest('badsplit')!.tokens).toEqual({ input: 1, output: 2, cacheWrite: 30, cacheRead: 0 });
    expect(events.map((e) => e.payload.requestId)).toEqual(['req_split', 'req_badsplit']);
    expect(importer.stats).toMatchObject({
      synthetic: 1,
      outsideProject: 1,
      inProject: 2,
      requestsByProject: { streakly: 2 },
      sessionsByProject: { streakly: 1 },
    });
  });
});

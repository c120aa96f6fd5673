import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorEvent } from '../../src/server/connector/bmad/to-events.js';
import {
  classifyCommand,
  ClaudeUsageImporter,
  defaultClaudeProjectDirs,
  findBmadCommands,
  listTranscriptFiles,
  resolveBmadRoots,
} from '../../src/server/importers/claude/index.js';
import { tempDir } from '../support/test-server.js';

const root = path.resolve(import.meta.dirname, '../..');
const fixture = path.join(root, 'tests/fixtures/claude/projects');

/** A temp copy of the fixture with its cwd placeholders pointing at a temp BMAD project and a temp plain folder. */
function setUp() {
  const base = tempDir('bmad-ops-claude-');
  const bmad = path.join(base, 'streakly');
  const other = path.join(base, 'other');
  const projects = path.join(base, 'claude/projects');
  fs.cpSync(path.join(root, 'examples/bmad-v6-sample'), bmad, { recursive: true });
  fs.mkdirSync(other);
  fs.cpSync(fixture, projects, { recursive: true });
  for (const f of fs.readdirSync(projects, { recursive: true, encoding: 'utf8' })) {
    const p = path.join(projects, f);
    if (p.endsWith('.jsonl')) fs.writeFileSync(p, fs.readFileSync(p, 'utf8').replaceAll('__BMAD__', bmad).replaceAll('__OTHER__', other));
  }
  return { base, bmad, other, projects };
}

async function importAll(importer: ClaudeUsageImporter, projects: string): Promise<ConnectorEvent[]> {
  const events: ConnectorEvent[] = [];
  for (const f of await listTranscriptFiles([projects])) await importer.readFile(f, { partial: 'read', emit: (e) => void events.push(e) });
  return events;
}

describe('BMAD slash commands', () => {
  it('recognises the command spellings of each BMAD era and ignores prose', () => {
    expect(classifyCommand('bmad:bmm:workflows:dev-story')).toEqual({ role: 'dev', workflow: 'dev-story' });
    expect(classifyCommand('BMad:agents:dev')).toEqual({ role: 'dev', workflow: null });
    expect(classifyCommand('bmad-bmm-dev-story')).toEqual({ role: 'dev', workflow: 'dev-story' });
    expect(classifyCommand('bmad-agent-dev')).toEqual({ role: 'dev', workflow: null });
    expect(classifyCommand('bmad-agent-bmm-ux-designer')).toEqual({ role: 'ux-designer', workflow: null });
    expect(classifyCommand('bmad-build')).toEqual({ role: 'dev', workflow: 'build' });
    expect(classifyCommand('bmad-bmm-create-story')).toEqual({ role: 'sm', workflow: 'create-story' });
    expect(classifyCommand('bmad:bmm:workflows:create-architecture')).toEqual({ role: 'architect', workflow: 'create-architecture' });
    expect(classifyCommand('BMad:agents:ux-expert')).toEqual({ role: 'ux-designer', workflow: null });
    expect(classifyCommand('bmad-help')).toBeNull();
    expect(classifyCommand('bmad-agent-unknown')).toBeNull();
    expect(findBmadCommands('<command-name>/bmad-agent-qa</command-name>')).toEqual([{ role: 'qa', workflow: null }]);
    expect(findBmadCommands('/bmad-bmm-code-review 2-1')).toEqual([{ role: 'qa', workflow: 'code-review' }]);
    expect(findBmadCommands('bmad-agent-pm')).toEqual([{ role: 'pm', workflow: null }]);
    expect(findBmadCommands('the bmad-ops tests fail after `npm run bmad-method`')).toEqual([]);
    expect(findBmadCommands('see docs/bmad-notes.md')).toEqual([]);
  });

  it('finds the transcript homes from CLAUDE_CONFIG_DIR or the defaults', () => {
    expect(defaultClaudeProjectDirs({ CLAUDE_CONFIG_DIR: '/a, /b' }, '/home/u')).toEqual(['/a/projects', '/b/projects']);
    expect(defaultClaudeProjectDirs({}, '/home/u')).toEqual(['/home/u/.config/claude/projects', '/home/u/.claude/projects']);
  });
});

describe('Claude Code usage importer on the fixture', () => {
  let env: ReturnType<typeof setUp>;
  beforeAll(() => {
    env = setUp();
  });
  afterAll(() => fs.rmSync(env.base, { recursive: true, force: true }));

  it('parses, dedupes and attributes with the hand-computed totals', async () => {
    const roots = await resolveBmadRoots([env.bmad]);
    expect(roots[0]!.projectKey).toBe('streakly');
    const importer = new ClaudeUsageImporter(roots);
    const events = await importAll(importer, env.projects);
    const s = importer.stats;
    expect(s).toMatchObject({
      files: 4,
      linesRead: 17,
      usageEntries: 8,
      duplicates: 2,
      malformed: 1,
      apiErrors: 1,
      inProject: 6,
      outsideProject: 2,
      attributed: 6,
      unattributed: 2,
    });
    expect(s.tokens).toEqual({ input: 865, output: 315, cacheWrite: 1400, cacheRead: 3500 });
    expect(s.byWorkflow).toEqual({ 'dev-story': 3 });
    expect(importer.issues).toEqual([{ file: path.join(env.projects, '-work-streakly/sess-b.jsonl'), line: 3, message: expect.stringMatching(/not JSON/) }]);

    expect(events).toHaveLength(8);
    expect(new Set(events.map((e) => e.id)).size).toBe(8);
    const byTokens = (input: number) => events.find((e) => (e.payload.tokens as { input: number }).input === input)!;
    expect(byTokens(200)).toMatchObject({
      source: 'claude-code-importer',
      type: 'cost.recorded',
      occurredAt: '2026-11-20T09:01:00.000Z',
      entity: { type: 'cost' },
      projectId: 'bmad:streakly',
      payload: {
        amount: 0.0123,
        currency: 'USD',
        projectId: 'bmad:streakly',
        agentId: 'bmad-agent-dev',
        model: 'claude-sonnet-4-5-20250929',
        tokens: { input: 200, output: 80, cacheWrite: 0, cacheRead: 1000 },
      },
    });
    // The sub-agent's call (09:02) belongs to the workflow running then, not to the agent loaded later (09:05).
    expect(byTokens(30).payload).toMatchObject({ agentId: 'bmad-agent-dev', projectId: 'bmad:streakly', model: 'claude-haiku-4-5-20251001' });
    expect(byTokens(10).payload).toMatchObject({ agentId: 'bmad-agent-qa', projectId: 'bmad:streakly', model: 'claude-opus-4-1-20250805' });
    expect(byTokens(400).payload).toMatchObject({ agentId: null, projectId: 'bmad:streakly' });
    expect(byTokens(400).payload).not.toHaveProperty('amount');
    expect(byTokens(70).payload).toMatchObject({ agentId: 'bmad-agent-sm', projectId: null });
    expect(byTokens(5).payload).toMatchObject({ agentId: 'bmad-agent-sm', projectId: null, tokens: { input: 5, output: 5, cacheWrite: 0, cacheRead: 0 } });
    const amounts = events.filter((e) => e.payload.amount !== undefined);
    expect(amounts).toHaveLength(1);

    // A second importer (a later run) makes the same ids: the server sees duplicates.
    const again = await importAll(new ClaudeUsageImporter(roots), env.projects);
    expect(again.map((e) => e.id)).toEqual(events.map((e) => e.id));
    // Without BMAD folders nothing is in a project; the agents still come from the slash commands.
    const bare = new ClaudeUsageImporter();
    await importAll(bare, env.projects);
    expect(bare.stats).toMatchObject({ inProject: 0, outsideProject: 8, attributed: 6 });
  });

  it('reads only appended lines, and keeps an unterminated last line for later', async () => {
    const importer = new ClaudeUsageImporter();
    const file = path.join(env.base, 'tail.jsonl');
    const line = (id: string, input: number) =>
      JSON.stringify({
        type: 'assistant',
        sessionId: 's',
        timestamp: '2026-11-23T10:00:00Z',
        requestId: `r-${id}`,
        message: { id, model: 'm', usage: { input_tokens: input, output_tokens: 1 } },
      });
    fs.writeFileSync(file, `${line('m1', 1)}\n${line('m2', 2).slice(0, 40)}`);
    const got: ConnectorEvent[] = [];
    const emit = (e: ConnectorEvent) => void got.push(e);
    await importer.readFile(file, { partial: 'keep', emit });
    expect(got).toHaveLength(1);
    fs.writeFileSync(file, `${line('m1', 1)}\n${line('m2', 2)}\n${line('m3', 3)}\n`);
    await importer.readFile(file, { partial: 'keep', emit });
    expect(got.map((e) => (e.payload.tokens as { input: number }).input)).toEqual([1, 2, 3]);
    expect(importer.stats).toMatchObject({ linesRead: 3, malformed: 0, usageEntries: 3 });
    fs.appendFileSync(file, 'garbage\n');
    await importer.readFile(file, { partial: 'keep', emit });
    expect(importer.issues).toEqual([{ file, line: 4, message: expect.stringMatching(/not JSON/) }]);
  });

  it('counts and skips a line over the cap without holding it, also when it arrives in pieces, and goes on after it', async () => {
    const importer = new ClaudeUsageImporter([], { maxLineBytes: 64 * 1024 });
    const file = path.join(env.base, 'long.jsonl');
    const line = (id: string) =>
      JSON.stringify({
        type: 'assistant',
        sessionId: 's',
        timestamp: '2026-11-23T10:00:00Z',
        requestId: `r-${id}`,
        message: { id, model: 'm', usage: { input_tokens: 1, output_tokens: 1 } },
      });
    const got: ConnectorEvent[] = [];
    const emit = (e: ConnectorEvent) => void got.push(e);
    // A line with no newline yet, growing past the cap between reads (what a tailed file can do).
    fs.writeFileSync(file, `${line('a')}\n${'x'.repeat(100 * 1024)}`);
    await importer.readFile(file, { partial: 'keep', emit });
    fs.appendFileSync(file, `${'y'.repeat(300 * 1024)}\n${line('b')}\n`);
    await importer.readFile(file, { partial: 'keep', emit });
    expect(got.map((e) => e.payload.requestId)).toEqual(['r-a', 'r-b']);
    expect(importer.issues).toEqual([{ file, line: 2, message: 'a line longer than 0.0625 MiB: skipped' }]);
    // A file that ends inside such a line (a one-shot import) counts it too.
    const once = new ClaudeUsageImporter([], { maxLineBytes: 64 * 1024 });
    const tail = path.join(env.base, 'no-newline.jsonl');
    fs.writeFileSync(tail, 'z'.repeat(200 * 1024));
    await once.readFile(tail, { partial: 'read', emit });
    expect(once.stats.malformed).toBe(1);
  });
});

// Writes examples/bmad-v6-sample-claude: SYNTHETIC Claude Code transcripts for the sample project (no real session,
// no prompt or response text). Timestamps count back from ANCHOR, which the sample replays as "now"; "__SAMPLE__" in
// cwd and file paths becomes wherever the sample is made. Deterministic: running it again writes the same files.
// Usage: node scripts/make-sample-transcripts.mjs
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const ANCHOR = Date.parse('2030-01-01T00:00:00.000Z');
const OUT = path.resolve(import.meta.dirname, '../examples/bmad-v6-sample-claude');
const FOLDER = 'projects/-sample-streakly';
const MIN = 60_000;
const DAY = 86_400_000;
const MODELS = { opus: 'claude-opus-4-5-20251101', sonnet: 'claude-sonnet-4-5-20250929', haiku: 'claude-haiku-4-5-20251001' };
const STORY = (key) => `__SAMPLE__/_bmad-output/implementation-artifacts/${key}.md`;
const KEYS = {
  '1-1': '1-1-project-scaffold-and-magic-link-sign-in',
  '1-2': '1-2-create-and-edit-habits',
  '1-3': '1-3-daily-check-in',
  '1-4': '1-4-habit-schedules',
  '2-1': '2-1-streak-calculation',
  '2-2': '2-2-reminder-notifications',
  '2-3': '2-3-streak-freeze-tokens',
  '2-5': '2-5-timezone-travel-handling',
  '3-1': '3-1-progress-charts',
};

// A small seeded generator, so token counts look organic but never change between runs.
let seed = 20251203;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const between = (a, b) => Math.round(a + rand() * (b - a));
const hash = (s) => createHash('sha256').update(s).digest('hex');
const uuid = (s) => {
  const h = hash(s);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

/**
 * Each session: when it started (days before the anchor), the slash command and its arguments, the model, how many
 * API requests over how many minutes, story files it edited, a sub-agent, and whether it ended on API errors.
 */
const sessions = [
  {
    daysAgo: 38.3,
    command: 'bmad-create-product-brief',
    model: 'opus',
    requests: 8,
    minutes: 50,
    edits: ['__SAMPLE__/_bmad-output/planning-artifacts/product-brief-Streakly-2025-05-12.md'],
  },
  { daysAgo: 36.8, command: 'bmad-create-prd', model: 'opus', requests: 14, minutes: 95 },
  { daysAgo: 35.3, command: 'bmad-create-architecture', model: 'opus', requests: 12, minutes: 80, subagent: { requests: 5 } },
  { daysAgo: 34.6, command: 'bmad-create-epics-and-stories', model: 'sonnet', requests: 10, minutes: 60 },
  { daysAgo: 33.8, command: 'bmad-check-implementation-readiness', model: 'sonnet', requests: 5, minutes: 25 },
  { daysAgo: 33.3, command: 'bmad-sprint-planning', model: 'sonnet', requests: 4, minutes: 15 },
  { daysAgo: 32.85, command: 'bmad-create-story', args: '1-1', model: 'sonnet', requests: 5, minutes: 20, edits: [STORY(KEYS['1-1'])] },
  {
    daysAgo: 31.9,
    command: 'bmad-dev-story',
    args: '1-1',
    model: 'sonnet',
    requests: 26,
    minutes: 190,
    edits: [STORY(KEYS['1-1'])],
    subagent: { requests: 6 },
  },
  { daysAgo: 29.7, command: 'bmad-code-review', args: '1-1', model: 'sonnet', requests: 6, minutes: 30 },
  { daysAgo: 29.5, command: 'bmad-dev-story', args: '1-2', model: 'sonnet', requests: 20, minutes: 150, edits: [STORY(KEYS['1-2'])] },
  { daysAgo: 27.2, command: 'bmad-code-review', args: '1-2', model: 'sonnet', requests: 7, minutes: 35 },
  { daysAgo: 26.5, command: 'bmad-dev-story', args: '1-2', model: 'sonnet', requests: 9, minutes: 60, edits: [STORY(KEYS['1-2'])] },
  { daysAgo: 25.5, command: 'bmad-code-review', args: '1-2', model: 'sonnet', requests: 4, minutes: 20 },
  { daysAgo: 25.3, command: 'bmad-dev-story', args: '1.3', model: 'sonnet', requests: 18, minutes: 140, edits: [STORY(KEYS['1-3'])] },
  { daysAgo: 23.0, command: 'bmad-code-review', args: '1-3', model: 'sonnet', requests: 5, minutes: 25 },
  { daysAgo: 22.8, command: 'bmad-dev-story', args: '1-4', model: 'sonnet', requests: 16, minutes: 120, edits: [STORY(KEYS['1-4'])] },
  { daysAgo: 20.5, command: 'bmad-code-review', args: '1-4', model: 'sonnet', requests: 5, minutes: 25 },
  { daysAgo: 19.7, command: 'bmad-retrospective', args: 'epic 1', model: 'sonnet', requests: 6, minutes: 40 },
  { daysAgo: 19.55, command: 'bmad-create-story', args: '2-1', model: 'sonnet', requests: 4, minutes: 20, edits: [STORY(KEYS['2-1'])] },
  {
    daysAgo: 18.6,
    command: 'bmad-dev-story',
    args: '2-1',
    model: 'sonnet',
    requests: 30,
    minutes: 240,
    edits: [STORY(KEYS['2-1'])],
    subagent: { requests: 8 },
    longCache: true,
  },
  { daysAgo: 16.6, command: 'bmad-code-review', args: '2-1', model: 'opus', requests: 8, minutes: 45 },
  { daysAgo: 16.4, command: 'bmad-dev-story', args: '2-2', model: 'sonnet', requests: 22, minutes: 170, edits: [STORY(KEYS['2-2'])] },
  { daysAgo: 14.2, command: 'bmad-code-review', args: '2-2', model: 'sonnet', requests: 6, minutes: 30 },
  {
    daysAgo: 12.2,
    command: 'bmad-dev-story',
    args: '2-3',
    model: 'sonnet',
    requests: 7,
    minutes: 40,
    edits: [STORY(KEYS['2-3'])],
    failsWith: 'overloaded_error',
  },
  { daysAgo: 10.8, command: 'bmad-dev-story', args: '2-2', model: 'sonnet', requests: 11, minutes: 80, edits: [STORY(KEYS['2-2'])] },
  // Started without arguments: the story comes from the story file it edited.
  { daysAgo: 8.8, command: 'bmad-dev-story', model: 'sonnet', requests: 15, minutes: 110, edits: [STORY(KEYS['2-5'])] },
  { daysAgo: 6.45, command: 'bmad-create-story', args: '3-1', model: 'sonnet', requests: 5, minutes: 20, edits: [STORY(KEYS['3-1'])] },
  // No BMAD command: usage in the project, attributed to no workflow or agent.
  { daysAgo: 1.5, command: null, model: 'sonnet', requests: 6, minutes: 25 },
  // Still running when the sample is made: its last request a few minutes before "now".
  { daysAgo: 0.05, command: 'bmad-dev-story', args: '2-3', model: 'sonnet', requests: 9, minutes: 68, edits: [STORY(KEYS['2-3'])] },
];

let n = 0;
const iso = (ms) => new Date(ms).toISOString();

function usage(model, longCache, heavy) {
  const input = between(3, 60);
  const output = between(150, heavy ? 3200 : 1400);
  const read = model === 'haiku' ? between(4_000, 18_000) : between(18_000, heavy ? 140_000 : 70_000);
  const write = between(400, 9_000);
  const w1h = longCache ? Math.round(write * 0.6) : 0;
  return {
    input_tokens: input,
    cache_creation_input_tokens: write,
    cache_read_input_tokens: read,
    cache_creation: { ephemeral_5m_input_tokens: write - w1h, ephemeral_1h_input_tokens: w1h },
    output_tokens: output,
    service_tier: 'standard',
  };
}

function writeSession(s) {
  const sessionId = uuid(`session-${s.daysAgo}-${s.command}`);
  const start = ANCHOR - s.daysAgo * DAY;
  const base = { parentUuid: null, isSidechain: false, userType: 'external', cwd: '__SAMPLE__', sessionId, version: '2.0.55', gitBranch: 'main' };
  const lines = [];
  let last = null;
  const push = (o) => {
    const uuidOf = uuid(`${sessionId}-${lines.length}`);
    lines.push(JSON.stringify({ ...base, parentUuid: last, ...o, uuid: uuidOf }));
    last = uuidOf;
  };
  const text = s.command
    ? `<command-message>${s.command} is running…</command-message>\n<command-name>/${s.command}</command-name>${s.args ? `\n<command-args>${s.args}</command-args>` : ''}`
    : '(synthetic sample: prompt text omitted)';
  push({ type: 'user', message: { role: 'user', content: text }, timestamp: iso(start) });
  const step = (s.minutes * MIN) / s.requests;
  for (let i = 0; i < s.requests; i++) {
    const at = start + Math.round((i + 0.5) * step) + between(0, 20_000);
    const failing = s.failsWith && i >= s.requests - 2;
    n++;
    if (failing) {
      push({
        type: 'assistant',
        isApiErrorMessage: true,
        message: {
          id: `msg_err_${n}`,
          model: '<synthetic>',
          role: 'assistant',
          content: [{ type: 'text', text: `API Error: 529 {"type":"error","error":{"type":"${s.failsWith}"}}` }],
          usage: { input_tokens: 0, output_tokens: 0 },
        },
        timestamp: iso(at),
      });
      continue;
    }
    const edit = s.edits && i === Math.floor(s.requests / 3) ? s.edits[0] : null;
    const content = edit
      ? [{ type: 'tool_use', id: `toolu_${n}`, name: 'Edit', input: { file_path: edit, old_string: '…', new_string: '…' } }]
      : [{ type: 'text', text: '(synthetic sample: response text omitted)' }];
    push({
      type: 'assistant',
      requestId: `req_sample_${String(n).padStart(4, '0')}`,
      message: {
        id: `msg_sample_${String(n).padStart(4, '0')}`,
        type: 'message',
        role: 'assistant',
        model: MODELS[s.model],
        content,
        stop_reason: edit ? 'tool_use' : 'end_turn',
        usage: usage(s.model, s.longCache, s.command === 'bmad-dev-story'),
      },
      timestamp: iso(at),
    });
  }
  const dir = path.join(OUT, FOLDER);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${sessionId}.jsonl`), `${lines.join('\n')}\n`);
  if (s.subagent) {
    const agentId = `agent-${hash(sessionId).slice(0, 8)}`;
    const sub = [];
    for (let i = 0; i < s.subagent.requests; i++) {
      n++;
      const at = start + Math.round(((i + 1) * s.minutes * MIN) / (s.subagent.requests + 2));
      sub.push(
        JSON.stringify({
          ...base,
          isSidechain: true,
          agentId,
          type: 'assistant',
          requestId: `req_sample_${String(n).padStart(4, '0')}`,
          message: {
            id: `msg_sample_${String(n).padStart(4, '0')}`,
            type: 'message',
            role: 'assistant',
            model: MODELS.haiku,
            content: [{ type: 'text', text: '(synthetic sample: response text omitted)' }],
            usage: usage('haiku', false, false),
          },
          uuid: uuid(`${agentId}-${i}`),
          timestamp: iso(at),
        }),
      );
    }
    fs.mkdirSync(path.join(dir, sessionId, 'subagents'), { recursive: true });
    fs.writeFileSync(path.join(dir, sessionId, 'subagents', `${agentId}.jsonl`), `${sub.join('\n')}\n`);
  }
}

fs.rmSync(OUT, { recursive: true, force: true });
for (const s of sessions) writeSession(s);
fs.writeFileSync(
  path.join(OUT, 'README.md'),
  `# Synthetic Claude Code transcripts for the sample project

**Not real sessions.** Written by \`scripts/make-sample-transcripts.mjs\` so that a fresh \`npm start\` shows cost and
agent runs for the sample project (Streakly). They hold usage only — ids, timestamps, models, token counts, the BMAD
slash command, the story files a session edited — and no prompt or response text.

\`serve --sample\` copies them next to the sample it makes (\`<data-dir>/sample/claude/projects\`), with \`__SAMPLE__\`
replaced by the sample's folder and every timestamp moved so that ${iso(ANCHOR)} becomes the moment the sample is made.
They are then read like real transcripts (and tailed).

${sessions.length} sessions (${sessions.filter((s) => s.subagent).length} with a sub-agent), ${n} API requests; one session ends on API
errors (overloaded), one has no BMAD command, one is still running when the sample is made.
`,
);
console.log(`wrote ${sessions.length} sessions, ${n} requests to ${OUT}`);

import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { z } from 'zod';
import { parseMarkdown } from '../connector/bmad/parse/markdown.js';
import { walkFiles } from '../connector/bmad/parse/files.js';

const run = promisify(execFile);

/** The package's own examples folder (the same depth from src/ and dist/). */
export const EXAMPLES_DIR = fileURLToPath(new URL('../../../examples/', import.meta.url));
const SAMPLE = 'bmad-v6-sample';

const historySchema = z.object({
  people: z.record(z.string(), z.object({ name: z.string(), email: z.string() })),
  initialStatus: z.string(),
  commits: z.array(
    z.object({
      daysAgo: z.number().min(0).max(3650),
      by: z.string(),
      message: z.string().min(1),
      add: z.array(z.string()).optional(),
      sprintStatus: z.boolean().optional(),
      set: z.record(z.string(), z.string()).optional(),
      keepFileStatus: z.array(z.string()).optional(),
      final: z.boolean().optional(),
    }),
  ),
});

const SPRINT = '_bmad-output/implementation-artifacts/sprint-status.yaml';
const storyFile = (key: string) => `_bmad-output/implementation-artifacts/${key}.md`;

/** sprint-status.yaml as the sample has it, with the values of `development_status` replaced. */
function sprintWith(text: string, values: ReadonlyMap<string, string>): string {
  return text.replace(/^(\s+)([\w.-]+)(:[ \t]*)([\w-]+)/gm, (all, indent: string, key: string, sep: string) =>
    values.has(key) ? `${indent}${key}${sep}${values.get(key)}` : all,
  );
}

/** A story file with its Status value replaced (the rest of the file as the sample has it). */
function withStatus(text: string, status: string): string {
  const loc = parseMarkdown(text).status;
  return loc ? `${text.slice(0, loc.start)}${status}${text.slice(loc.end)}` : text;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

export interface SampleResult {
  dir: string;
  /** Whether the folder was made now (false: an earlier start made it, and it is used as it is). */
  created: boolean;
  /** Why it has no git history (git missing), when it has none. */
  note: string | null;
}

/**
 * The sample project for `serve --sample` (npm start): examples/bmad-v6-sample replayed into a git repository in the
 * data directory, one backdated commit per step of examples/bmad-v6-sample-history.json, ending at the sample as it
 * is. Dates count back from `now`, so a new user sees stories that moved over the last weeks. Made once; later starts
 * use it as it is (cards moved in the dashboard are written there, never into examples/).
 */
export async function materializeSample(dataDir: string, now: Date): Promise<SampleResult> {
  const dir = path.join(path.resolve(dataDir), 'sample', 'streakly');
  if (await exists(path.join(dir, '_bmad-output'))) return { dir, created: false, note: null };
  const source = path.join(EXAMPLES_DIR, SAMPLE);
  const history = historySchema.parse(JSON.parse(await readFile(path.join(EXAMPLES_DIR, `${SAMPLE}-history.json`), 'utf8')));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const all = [...(await walkFiles(source, ['_bmad', '_bmad-output'])).keys()];
  const copy = async (rel: string) => {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await copyFile(path.join(source, rel), path.join(dir, rel));
  };
  const git = (args: string[], env: NodeJS.ProcessEnv = {}) => run('git', args, { cwd: dir, env: { ...process.env, ...env } });
  try {
    await git(['init', '-q', '-b', 'main']);
  } catch {
    for (const rel of all) await copy(rel);
    return { dir, created: true, note: 'git is not installed: the sample has no history' };
  }
  const finalSprint = await readFile(path.join(source, SPRINT), 'utf8');
  const values = new Map<string, string>();
  for (const m of finalSprint.matchAll(/^\s+([\w.-]+):[ \t]*([\w-]+)/gm)) {
    if (m[1] === 'action' || m[1] === 'owner' || m[1] === 'status' || m[1] === 'epic') continue;
    values.set(m[1]!, /-retrospective$/.test(m[1]!) ? 'optional' : history.initialStatus);
  }
  for (const c of history.commits) {
    for (const rel of c.add ?? []) await copy(rel);
    for (const [key, status] of Object.entries(c.set ?? {})) {
      values.set(key, status);
      const file = storyFile(key);
      if (!(await exists(path.join(source, file)))) continue;
      const text = await readFile(path.join(source, file), 'utf8');
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), c.keepFileStatus?.includes(key) ? text : withStatus(text, status));
    }
    if (c.sprintStatus || c.set) {
      await mkdir(path.dirname(path.join(dir, SPRINT)), { recursive: true });
      await writeFile(path.join(dir, SPRINT), sprintWith(finalSprint, values));
    }
    if (c.final) for (const rel of all) await copy(rel);
    const person = history.people[c.by] ?? { name: c.by, email: `${c.by}@example.com` };
    const when = new Date(now.getTime() - c.daysAgo * 86_400_000).toISOString();
    await git(['add', '-A']);
    await git(
      ['-c', `user.name=${person.name}`, '-c', `user.email=${person.email}`, '-c', 'commit.gpgsign=false', 'commit', '-q', '--allow-empty', '-m', c.message],
      {
        GIT_AUTHOR_DATE: when,
        GIT_COMMITTER_DATE: when,
      },
    );
  }
  return { dir, created: true, note: null };
}

/** The synthetic transcripts' "now" (scripts/make-sample-transcripts.mjs): moved to the moment the sample is made. */
const TRANSCRIPTS_ANCHOR = Date.parse('2030-01-01T00:00:00.000Z');
const TRANSCRIPTS = 'bmad-v6-sample-claude';

/**
 * The sample's synthetic Claude Code transcripts (examples/bmad-v6-sample-claude), made once in
 * `<data-dir>/sample/claude/projects` in the folder Claude Code would use for the sample's folder, with its paths and
 * its times (counted back from `now`, like the sample's history) filled in. Returns the transcripts folder.
 */
export async function materializeSampleTranscripts(dataDir: string, sampleDir: string, now: Date): Promise<string> {
  const projects = path.join(path.resolve(dataDir), 'sample', 'claude', 'projects');
  const source = path.join(EXAMPLES_DIR, TRANSCRIPTS, 'projects', '-sample-streakly');
  const target = path.join(projects, sampleDir.replace(/[^A-Za-z0-9]/g, '-'));
  if (await exists(target)) return projects;
  const shift = now.getTime() - TRANSCRIPTS_ANCHOR;
  const inSample = (v: unknown) => (typeof v === 'string' ? v.replace('__SAMPLE__', sampleDir) : v);
  const moveLine = (line: string): string => {
    const o = JSON.parse(line) as Record<string, unknown>;
    if (typeof o.cwd === 'string') o.cwd = inSample(o.cwd);
    if (typeof o.timestamp === 'string') o.timestamp = new Date(Date.parse(o.timestamp) + shift).toISOString();
    const content = (o.message as { content?: unknown } | undefined)?.content;
    if (Array.isArray(content)) {
      for (const c of content as { input?: { file_path?: unknown } }[])
        if (c.input && typeof c.input.file_path === 'string') c.input.file_path = inSample(c.input.file_path);
    }
    return JSON.stringify(o);
  };
  // Written beside the target and renamed into place, so a start that is interrupted leaves no half-made sessions.
  const staging = `${target}.partial`;
  await rm(staging, { recursive: true, force: true });
  for (const rel of (await walkFiles(source, [''])).keys()) {
    if (!rel.endsWith('.jsonl')) continue;
    const text = await readFile(path.join(source, rel), 'utf8');
    const moved = text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map(moveLine)
      .join('\n');
    await mkdir(path.dirname(path.join(staging, rel)), { recursive: true, mode: 0o700 });
    await writeFile(path.join(staging, rel), `${moved}\n`);
  }
  await rename(staging, target);
  return projects;
}

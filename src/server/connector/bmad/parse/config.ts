import { posix } from 'node:path';
import type { BmadIssue, BmadLayout } from '../model.js';
import { derive, type ScanFiles } from './cache.js';
import { relativeInside, statFile } from './files.js';
import type { DetectedLayout } from './layout.js';
import { parseTomlText } from './toml-text.js';
import { isRecord, parseYaml, stringField } from './yaml-text.js';

/** Where a project keeps its artifacts, every path relative to the project root with forward slashes. */
export interface ProjectPaths {
  projectName: string | null;
  /** Folders whose planning documents (PRD, architecture, ...) are planning workflow outputs. */
  planningDirs: string[];
  /** Folders holding story files. */
  storyDirs: string[];
  /** Folders whose every file is registered as a document. */
  documentDirs: string[];
  /** Where sprint-status.yaml may be, first existing wins. */
  sprintStatusCandidates: string[];
  /** Where the alpha bmm-workflow-status.yaml may be. */
  workflowStatusCandidates: string[];
  /** v4 QA folder (gates under `gates/`). */
  qaDir: string | null;
  /** BMAD's output folder (v6: `_bmad-output`), where the ticket tree and bmad-spec folders live; null for v4. */
  outputDir: string | null;
  /** Config files that were read (relative), for the watcher and for errors. */
  configFiles: string[];
}

export interface ConfigResult {
  paths: ProjectPaths;
  errors: BmadIssue[];
}

/**
 * Resolves a configured path: `{project-root}` (and `{output_folder}` where alphas use it) are replaced, quotes
 * and trailing slashes removed. Paths that leave the project or still hold a placeholder are ignored (null).
 */
export function resolveConfigPath(root: string, value: string | null, vars: Record<string, string> = {}): string | null {
  if (value === null) return null;
  let v = value
    .trim()
    .replace(/^['"]|['"]$/g, '')
    .replace(/\\/g, '/');
  const fromProjectRoot = v.startsWith('{project-root}');
  v = v.replace(/\{project-root\}/g, '');
  for (const [name, replacement] of Object.entries(vars)) v = v.split(`{${name}}`).join(replacement);
  if (v.includes('{')) return null;
  if (!fromProjectRoot && (v.startsWith('/') || /^[a-zA-Z]:\//.test(v))) {
    const inside = relativeInside(root, v);
    return inside === null || inside === '' ? null : inside;
  }
  v = posix.normalize(v.replace(/^\/+/, '')).replace(/\/+$/, '');
  if (v === '' || v === '.' || v === '..' || v.startsWith('../')) return null;
  return v;
}

/** BMAD's TOML layers, merged in this order (`src/scripts/config_utils.py::load_central_config` in v6.11). */
export const TOML_LAYERS = ['_bmad/config.toml', '_bmad/config.user.toml', '_bmad/custom/config.toml', '_bmad/custom/config.user.toml'] as const;

/**
 * BMAD's merge: tables deep-merge, arrays of tables merge by `code` (or `id`), other arrays append, scalars replace.
 */
export function mergeTomlLayers(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const prev = out[k];
    if (isRecord(prev) && isRecord(v)) out[k] = mergeTomlLayers(prev, v);
    else if (Array.isArray(prev) && Array.isArray(v)) {
      const keyOf = (x: unknown) => (isRecord(x) ? (x['code'] ?? x['id']) : undefined);
      if ([...prev, ...v].every((x) => isRecord(x) && keyOf(x) !== undefined)) {
        const merged = new Map<unknown, unknown>(prev.map((x) => [keyOf(x), x]));
        for (const x of v)
          merged.set(
            keyOf(x),
            isRecord(merged.get(keyOf(x))) ? mergeTomlLayers(merged.get(keyOf(x)) as Record<string, unknown>, x as Record<string, unknown>) : x,
          );
        out[k] = [...merged.values()];
      } else out[k] = [...prev, ...v];
    } else out[k] = v;
  }
  return out;
}

/** The settings the connector reads, from the merged TOML: `[core]`, then `[modules.bmm]`, then the top level. */
export function tomlSettings(merged: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  const modules = isRecord(merged['modules']) ? merged['modules'] : {};
  for (const table of [merged, modules['bmm'], merged['core']]) {
    if (!isRecord(table)) continue;
    for (const [k, v] of Object.entries(table)) if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
  }
  return out;
}

interface ConfigRead {
  data: Record<string, unknown> | null;
  error: BmadIssue | null;
}

async function readYamlConfig(root: string, files: ScanFiles, rel: string): Promise<ConfigRead> {
  const st = await statFile(root, rel);
  if (!st) return { data: null, error: null };
  const entry = await files.load(st);
  if (entry.facts.type !== 'text') return { data: null, error: { kind: 'parse_error', file: rel, line: null, message: `cannot read ${rel}` } };
  const text = entry.facts.text;
  const { current, lastGood } = derive(
    entry,
    'config',
    () => parseYaml(text),
    (p) => p.error === null,
  );
  if (current.error) {
    const error: BmadIssue = { kind: 'parse_error', file: rel, line: current.error.line, message: `${rel}: ${current.error.message}` };
    return { data: lastGood && isRecord(lastGood.data) ? lastGood.data : null, error };
  }
  if (current.data !== null && current.data !== undefined && !isRecord(current.data)) {
    return { data: null, error: { kind: 'parse_error', file: rel, line: 1, message: `${rel}: expected a mapping of settings` } };
  }
  return { data: isRecord(current.data) ? current.data : {}, error: null };
}

/** Merges whichever TOML layers exist; a layer that does not parse is reported with its line and skipped. */
async function readTomlLayers(root: string, files: ScanFiles): Promise<{ settings: Record<string, string>; read: string[]; errors: BmadIssue[] }> {
  let merged: Record<string, unknown> = {};
  const read: string[] = [];
  const errors: BmadIssue[] = [];
  for (const rel of TOML_LAYERS) {
    const st = await statFile(root, rel);
    if (!st) continue;
    read.push(rel);
    const entry = await files.load(st);
    if (entry.facts.type !== 'text') continue;
    const text = entry.facts.text;
    const { current } = derive(
      entry,
      'toml',
      () => parseTomlText(text),
      () => true,
    );
    if (current.error) errors.push({ kind: 'parse_error', file: rel, line: current.error.line, message: `${rel}: ${current.error.message}` });
    else merged = mergeTomlLayers(merged, current.data);
  }
  return { settings: tomlSettings(merged), read, errors };
}

function placeholderFree(name: string | null): string | null {
  if (name === null) return null;
  const t = name.trim();
  return t === '' || t.includes('{') ? null : t;
}

function nested(obj: unknown, key: string, inner: string): string | null {
  return isRecord(obj) ? stringField(obj[key], inner) : null;
}

const uniq = (xs: Array<string | null>): string[] => [...new Set(xs.filter((x): x is string => x !== null && x !== ''))];

/** v4 keeps its paths in core-config.yaml, with docs/ defaults for each. */
function v4Paths(root: string, cfg: Record<string, unknown>, configFiles: string[]): ConfigResult['paths'] {
  const get = (key: string): string | null => stringField(cfg, key);
  const resolve = (v: string | null, fallback: string): string => resolveConfigPath(root, v) ?? fallback;
  const stories = resolve(get('devStoryLocation'), 'docs/stories');
  const prdFile = resolve(nested(cfg, 'prd', 'prdFile'), 'docs/prd.md');
  const prdSharded = resolve(nested(cfg, 'prd', 'prdShardedLocation'), 'docs/prd');
  const archFile = resolve(nested(cfg, 'architecture', 'architectureFile'), 'docs/architecture.md');
  const archSharded = resolve(nested(cfg, 'architecture', 'architectureShardedLocation'), 'docs/architecture');
  const qa = resolve(nested(cfg, 'qa', 'qaLocation'), 'docs/qa');
  const dirOf = (f: string): string | null => (posix.dirname(f) === '.' ? null : posix.dirname(f));
  return {
    projectName: placeholderFree(get('project_name') ?? get('projectName')),
    planningDirs: uniq(['docs', dirOf(prdFile), dirOf(archFile), prdSharded, archSharded]),
    storyDirs: [stories],
    documentDirs: uniq(['docs', stories, qa, dirOf(prdFile), dirOf(archFile), prdSharded, archSharded]),
    sprintStatusCandidates: [],
    workflowStatusCandidates: [],
    qaDir: qa,
    outputDir: null,
    configFiles,
  };
}

export async function readProjectPaths(root: string, detected: DetectedLayout, files: ScanFiles): Promise<ConfigResult> {
  const errors: BmadIssue[] = [];
  const configFiles: string[] = [];
  let cfg: Record<string, unknown> = {};
  if (detected.configFile) {
    configFiles.push(detected.configFile);
    const read = await readYamlConfig(root, files, detected.configFile);
    if (read.error) errors.push(read.error);
    cfg = read.data ?? {};
  }
  if (detected.layout === 'v6') {
    // TOML layers first (v6.11+), then the older bmm/config.yaml, then BMAD's defaults.
    const toml = await readTomlLayers(root, files);
    configFiles.push(...toml.read);
    errors.push(...toml.errors);
    cfg = { ...cfg, ...toml.settings };
  }
  const get = (key: string): string | null => stringField(cfg, key);
  const layout: BmadLayout = detected.layout;

  if (layout === 'v4') return { errors, paths: v4Paths(root, cfg, configFiles) };

  const outputDefault = layout === 'v6' ? '_bmad-output' : 'docs';
  const output = resolveConfigPath(root, get('output_folder')) ?? outputDefault;
  const vars = { output_folder: output };
  const r = (key: string): string | null => resolveConfigPath(root, get(key), vars);

  if (layout === 'v6') {
    const planning = r('planning_artifacts') ?? `${output}/planning-artifacts`;
    const implementation = r('implementation_artifacts') ?? r('sprint_artifacts') ?? r('dev_story_location') ?? `${output}/implementation-artifacts`;
    const knowledge = r('project_knowledge') ?? 'docs';
    return {
      errors,
      paths: {
        projectName: placeholderFree(get('project_name')),
        planningDirs: [planning],
        storyDirs: uniq([implementation, r('dev_story_location')]),
        documentDirs: uniq([output, planning, implementation, knowledge, 'docs']),
        // Projects migrated from an alpha keep their older sprint-status.yaml (and its history) under docs/.
        sprintStatusCandidates: uniq([
          `${implementation}/sprint-status.yaml`,
          `${output}/sprint-status.yaml`,
          'docs/sprint-artifacts/sprint-status.yaml',
          'docs/sprint-status.yaml',
        ]),
        workflowStatusCandidates: uniq([`${output}/bmm-workflow-status.yaml`, `${planning}/bmm-workflow-status.yaml`]),
        qaDir: null,
        outputDir: output,
        configFiles,
      },
    };
  }

  // v6 alphas: everything under the output folder (docs/ by default).
  const stories = r('dev_story_location') ?? (layout === 'v6-alpha-dotbmad' ? `${output}/sprint-artifacts` : `${output}/stories`);
  const sprintArtifacts = r('sprint_artifacts') ?? r('implementation_artifacts');
  return {
    errors,
    paths: {
      projectName: placeholderFree(get('project_name')),
      planningDirs: [output],
      storyDirs: uniq([stories, sprintArtifacts]),
      documentDirs: uniq([output, stories, sprintArtifacts, 'docs']),
      sprintStatusCandidates: uniq([
        sprintArtifacts ? `${sprintArtifacts}/sprint-status.yaml` : null,
        `${output}/sprint-status.yaml`,
        `${stories}/sprint-status.yaml`,
        `${output}/sprint-artifacts/sprint-status.yaml`,
        'docs/sprint-status.yaml',
        'docs/sprint-artifacts/sprint-status.yaml',
      ]),
      workflowStatusCandidates: uniq([`${output}/bmm-workflow-status.yaml`, 'docs/bmm-workflow-status.yaml']),
      qaDir: null,
      outputDir: output,
      configFiles,
    },
  };
}

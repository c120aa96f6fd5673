import { readdir } from 'node:fs/promises';
import { basename } from 'node:path';
import type { BmadLayout } from '../model.js';
import { isDirectory, statFile } from './files.js';

export interface DetectedLayout {
  layout: BmadLayout;
  /** The config file to read (relative), when the project has one. */
  configFile: string | null;
  /** v6.7+: `_bmad/config.toml`, the first of the TOML layers (config.user.toml and custom/ are merged over it). */
  tomlConfigFile: string | null;
  /** Something a person should know about how the project was recognised (shown in its sync status). */
  note?: string | undefined;
}

/** Marker files and folders, newest era first (a migrated project may still carry an older folder). */
const MARKERS = '_bmad/bmm/config.yaml, _bmad/config.toml, .bmad/bmm/config.yaml, bmad/bmm/config.yaml or .bmad-core/core-config.yaml';

export class NoBmadProjectError extends Error {
  constructor(
    readonly root: string,
    detail: string,
  ) {
    super(`No BMAD project found in ${root}: ${detail}`);
    this.name = 'NoBmadProjectError';
  }
}

export async function detectLayout(root: string): Promise<DetectedLayout> {
  if (!(await isDirectory(root))) throw new NoBmadProjectError(root, 'the folder does not exist or is not a directory');
  const has = async (rel: string): Promise<boolean> => (await statFile(root, rel)) !== null;
  const dir = (rel: string): Promise<boolean> => isDirectory(`${root}/${rel}`);

  const v6Yaml = await has('_bmad/bmm/config.yaml');
  const v6Core = await has('_bmad/core/config.yaml');
  const v6Toml = await has('_bmad/config.toml');
  if (v6Yaml || v6Toml || v6Core || (await has('_bmad/_config/manifest.yaml'))) {
    const configFile = v6Yaml ? '_bmad/bmm/config.yaml' : v6Core ? '_bmad/core/config.yaml' : null;
    return { layout: 'v6', configFile, tomlConfigFile: v6Toml ? '_bmad/config.toml' : null };
  }
  if (await has('.bmad/bmm/config.yaml')) return { layout: 'v6-alpha-dotbmad', configFile: '.bmad/bmm/config.yaml', tomlConfigFile: null };
  if (await has('.bmad/core/config.yaml')) return { layout: 'v6-alpha-dotbmad', configFile: '.bmad/core/config.yaml', tomlConfigFile: null };
  if ((await dir('.bmad/bmm')) || (await dir('.bmad/_cfg'))) return { layout: 'v6-alpha-dotbmad', configFile: null, tomlConfigFile: null };
  if (await has('bmad/bmm/config.yaml')) return { layout: 'v6-alpha-bmad', configFile: 'bmad/bmm/config.yaml', tomlConfigFile: null };
  if (await has('bmad/_cfg/manifest.yaml'))
    return { layout: 'v6-alpha-bmad', configFile: (await has('bmad/core/config.yaml')) ? 'bmad/core/config.yaml' : null, tomlConfigFile: null };
  if (await has('.bmad-core/core-config.yaml')) return { layout: 'v4', configFile: '.bmad-core/core-config.yaml', tomlConfigFile: null };
  if (await dir('.bmad-core')) return { layout: 'v4', configFile: null, tomlConfigFile: null };
  // Many teams keep _bmad/ (the installed method) out of git and commit only what it produced: a teammate's clone or a
  // server's checkout sees outputs alone. Recognise the project from them, with BMAD's default paths.
  const outputs = await outputsOnly(root);
  if (outputs) return outputs;
  throw new NoBmadProjectError(
    root,
    `expected ${MARKERS}, or BMAD's outputs (_bmad-output/ with sprint-status.yaml, story files or planning artifacts), in "${basename(root)}"`,
  );
}

const NO_CONFIG_NOTE = "no _bmad/ configuration found (it is often kept out of git): BMAD's default paths are used";

/** A project known only by its outputs: `_bmad-output/` (v6), `docs/sprint-artifacts/` (alpha), `docs/stories/*.story.md` (v4). */
async function outputsOnly(root: string): Promise<DetectedLayout | null> {
  const dir = (rel: string): Promise<boolean> => isDirectory(`${root}/${rel}`);
  if (
    (await dir('_bmad-output/implementation-artifacts')) ||
    (await dir('_bmad-output/planning-artifacts')) ||
    (await statFile(root, '_bmad-output/sprint-status.yaml'))
  ) {
    return { layout: 'v6', configFile: null, tomlConfigFile: null, note: NO_CONFIG_NOTE };
  }
  if ((await dir('_bmad-output')) && (await hasTicketTree(root, '_bmad-output')))
    return { layout: 'v6', configFile: null, tomlConfigFile: null, note: NO_CONFIG_NOTE };
  if ((await statFile(root, 'docs/sprint-artifacts/sprint-status.yaml')) || (await statFile(root, 'docs/sprint-status.yaml'))) {
    return { layout: 'v6-alpha-dotbmad', configFile: null, tomlConfigFile: null, note: NO_CONFIG_NOTE };
  }
  if (await dir('docs/stories')) {
    const names = await readdir(`${root}/docs/stories`).catch(() => [] as string[]);
    if (names.some((n) => /^\d+\.\d+[a-z]?\.(?:story|[^.]+)\.md$/i.test(n)))
      return { layout: 'v4', configFile: null, tomlConfigFile: null, note: NO_CONFIG_NOTE };
  }
  return null;
}

/** The unreleased initiative/ticket tree: `initiative-<slug>/` folders or a `backlog/` of plan files under the output folder. */
export async function hasTicketTree(root: string, output: string): Promise<boolean> {
  const names = await readdir(`${root}/${output}`).catch(() => [] as string[]);
  for (const n of names) {
    if (/^initiative-/.test(n) && (await isDirectory(`${root}/${output}/${n}`))) return true;
  }
  const backlog = await readdir(`${root}/${output}/backlog`).catch(() => [] as string[]);
  return backlog.some((n) => /-plan\.md$/.test(n));
}

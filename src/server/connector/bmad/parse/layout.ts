import { basename } from 'node:path';
import type { BmadLayout } from '../model.js';
import { isDirectory, statFile } from './files.js';

export interface DetectedLayout {
  layout: BmadLayout;
  /** The config file to read (relative), when the project has one. */
  configFile: string | null;
  /** v6.7+: `_bmad/config.toml`, read as a fallback for values the YAML config does not give. */
  tomlConfigFile: string | null;
}

/** Marker files and folders, newest era first (a migrated project may still carry an older folder). */
const MARKERS = '_bmad/bmm/config.yaml, _bmad/config.toml, .bmad/bmm/config.yaml, bmad/bmm/config.yaml or .bmad-core/core-config.yaml';

export class NoBmadProjectError extends Error {
  constructor(readonly root: string, detail: string) {
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
  if (await has('bmad/_cfg/manifest.yaml')) return { layout: 'v6-alpha-bmad', configFile: (await has('bmad/core/config.yaml')) ? 'bmad/core/config.yaml' : null, tomlConfigFile: null };
  if (await has('.bmad-core/core-config.yaml')) return { layout: 'v4', configFile: '.bmad-core/core-config.yaml', tomlConfigFile: null };
  if (await dir('.bmad-core')) return { layout: 'v4', configFile: null, tomlConfigFile: null };
  throw new NoBmadProjectError(root, `expected ${MARKERS} in "${basename(root)}"`);
}

import type { Status } from '../../../contracts/index.js';
import { BmadProjectConnector, type ConnectorDeps } from './bmad-connector.js';
import { BmadConnectors } from './bmad-connectors.js';
import { ParseCache } from './parse/cache.js';
import { scanBmadProject } from './parse/index.js';
import { columnForStatus, writeBackStoryStatus } from './write-back.js';

export { BmadProjectConnector } from './bmad-connector.js';
export { BmadConnectors } from './bmad-connectors.js';

/** A connector for one project folder, with its own parse cache (only changed files are re-parsed). */
export function createBmadConnector(root: string, deps: Omit<ConnectorDeps, 'scan'>): BmadProjectConnector {
  const cache = new ParseCache();
  return new BmadProjectConnector(root, { ...deps, scan: (dir) => scanBmadProject(dir, { cache }) });
}

/** Writes a card move into the project's files: sprint-status.yaml and the story file, in BMAD's own vocabulary. */
async function writeStatus(connector: BmadProjectConnector, storyKey: string, to: Status): Promise<{ ok: true } | { ok: false; reason: string }> {
  const snap = connector.snapshot;
  const story = snap?.stories.find((s) => s.key === storyKey);
  if (!snap || !story) return { ok: false, reason: `story ${storyKey} is not in the BMAD project any more` };
  const column = columnForStatus(snap.layout, to, story.column);
  if (column === null) return { ok: false, reason: `BMAD has no "${to}" status: change it in the project itself` };
  await writeBackStoryStatus(connector.root, snap, storyKey, column);
  return { ok: true };
}

export function createBmadConnectors(): BmadConnectors {
  return new BmadConnectors(writeStatus);
}

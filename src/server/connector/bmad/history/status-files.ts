import { posix } from 'node:path';
import type { ProjectPaths } from '../parse/config.js';
import { classifyPlanningPath } from '../parse/planning.js';
import { storyRefFromFileName } from '../parse/story-keys.js';

const under = (rel: string, dir: string): boolean => rel === dir || rel.startsWith(`${dir}/`);

/**
 * The files a status can be read from (the ones whose every version the history reads): sprint-status.yaml, story
 * files and specs, the ticket tree, bmad-spec progress files, retrospectives and primary planning documents. Every
 * other file under the BMAD folders is a document: its versions are listed, its bytes are not read.
 */
export function isStatusFile(rel: string, paths: Pick<ProjectPaths, 'sprintStatusCandidates' | 'storyDirs' | 'outputDir' | 'planningDirs'>): boolean {
  if (paths.sprintStatusCandidates.includes(rel)) return true;
  const name = posix.basename(rel);
  if (!/\.(?:md|toml|ya?ml)$/i.test(name)) return false;
  if (/\.md$/i.test(name) && paths.storyDirs.some((d) => under(rel, d)) && storyRefFromFileName(name)) return true;
  if (/^epic-[A-Za-z0-9]+-retro/i.test(name) && /\.md$/i.test(name)) return true;
  const out = paths.outputDir;
  if (out !== null && rel.startsWith(`${out}/`)) {
    const rest = rel.slice(out.length + 1);
    if (/^initiative-[^/]+\/(?:tickets\.toml|epic-[^/]+\/(?:tickets\.toml|[^/]+\.md))$/.test(rest)) return true;
    if (/^backlog\/[^/]+\.md$/.test(rest)) return true;
    if (/^specs\/spec-[^/]+\/(?:stories\.ya?ml|stories\/[^/]+\.md|SPEC\.md)$/.test(rest)) return true;
  }
  if (/\.md$/i.test(name) && paths.planningDirs.some((d) => under(rel, d)) && classifyPlanningPath(rel)?.primary) return true;
  return false;
}

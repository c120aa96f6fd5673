import { statFile } from './files.js';
import type { ScanFiles } from './cache.js';
import { isRecord, parseYaml, stringField } from './yaml-text.js';

/** The BMAD version a project names: the install manifest, else the `# Version:` header of its module config. */
export async function bmadVersion(root: string, files: ScanFiles): Promise<string | null> {
  const manifest = await statFile(root, '_bmad/_config/manifest.yaml');
  if (manifest) {
    const e = await files.load(manifest);
    if (e.facts.type === 'text') {
      const parsed = parseYaml(e.facts.text);
      const installation = isRecord(parsed.data) ? parsed.data['installation'] : null;
      const v = stringField(installation, 'version');
      if (v && v.trim() !== '') return v.trim().slice(0, 64);
    }
  }
  for (const rel of ['_bmad/bmm/config.yaml', '_bmad/core/config.yaml', '.bmad-core/core-config.yaml']) {
    const st = await statFile(root, rel);
    if (!st) continue;
    const e = await files.load(st);
    const text = e.facts.type === 'text' ? e.facts.text : '';
    const m = /^#\s*Version:\s*([0-9][\w.+-]*)/m.exec(text) ?? /^\s*(?:bmad_?)?version:\s*['"]?([0-9][\w.+-]*)/im.exec(text);
    if (m) return m[1]!.slice(0, 64);
  }
  return null;
}

/** Major.minor of a version string, for comparisons (6.10.1-next.13 -> [6, 10]); null when it names none. */
export function versionParts(v: string | null): [number, number] | null {
  const m = v ? /^(\d+)\.(\d+)/.exec(v) : null;
  return m ? [Number(m[1]), Number(m[2])] : null;
}

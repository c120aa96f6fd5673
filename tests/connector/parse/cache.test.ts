import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ParseCache, scanBmadProject } from '../../../src/server/connector/bmad/parse/index.js';
import { makeProject, removeProject, touchWrite, V6_CONFIG, v6Files, v6Story } from './fixtures.js';

const IMPL = '_bmad-output/implementation-artifacts';
const EXAMPLES = join(import.meta.dirname, '..', '..', '..', 'examples');

const roots: string[] = [];
afterEach(async () => {
  await Promise.all(roots.splice(0).map(removeProject));
});

describe('ParseCache', () => {
  it('re-parses only files whose (mtimeMs, size) changed; forgets deleted files', async () => {
    const root = await makeProject({ ...v6Files(), 'docs/guide.md': '# Guide\n' });
    roots.push(root);
    const cache = new ParseCache();
    const first = await scanBmadProject(root, { cache });
    expect(first.reparsedFiles).toEqual(cache.lastParsed);
    expect(cache.lastParsed).toContain(`${IMPL}/1-1-user-authentication.md`);
    expect(cache.lastParsed).toContain('_bmad/bmm/config.yaml');
    const total = cache.parsedFiles;
    expect(total).toBe(cache.lastParsed.length);

    const warm = await scanBmadProject(root, { cache });
    expect(warm.reparsedFiles).toEqual([]);
    expect(cache.parsedFiles).toBe(total);
    expect(warm.stories).toEqual(first.stories);
    expect(warm.documents).toEqual(first.documents);

    await touchWrite(root, `${IMPL}/1-2-account-management.md`, v6Story('1.2', 'Account Management', 'review', '\n- src/account.ts\n'));
    const edited = await scanBmadProject(root, { cache });
    expect(edited.reparsedFiles).toEqual([`${IMPL}/1-2-account-management.md`]);
    expect(cache.parsedFiles).toBe(total + 1);
    expect(edited.documents.find((d) => d.path.endsWith('1-2-account-management.md'))!.checksum).not.toBe(
      first.documents.find((d) => d.path.endsWith('1-2-account-management.md'))!.checksum,
    );

    await rm(join(root, 'docs', 'guide.md'));
    const removed = await scanBmadProject(root, { cache });
    expect(removed.reparsedFiles).toEqual([]);
    expect(removed.documents.map((d) => d.path)).not.toContain('docs/guide.md');
    expect([...cache.entries.keys()].some((k) => k.endsWith('guide.md'))).toBe(false);
  });

  it('a changed config is re-read and its new folders take effect', async () => {
    const root = await makeProject({ ...v6Files(), 'work/sprint-status.yaml': 'development_status:\n  1-9-moved: done\n' });
    roots.push(root);
    const cache = new ParseCache();
    await scanBmadProject(root, { cache });
    await touchWrite(
      root,
      '_bmad/bmm/config.yaml',
      `${V6_CONFIG}implementation_artifacts: "{project-root}/work"\n`.replace(/^implementation_artifacts: .*_bmad-output.*\n/m, ''),
    );
    const snap = await scanBmadProject(root, { cache });
    expect(snap.reparsedFiles).toContain('_bmad/bmm/config.yaml');
    expect(snap.sprintStatusFile).toBe('work/sprint-status.yaml');
    expect(snap.stories.map((s) => s.key)).toEqual(['1-9-moved']);
  });

  it('~200 stories: a warm rescan is well under 200 ms and re-parses nothing', async () => {
    const files: Record<string, string> = { '_bmad/bmm/config.yaml': V6_CONFIG };
    const lines = ['development_status:'];
    for (let e = 1; e <= 10; e += 1) {
      lines.push(`  epic-${e}: in-progress`);
      for (let s = 1; s <= 20; s += 1) {
        const key = `${e}-${s}-story-number-${s}-of-epic-${e}`;
        lines.push(`  ${key}: ${['backlog', 'ready-for-dev', 'in-progress', 'review', 'done'][s % 5]}`);
        files[`${IMPL}/${key}.md`] = v6Story(
          `${e}.${s}`,
          `Story number ${s} of epic ${e}`,
          ['backlog', 'ready-for-dev', 'in-progress', 'review', 'done'][s % 5]!,
          '\n- src/a.ts\n'.repeat(20),
        );
      }
    }
    files[`${IMPL}/sprint-status.yaml`] = `${lines.join('\n')}\n`;
    const root = await makeProject(files);
    roots.push(root);
    const cache = new ParseCache();
    const cold0 = performance.now();
    const cold = await scanBmadProject(root, { cache });
    const coldMs = performance.now() - cold0;
    expect(cold.stories).toHaveLength(200);
    const times: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const t0 = performance.now();
      const warm = await scanBmadProject(root, { cache });
      times.push(performance.now() - t0);
      expect(warm.reparsedFiles).toEqual([]);
    }
    const best = Math.min(...times);
    console.log(`200 stories: cold ${coldMs.toFixed(1)} ms, warm ${times.map((t) => t.toFixed(1)).join(' / ')} ms`);
    expect(best).toBeLessThan(200);
  });

  it('examples/bmad-v6-sample: warm rescan timing', async () => {
    const cache = new ParseCache();
    await scanBmadProject(join(EXAMPLES, 'bmad-v6-sample'), { cache });
    const times: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const t0 = performance.now();
      const snap = await scanBmadProject(join(EXAMPLES, 'bmad-v6-sample'), { cache });
      times.push(performance.now() - t0);
      expect(snap.reparsedFiles).toEqual([]);
    }
    console.log(`v6 sample warm rescan: ${times.map((t) => t.toFixed(2)).join(' / ')} ms`);
    expect(Math.min(...times)).toBeLessThan(100);
  });
});

/**
 * How a document's blocks are cut into fragments that are sanitised — and so parsed — each on its own. Parsed as one,
 * an element the author's raw HTML leaves open (`<details open>`, `<a href>`, `<b>`, `<div>`) holds, hides or restyles
 * every later section; parsed alone, it ends where its block ends.
 *
 * A wrapper the author does close in a later block (`<details>`, markdown, `</details>`, as READMEs write it) keeps
 * those blocks together, so it still wraps them. Blocks without raw HTML are marked's own balanced markup: consecutive
 * ones share a fragment, which keeps a long document to few parses.
 */

export interface RenderedBlock {
  /** marked's HTML for one top-level block, raw HTML already through the allowlist (so its tags are well-formed). */
  html: string;
  /** Whether the author's raw HTML is part of it. */
  raw: boolean;
}

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*>/g;

interface Open {
  name: string;
  block: number;
}

/**
 * For each block, the last later block one of its open elements is closed in (or its own index). An end tag closes the
 * nearest open element of its name only when nothing an *earlier* block left open is in between — that one would be
 * captured along with the rest — and an end tag without its element is ignored, as browsers ignore it.
 */
function reach(blocks: readonly RenderedBlock[]): number[] {
  const reaches = blocks.map((_, i) => i);
  const open: Open[] = [];
  blocks.forEach((block, i) => {
    if (!block.raw) return;
    TAG.lastIndex = 0;
    for (let m = TAG.exec(block.html); m !== null; m = TAG.exec(block.html)) {
      const name = m[2]!.toLowerCase();
      if (VOID.has(name)) continue;
      if (!m[1]) {
        open.push({ name, block: i });
        continue;
      }
      let k = open.length - 1;
      while (k >= 0 && open[k]!.name !== name && open[k]!.block === i) k--;
      if (k < 0 || open[k]!.name !== name) continue;
      const from = open[k]!.block;
      reaches[from] = Math.max(reaches[from]!, i);
      open.length = k;
    }
  });
  return reaches;
}

/** The HTML fragments to sanitise one by one, in document order; joined, they are the document. */
export function rawHtmlScopes(blocks: readonly RenderedBlock[]): string[] {
  const reaches = reach(blocks);
  const fragments: string[] = [];
  let plain = '';
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i]!;
    if (!block.raw) {
      plain += block.html;
      continue;
    }
    if (plain) fragments.push(plain);
    plain = '';
    let end = reaches[i]!;
    let html = block.html;
    for (let j = i + 1; j <= end; j++) {
      html += blocks[j]!.html;
      end = Math.max(end, reaches[j]!);
    }
    fragments.push(html);
    i = end;
  }
  if (plain) fragments.push(plain);
  return fragments;
}

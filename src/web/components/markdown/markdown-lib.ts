/**
 * The markdown viewer's code, loaded only when a markdown document is opened: marked, DOMPurify and highlight.js
 * (mermaid is a further chunk, fetched only when a document has a diagram). No React in here: see use-lazy.ts.
 */
import { renderDiagram } from './mermaid.js';

export { highlightSafe } from './code-lib.js';
export { renderMarkdown, type Heading, type RenderedMarkdown } from './render-markdown.js';

/**
 * Layout-only touches on the sanitised markup, in the live page: tables and code get their own scroll box (reachable by
 * keyboard), blocked images become a visible note, mermaid sources become diagram slots. Returns the diagram sources.
 */
export function decorate(root: HTMLElement): Map<HTMLElement, string> {
  for (const table of root.querySelectorAll('table')) {
    const box = document.createElement('div');
    box.className = 'doc-table-scroll';
    box.tabIndex = 0;
    table.replaceWith(box);
    box.append(table);
  }
  for (const img of root.querySelectorAll<HTMLImageElement>('img[data-blocked-src]')) {
    const note = document.createElement('span');
    note.className = 'doc-blocked-image';
    note.dataset.testid = 'blocked-image';
    const src = img.dataset.blockedSrc ?? '';
    note.textContent = `Image not shown: ${img.alt || 'untitled'}${src ? ` (${src})` : ''} — documents may not load images from elsewhere.`;
    img.replaceWith(note);
  }
  const diagrams = new Map<HTMLElement, string>();
  for (const code of root.querySelectorAll<HTMLElement>('pre > code.language-mermaid')) {
    const pre = code.parentElement!;
    const slot = document.createElement('div');
    slot.className = 'doc-mermaid';
    slot.dataset.testid = 'mermaid-diagram';
    slot.dataset.state = 'pending';
    slot.textContent = 'Drawing diagram…';
    diagrams.set(slot, code.textContent ?? '');
    pre.replaceWith(slot);
  }
  for (const pre of root.querySelectorAll('pre')) pre.tabIndex = 0;
  return diagrams;
}

function showDiagramError(slot: HTMLElement, source: string, message: string): void {
  slot.removeAttribute('role');
  slot.removeAttribute('aria-label');
  slot.dataset.state = 'error';
  const p = document.createElement('p');
  p.className = 'doc-diagram-error';
  p.textContent = `This diagram could not be drawn: ${message.split('\n')[0]?.slice(0, 300) || 'unknown error'}`;
  const pre = document.createElement('pre');
  pre.tabIndex = 0;
  pre.textContent = source;
  slot.replaceChildren(p, pre);
}

/** Draws each diagram slot in turn with the page's theme; `isCancelled` stops it when the document or theme changes. */
export async function drawDiagrams(slots: [HTMLElement, string][], theme: 'light' | 'dark', isCancelled: () => boolean): Promise<void> {
  let n = 0;
  for (const [slot, source] of slots) {
    if (isCancelled()) return;
    n++;
    try {
      const svg = await renderDiagram(source, theme);
      if (isCancelled()) return;
      slot.innerHTML = svg;
      slot.setAttribute('role', 'img');
      slot.setAttribute('aria-label', `Diagram ${n}`);
      slot.dataset.state = 'drawn';
    } catch (e) {
      if (!isCancelled()) showDiagramError(slot, source, e instanceof Error ? e.message : String(e));
    }
  }
}

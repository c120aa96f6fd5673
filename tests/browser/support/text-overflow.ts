import type { Page } from 'playwright-core';

export interface TextOverflow {
  /** A selector-ish description of the element that holds the text. */
  where: string;
  /** Its text (shortened). */
  text: string;
  /** What is wrong: spills out of which box, or cut without an ellipsis, or truncated without its full text on hover. */
  problem: string;
}

/**
 * Every visible piece of text on the page that does not fit where it is drawn. For each element that directly holds
 * text (the parents of non-blank text nodes), the text's own boxes (Range.getClientRects over its text nodes) are
 * compared with the element and each of its ancestors, innermost first; the first box the text leaves decides:
 *
 * - a box with `overflow-x: visible`: the text runs out of it, over whatever is beside it: reported;
 * - a box that clips (`hidden`/`clip`): fine when the text ends in an ellipsis (`text-overflow: ellipsis`) and its
 *   full text is on hover (a `title` on it or a close ancestor) or given to screen readers (`aria-label`); text cut
 *   off without an ellipsis is reported;
 * - a box that scrolls (`auto`/`scroll`): a declared scroll region, fine.
 *
 * The walk stops at an absolutely or fixed positioned element (menus, tooltips and drawers sit outside their parents
 * on purpose). An element whose `overflow-x` is visible and whose scrollWidth exceeds its clientWidth is reported too.
 * Screen-reader-only text, form controls, SVG and canvas are skipped.
 */
export function textOverflows(page: Page): Promise<TextOverflow[]> {
  return page.evaluate(CHECK) as Promise<TextOverflow[]>;
}

// Plain JavaScript run in the page (a string, so no transpiler helper such as __name leaks into it).
const CHECK = String.raw`(() => {
    const SKIP = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'TITLE', 'OPTION', 'SELECT', 'TEXTAREA', 'CANVAS']);
    const H_TOLERANCE = 1;
    const describe = (el) => {
      const parts = [];
      for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
        const testid = e.getAttribute('data-testid');
        const cls = [...e.classList].filter((c) => !c.includes(':') && !c.includes('[')).slice(0, 3);
        parts.unshift(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (testid ? '[data-testid=' + testid + ']' : '') + (cls.length ? '.' + cls.join('.') : ''));
        if (testid || e.id) break;
      }
      return parts.join(' > ');
    };
    const screenReaderOnly = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const cs = getComputedStyle(e);
        if (cs.clip !== 'auto' || (cs.clipPath !== 'none' && cs.clipPath !== '')) return true;
        if (cs.position === 'absolute' && e.getBoundingClientRect().width <= 1) return true;
      }
      return false;
    };
    const inSvg = (el) => el.closest('svg') !== null;
    const hasFullText = (el, text) => {
      let e = el;
      for (let depth = 0; e && depth < 4; depth++, e = e.parentElement) {
        const title = e.getAttribute('title') ?? e.getAttribute('aria-label');
        if (title && title.replace(/\s+/g, ' ').includes(text.replace(/\s+/g, ' ').trim().slice(0, 40))) return true;
      }
      return false;
    };

    const holders = new Map();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const node = walker.currentNode;
      const parent = node.parentElement;
      if (!parent || !node.data.trim() || SKIP.has(parent.tagName) || inSvg(parent)) continue;
      holders.set(parent, [...(holders.get(parent) ?? []), node]);
    }

    const problems = [];
    for (const [el, nodes] of holders) {
      if (el.getClientRects().length === 0) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || Number(style.opacity) === 0 || screenReaderOnly(el)) continue;
      const rects = [];
      for (const n of nodes) {
        const range = document.createRange();
        range.selectNodeContents(n);
        for (const r of range.getClientRects()) if (r.width > 0 && r.height > 0) rects.push(r);
      }
      if (rects.length === 0) continue;
      const left = Math.min(...rects.map((r) => r.left));
      const right = Math.max(...rects.map((r) => r.right));
      const text = (el.textContent ?? '').replace(/\s+/g, ' ').trim();
      const short = text.length > 80 ? text.slice(0, 77) + '…' : text;

      if (style.display !== 'inline' && style.overflowX === 'visible' && el.scrollWidth > el.clientWidth + H_TOLERANCE && el.clientWidth > 0) {
        problems.push({ where: describe(el), text: short, problem: 'content is ' + el.scrollWidth + 'px wide in a ' + el.clientWidth + 'px box' });
        continue;
      }

      for (let box = el; box && box !== document.documentElement; box = box.parentElement) {
        const cs = box === el ? style : getComputedStyle(box);
        if (cs.display === 'inline' || cs.display === 'contents') continue;
        const r = box.getBoundingClientRect();
        const outside = left < r.left - H_TOLERANCE || right > r.right + H_TOLERANCE;
        if (outside) {
          if (cs.overflowX === 'auto' || cs.overflowX === 'scroll') break;
          if (cs.overflowX === 'hidden' || cs.overflowX === 'clip') {
            const ellipsis = cs.textOverflow === 'ellipsis' || style.textOverflow === 'ellipsis';
            if (!ellipsis) problems.push({ where: describe(el), text: short, problem: 'text cut off without an ellipsis by ' + describe(box) });
            else if (!hasFullText(el, text)) problems.push({ where: describe(el), text: short, problem: 'truncated with an ellipsis but the full text is not on hover (no title)' });
            break;
          }
          problems.push({ where: describe(el), text: short, problem: 'text runs ' + Math.round(Math.max(r.left - left, right - r.right)) + 'px out of ' + (box === el ? 'its own box' : describe(box)) });
          break;
        }
        if (cs.position === 'absolute' || cs.position === 'fixed') break;
      }
    }
    return problems;
})()`;

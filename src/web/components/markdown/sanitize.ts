import DOMPurify, { type Config } from 'dompurify';

/**
 * The sanitisers every piece of document content goes through before it touches the page. Each is its own DOMPurify
 * instance: their hooks do not leak into each other, nor into the one mermaid uses internally.
 *
 * The rule for URLs is the same everywhere: nothing in a document may make the browser fetch anything by itself
 * (no remote image, media, frame, stylesheet or font), and a link may only go to http(s), mailto or a heading of the
 * document itself. `javascript:`, `data:` (except inline raster images), `vbscript:` and relative paths are dropped.
 */

/** Tags a markdown document may use as raw HTML (and that marked produces). No forms, media, frames, styles or scripts. */
const MARKDOWN_TAGS = [
  'a',
  'abbr',
  'b',
  'blockquote',
  'br',
  'caption',
  'cite',
  'code',
  'col',
  'colgroup',
  'dd',
  'del',
  'details',
  'dfn',
  'div',
  'dl',
  'dt',
  'em',
  'figcaption',
  'figure',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'i',
  'img',
  'input',
  'ins',
  'kbd',
  'li',
  'mark',
  'ol',
  'p',
  'pre',
  'q',
  's',
  'samp',
  'small',
  'span',
  'strong',
  'sub',
  'summary',
  'sup',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'time',
  'tr',
  'u',
  'ul',
  'var',
  'wbr',
];
/** No `style` (it can fetch and overlay), no `id`/`name` except the heading ids we make, no event handlers, no data-*. */
const MARKDOWN_ATTRS = [
  'href',
  'src',
  'alt',
  'title',
  'class',
  'id',
  'colspan',
  'rowspan',
  'align',
  'start',
  'reversed',
  'type',
  'checked',
  'disabled',
  'open',
  'datetime',
  'lang',
  'dir',
  'scope',
  'abbr',
];

const INLINE_IMAGE = /^data:image\/(png|jpeg|gif|webp);base64,[a-z0-9+/=\s]+$/i;
const SAFE_LINK = /^(https?:|mailto:)/i;
/** Classes content may carry: highlight.js tokens and code block languages; never the app's own utility classes. */
const SAFE_CLASS = /^(hljs(-[\w-]+)?|language-[\w+#.-]+|[a-z]+_)$/;
export const HEADING_ID = /^doc-h-[a-z0-9_-]{1,120}$/;

function safeHref(href: string): string | null {
  const h = href.trim();
  if (h.startsWith('#')) return h;
  // An allowlist on the literal start: "java\tscript:", "\x01javascript:" or a relative path never match it.
  return SAFE_LINK.test(h) ? h : null;
}

function filterClasses(el: Element): void {
  const keep = (el.getAttribute('class') ?? '').split(/\s+/).filter((c) => SAFE_CLASS.test(c));
  if (keep.length) el.setAttribute('class', keep.join(' '));
  else el.removeAttribute('class');
}

function markdownPurifier() {
  const purify = DOMPurify(window);
  purify.addHook('uponSanitizeAttribute', (_node, data) => {
    if (data.attrName === 'id' && !HEADING_ID.test(data.attrValue)) data.keepAttr = false;
  });
  purify.addHook('afterSanitizeAttributes', (node) => {
    if (!(node instanceof Element)) return;
    if (node.hasAttribute('class')) filterClasses(node);
    const tag = node.tagName;
    if (node.hasAttribute('id') && !/^H[1-6]$/.test(tag)) node.removeAttribute('id');
    if (tag === 'A') {
      const href = node.getAttribute('href');
      const safe = href === null ? null : safeHref(href);
      if (safe === null) {
        node.removeAttribute('href');
        if (href) node.setAttribute('title', `Link not followed: ${href.slice(0, 200)}`);
      } else if (safe.startsWith('#')) {
        const slug = safe.slice(1);
        node.setAttribute('href', HEADING_ID.test(slug) ? safe : `#doc-h-${slug.toLowerCase().replace(/[^a-z0-9_-]/g, '')}`);
      } else {
        node.setAttribute('href', safe);
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer nofollow');
      }
    } else if (tag === 'IMG') {
      const src = node.getAttribute('src') ?? '';
      if (!INLINE_IMAGE.test(src)) {
        // Sanitising runs in an inert document, so nothing was fetched; the live page shows a placeholder instead.
        node.removeAttribute('src');
        node.setAttribute('data-blocked-src', src.slice(0, 500));
      }
      node.removeAttribute('srcset');
    } else if (tag === 'INPUT') {
      // Only GFM task list boxes, and only to look at: nothing else survives on an input (no src, no form action).
      const checked = node.hasAttribute('checked');
      for (const attr of [...node.attributes]) node.removeAttribute(attr.name);
      node.setAttribute('type', 'checkbox');
      node.setAttribute('disabled', '');
      if (checked) node.setAttribute('checked', '');
      node.setAttribute('aria-label', checked ? 'done' : 'not done');
    }
  });
  return purify;
}

const MARKDOWN_CONFIG: Config = {
  ALLOWED_TAGS: MARKDOWN_TAGS,
  ALLOWED_ATTR: MARKDOWN_ATTRS,
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  ALLOW_UNKNOWN_PROTOCOLS: false,
  SANITIZE_DOM: true,
  KEEP_CONTENT: true,
  WHOLE_DOCUMENT: false,
};

let md: ReturnType<typeof markdownPurifier> | undefined;
/** Markdown's HTML (marked's output, including raw HTML the author wrote) down to inert, self-contained markup. */
export function sanitizeMarkdownHtml(html: string): string {
  md ??= markdownPurifier();
  return md.sanitize(html, MARKDOWN_CONFIG);
}

/** highlight.js output: spans with token classes, nothing else. */
let code: ReturnType<typeof DOMPurify> | undefined;
export function sanitizeHighlighted(html: string): string {
  if (!code) {
    code = DOMPurify(window);
    code.addHook('afterSanitizeAttributes', (node) => {
      if (node instanceof Element && node.hasAttribute('class')) filterClasses(node);
    });
  }
  return code.sanitize(html, { ALLOWED_TAGS: ['span'], ALLOWED_ATTR: ['class'], ALLOW_DATA_ATTR: false, KEEP_CONTENT: true });
}

/** A CSS value may not reach outside the diagram: url(#marker) is fine, url(http…), @import and image-set are not. */
const REMOTE_CSS = /@import|image-set\s*\(|url\s*\(\s*(?!['"]?#)/i;

let svg: ReturnType<typeof DOMPurify> | undefined;
/**
 * Mermaid's SVG, once more: mermaid runs with securityLevel 'strict' and its own DOMPurify, and this pass makes sure no
 * handler, link, foreign HTML or remote reference survives whatever a diagram's source or directives managed.
 */
export function sanitizeDiagramSvg(markup: string): string {
  if (!svg) {
    svg = DOMPurify(window);
    svg.addHook('afterSanitizeAttributes', (node) => {
      if (!(node instanceof Element)) return;
      for (const attr of [...node.attributes]) {
        const name = attr.name.toLowerCase();
        if (name === 'href' || name === 'xlink:href') {
          // A node's link (mermaid `click X href …`) follows the markdown rule; every other reference stays inside.
          const v = attr.value.trim();
          if (v.startsWith('#') && node.tagName.toLowerCase() !== 'a') continue;
          if (node.tagName.toLowerCase() === 'a' && SAFE_LINK.test(v)) continue;
          node.removeAttribute(attr.name);
        } else if (REMOTE_CSS.test(attr.value)) node.removeAttribute(attr.name);
      }
      if (node.tagName.toLowerCase() === 'a') {
        // Kept even without a link: mermaid puts the node's position on it.
        if (node.hasAttribute('href') || node.hasAttribute('xlink:href')) {
          node.setAttribute('target', '_blank');
          node.setAttribute('rel', 'noopener noreferrer nofollow');
        } else node.removeAttribute('target');
      }
      if (node.tagName.toLowerCase() === 'style' && REMOTE_CSS.test(node.textContent ?? '')) node.textContent = '';
    });
  }
  return svg.sanitize(markup, {
    USE_PROFILES: { svg: true, svgFilters: true },
    ADD_ATTR: ['target'],
    FORBID_TAGS: ['image', 'feImage', 'foreignObject', 'script', 'animate', 'set', 'animateMotion', 'animateTransform'],
    ALLOW_DATA_ATTR: false,
  });
}

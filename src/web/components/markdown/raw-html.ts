/**
 * A first, string-level pass over the raw HTML a markdown author wrote, before any DOM parser sees it. DOMPurify stays
 * the guarantee (every result goes through it); this pass exists because merely *parsing* `onerror=…` or `<base>` —
 * even in the inert document DOMPurify uses — makes Chrome log Content-Security-Policy violations: blocked, but noise
 * that looks like an attack half-succeeding. So tags and attributes outside a small allowlist never reach a parser:
 *
 * - a recognised tag in the allowlist is re-emitted with only its allowed attributes, values re-quoted;
 * - a tag that would capture what follows it as its own text or hidden content (textarea, select, template…) is shown
 *   as text, so the author's words around it stay readable and nothing after it can be captured;
 * - script, style, svg, math and object go with their content when their end tag follows in the same piece of raw
 *   HTML; otherwise their tags are shown as text, so an unclosed one cannot take the rest of the block with it;
 * - any other tag is dropped, its text stays; a finished comment is dropped, an unfinished one is text;
 * - everything else is text: a stray `<` becomes `&lt;`, so nothing unrecognised can turn into markup later.
 */

const TAGS = new Set([
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
]);
const ATTRS = new Set([
  'href',
  'src',
  'alt',
  'title',
  'colspan',
  'rowspan',
  'align',
  'start',
  'reversed',
  'open',
  'datetime',
  'lang',
  'dir',
  'scope',
  'abbr',
  'width',
  'height',
]);
/**
 * Elements that, left open, take everything after them — as their own raw text (textarea, title, xmp, plaintext…), as
 * content never shown (template, noscript, noembed, noframes, iframe) or inside a form control (select, option) —
 * while what is in them is the author's words. Their tags are shown as text, as GFM's tagfilter does.
 */
const SHOWN_AS_TEXT = new Set([
  'textarea',
  'select',
  'option',
  'optgroup',
  'datalist',
  'title',
  'xmp',
  'plaintext',
  'listing',
  'noscript',
  'noembed',
  'noframes',
  'template',
  'iframe',
]);
/** Code rather than words: dropped with their content, when their end tag follows. */
const DROP_CONTENT = new Set(['script', 'style', 'object', 'svg', 'math']);

// A comment ends at `-->`, or at once for `<!-->` and `<!--->`, as browsers and marked read it.
const TAG =
  /<!--(?:-?>|[\s\S]*?(?:-->|$))|<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|<[!?][^>]*>?|<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s"'<>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(\/?)>/g;
const ATTR = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

/** Whether a comment, CDATA section, doctype or processing instruction has its end, rather than running to the end. */
function finished(s: string): boolean {
  if (s.startsWith('<!--')) return s.endsWith('-->');
  if (s.startsWith('<![CDATA[')) return s.endsWith(']]>');
  return s.endsWith('>');
}
const endTag = (name: string) => new RegExp(`</${name}(?:\\s[^>]*)?>`, 'i');

const escapeText = (s: string) => s.replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttr = (s: string) =>
  s
    .replace(/&(?!#?[a-zA-Z0-9]+;)/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');

export function filterRawHtml(html: string): string {
  let out = '';
  let last = 0;
  let dropping: string | null = null;
  TAG.lastIndex = 0;
  for (let m = TAG.exec(html); m !== null; m = TAG.exec(html)) {
    const text = html.slice(last, m.index);
    last = TAG.lastIndex;
    if (!dropping) out += escapeText(text);
    const [whole, closing, rawName, rawAttrs = '', selfClosing] = m;
    if (!rawName) {
      // Comment, CDATA, doctype, processing instruction: dropped when finished, shown when it would run to the end.
      if (!dropping && !finished(whole)) out += escapeText(whole);
      continue;
    }
    const name = rawName.toLowerCase();
    if (dropping) {
      if (closing && name === dropping) dropping = null;
      continue;
    }
    if (SHOWN_AS_TEXT.has(name)) {
      out += escapeText(whole);
      continue;
    }
    if (DROP_CONTENT.has(name)) {
      // Inline HTML comes one tag at a time, so an inline pair is never seen whole: both tags are then shown.
      if (!closing && !selfClosing && endTag(name).test(html.slice(last))) dropping = name;
      else out += escapeText(whole);
      continue;
    }
    if (!TAGS.has(name)) continue;
    if (closing) {
      out += `</${name}>`;
      continue;
    }
    let attrs = '';
    ATTR.lastIndex = 0;
    for (let a = ATTR.exec(rawAttrs); a !== null; a = ATTR.exec(rawAttrs)) {
      const attr = a[1]!.toLowerCase();
      if (!ATTRS.has(attr)) continue;
      const value = a[2] ?? a[3] ?? a[4];
      attrs += value === undefined ? ` ${attr}` : ` ${attr}="${escapeAttr(value)}"`;
    }
    out += `<${name}${attrs}${selfClosing ? ' /' : ''}>`;
  }
  if (!dropping) out += escapeText(html.slice(last));
  return out;
}

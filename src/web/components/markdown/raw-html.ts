/**
 * A first, string-level pass over the raw HTML a markdown author wrote, before any DOM parser sees it. DOMPurify stays
 * the guarantee (every result goes through it); this pass exists because merely *parsing* `onerror=…` or `<base>` —
 * even in the inert document DOMPurify uses — makes Chrome log Content-Security-Policy violations: blocked, but noise
 * that looks like an attack half-succeeding. So tags and attributes outside a small allowlist never reach a parser:
 *
 * - a recognised tag in the allowlist is re-emitted with only its allowed attributes, values re-quoted;
 * - any other tag is dropped (its text stays, except inside script/style/… whose content is dropped too);
 * - everything else is text: a stray `<` becomes `&lt;`, so nothing unrecognised can turn into markup later.
 */

const TAGS = new Set([
  'a', 'abbr', 'b', 'blockquote', 'br', 'caption', 'cite', 'code', 'col', 'colgroup', 'dd', 'del', 'details', 'dfn', 'div', 'dl', 'dt', 'em',
  'figcaption', 'figure', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'img', 'ins', 'kbd', 'li', 'mark', 'ol', 'p', 'pre', 'q', 's', 'samp',
  'small', 'span', 'strong', 'sub', 'summary', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'time', 'tr', 'u', 'ul', 'var', 'wbr',
]);
const ATTRS = new Set(['href', 'src', 'alt', 'title', 'colspan', 'rowspan', 'align', 'start', 'reversed', 'open', 'datetime', 'lang', 'dir', 'scope', 'abbr', 'width', 'height']);
/** Elements whose content is not text for the reader: dropped with them. */
const DROP_CONTENT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript', 'plaintext', 'template', 'object', 'svg', 'math', 'select']);

const TAG = /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|<[!?][^>]*>?|<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s"'<>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(\/?)>/g;
const ATTR = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

const escapeText = (s: string) => s.replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttr = (s: string) => s.replace(/&(?!#?[a-zA-Z0-9]+;)/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function filterRawHtml(html: string): string {
  let out = '';
  let last = 0;
  let dropping: string | null = null;
  TAG.lastIndex = 0;
  for (let m = TAG.exec(html); m !== null; m = TAG.exec(html)) {
    const text = html.slice(last, m.index);
    last = TAG.lastIndex;
    if (!dropping) out += escapeText(text);
    const [, closing, rawName, rawAttrs = '', selfClosing] = m;
    if (!rawName) continue; // comment, CDATA, doctype, processing instruction: dropped
    const name = rawName.toLowerCase();
    if (dropping) {
      if (closing && name === dropping) dropping = null;
      continue;
    }
    if (DROP_CONTENT.has(name)) {
      if (!closing && !selfClosing) dropping = name;
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

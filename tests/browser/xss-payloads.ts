/**
 * The XSS corpus of issue 13 §4: the usual families (script, event handlers, javascript:/vbscript: URLs, SVG, mermaid,
 * data: URLs, CSS, frames and embeds, meta/base/form, MathML and mXSS, markdown link syntax, entity-encoded variants)
 * and the elements that swallow whatever follows them when left open.
 *
 * Every payload that manages to run calls `__xss(id)` (a binding the test exposes) or makes the browser fetch a
 * `/xss-beacon/<id>` URL — on a closed local port, or on a host that does not exist — so success is observable without
 * relying on dialogs. Payloads that only differ in how they swallow carry a `keeps` text: the author's words, which must
 * stay visible once sanitised.
 */

export interface XssPayload {
  /** Short, unique, and what every execution or beacon of this payload reports. */
  id: string;
  kind: 'script' | 'handler' | 'url' | 'svg' | 'mermaid' | 'data-url' | 'css' | 'embed' | 'markup' | 'unclosed';
  /** As an author would write it into a markdown document. */
  markdown: string;
  /** The author's text inside the payload that must remain visible in the rendered document. */
  keeps?: string[];
}

export interface Beacons {
  /** An origin on 127.0.0.1 where nothing listens. */
  closed: string;
  /** An origin on a host that cannot resolve. */
  outside: string;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

export function xssCorpus(beacons: Beacons): XssPayload[] {
  const near = (id: string, file = '') => `${beacons.closed}/xss-beacon/${id}${file}`;
  const far = (id: string, file = '') => `${beacons.outside}/xss-beacon/${id}${file}`;
  const run = (id: string) => `__xss('${id}')`;
  /** For documents of their own (frames, data: pages), where the binding may not reach: a request says it ran. */
  const ping = (id: string) => `fetch('${near(id)}')`;

  const p = (id: string, kind: XssPayload['kind'], markdown: string, keeps?: string[]): XssPayload => ({ id, kind, markdown, ...(keeps ? { keeps } : {}) });

  return [
    // <script>
    p('x01', 'script', `<script>${run('x01')}</script>`),
    p('x02', 'script', `<script src="${near('x02', '.js')}"></script>`),
    p('x03', 'script', `<ScRiPt>${run('x03')}</sCrIpT>`),
    p('x04', 'script', `<scr<script>ipt>${run('x04')}</scr</script>ipt>`),
    p('x05', 'script', `<script>/* unclosed-script-x05 */ ${run('x05')}`, ['unclosed-script-x05']),

    // Event handlers
    p('x06', 'handler', `<img src=x onerror="${run('x06')}">`),
    p('x07', 'handler', `<img src="${near('x07', '.png')}" onload="${run('x07')}" alt="onload-x07">`),
    p('x08', 'handler', `<body onload="${run('x08')}">`),
    p('x09', 'handler', `<input autofocus onfocus="${run('x09')}"> <a href="#x09" autofocus onfocus="${run('x09')}">autofocus-x09</a>`, ['autofocus-x09']),
    p('x10', 'handler', `<details open ontoggle="${run('x10')}"><summary>ontoggle-x10</summary>details body x10</details>`, [
      'ontoggle-x10',
      'details body x10',
    ]),
    p('x11', 'handler', `<div onmouseover="${run('x11')}" style="position:fixed;inset:0;z-index:9999">overlay-x11</div>`, ['overlay-x11']),
    p('x12', 'handler', `<video><source onerror="${run('x12')}"></video><audio src=x onerror="${run('x12')}"></audio>`),
    p('x13', 'handler', `<marquee onstart="${run('x13')}">marquee-x13</marquee>`, ['marquee-x13']),
    p('x14', 'handler', `<a onclick="${run('x14')}" href="#x14">click-x14</a>`, ['click-x14']),
    p('x15', 'handler', `<img src=x onerror="&#95;&#95;xss(&#39;x15&#39;)"> <img src=x onerror=&#x5f;&#x5f;xss('x15')>`),
    p('x16', 'handler', `<svg><animate onbegin="${run('x16')}" attributeName="x" dur="1s"/></svg>`),
    p('x17', 'handler', `<p tabindex="1" onpointerenter="${run('x17')}" onfocusin="${run('x17')}">pointer-x17</p>`, ['pointer-x17']),

    // javascript: and vbscript: URLs, markdown link syntax, entity-encoded variants
    p('x18', 'url', `<a href="javascript:${run('x18')}">js-link-x18</a>`, ['js-link-x18']),
    p('x19', 'url', `<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;${run('x19')}">entity-link-x19</a>`, ['entity-link-x19']),
    p('x20', 'url', `<a href="jav&#x09;ascript:${run('x20')}">tab-link-x20</a> <a href=" JaVaScRiPt:${run('x20')}">case-link-x20</a>`, [
      'tab-link-x20',
      'case-link-x20',
    ]),
    p('x21', 'url', `<a href="vbscript:msgbox('x21')">vb-link-x21</a> <img src="vbscript:msgbox('x21')" alt="vb-img-x21">`, ['vb-link-x21']),
    p('x22', 'url', `[md-js-x22](javascript:${run('x22')}) and [md-entity-x22](&#x6A;avascript:${run('x22')}) and [md-space-x22]( javascript:${run('x22')})`, [
      'md-js-x22',
      'md-entity-x22',
    ]),
    p('x23', 'url', `![md-img-x23](javascript:${run('x23')}) ![md-far-x23](${far('x23', '.png')})`),
    p('x24', 'url', `[ref-x24][r24]\n\n[r24]: javascript:${run('x24')}`, ['ref-x24']),
    p('x25', 'url', `<javascript:${run('x25')}> <vbscript:msgbox('x25')>`),
    p('x26', 'url', `<img src="javascript:${run('x26')}" alt="js-img-x26"> <iframe src="javascript:${run('x26')}"></iframe>`),

    // SVG
    p('x27', 'svg', `<svg onload="${run('x27')}"><circle r="5"/></svg>`),
    p('x28', 'svg', `<svg><script>${run('x28')}</script></svg>`),
    p('x29', 'svg', `<svg><a xlink:href="javascript:${run('x29')}"><text x="10" y="20">svg-link-x29</text></a></svg>`),
    p('x30', 'svg', `<svg/onload=${run('x30')}>`),
    p(
      'x31',
      'svg',
      `<svg><image href="${near('x31', '.png')}"/><use href="data:image/svg+xml;base64,${b64(`<svg id="a" xmlns="http://www.w3.org/2000/svg"><image href="${near('x31', '-use.png')}"/></svg>`)}#a"/></svg>`,
    ),
    p('x32', 'svg', `<svg><foreignObject><iframe srcdoc="&lt;script&gt;${ping('x32')}&lt;/script&gt;"></iframe></foreignObject></svg>`),

    // Mermaid: click callbacks and links, HTML labels, directives that try to loosen security or load CSS
    p(
      'x33',
      'mermaid',
      [
        '```mermaid',
        'flowchart LR',
        '  A[mermaid-click-x33] --> B[second-x33]',
        `  click A call ${run('x33')}`,
        `  click B href "javascript:${run('x33')}"`,
        '```',
      ].join('\n'),
    ),
    p(
      'x34',
      'mermaid',
      [
        '```mermaid',
        '%%{init: {"securityLevel": "loose", "htmlLabels": true, "flowchart": {"htmlLabels": true}}}%%',
        'flowchart TD',
        `  A["<img src=x onerror=${run('x34')}>"] --> B["<b onmouseover=${run('x34')}>label-x34</b>"]`,
        `  B --> C["<a href='javascript:${run('x34')}'>link-x34</a>"]`,
        '```',
      ].join('\n'),
    ),
    p(
      'x35',
      'mermaid',
      ['```mermaid', 'sequenceDiagram', `  Alice->>Bob: <img src=x onerror=${run('x35')}>`, `  Note right of Bob: <script>${run('x35')}</script>`, '```'].join(
        '\n',
      ),
    ),
    p(
      'x36',
      'mermaid',
      [
        '```mermaid',
        `%%{init: {"themeCSS": "svg { background: url(${near('x36', '.png')}) } @import url(${near('x36', '.css')});", "fontFamily": "x; src: url(${far('x36', '.woff')})"}}%%`,
        'flowchart LR',
        '  A[css-x36] --> B[fill-x36]',
        '  classDef evil fill:#f00',
        '  class B evil',
        '```',
      ].join('\n'),
    ),
    // A diagram mermaid cannot parse is shown as its source: as text, however hostile.
    p(
      'x37',
      'mermaid',
      [
        '```mermaid',
        'flowchart LR',
        '  A[style-x37] --> B',
        `  style A fill:url(${near('x37', '-fill.png')})`,
        `  classDef evil background:url(${far('x37')})`,
        `  B["</code></pre><img src=x onerror=${run('x37')}>"]`,
        '```',
      ].join('\n'),
    ),

    // data: URLs
    p('x38', 'data-url', `<a href="data:text/html;base64,${b64(`<script>${ping('x38')}</script>`)}">data-html-x38</a>`, ['data-html-x38']),
    p('x39', 'data-url', `<iframe src="data:text/html,<script>${ping('x39')}</script>"></iframe>`),
    p(
      'x40',
      'data-url',
      `<img src="data:image/svg+xml;base64,${b64(`<svg xmlns="http://www.w3.org/2000/svg" onload="${ping('x40')}"><image href="${near('x40', '.png')}"/></svg>`)}" alt="data-svg-x40">`,
    ),
    p(
      'x41',
      'data-url',
      `![data-svg-md-x41](data:image/svg+xml;base64,${b64(`<svg xmlns="http://www.w3.org/2000/svg"><image href="${near('x41', '.png')}"/></svg>`)})`,
    ),
    p(
      'x42',
      'data-url',
      `<object data="data:text/html;base64,${b64(`<script>${ping('x42')}</script>`)}"></object><embed src="data:image/svg+xml;base64,${b64(`<svg xmlns="http://www.w3.org/2000/svg" onload="${ping('x42')}"/>`)}">`,
    ),

    // CSS
    p('x43', 'css', `<div style="background:url(${near('x43', '.png')})">css-url-x43</div>`, ['css-url-x43']),
    p('x44', 'css', `<div style="width: expression(${run('x44')})">css-expression-x44</div>`, ['css-expression-x44']),
    p('x45', 'css', `<style>@import url(${near('x45', '.css')});</style>`),
    p('x46', 'css', `<style>body { background: url(${far('x46', '.png')}) }</style>`),
    p('x47', 'css', `<p style="behavior: url(${near('x47', '.htc')}); -moz-binding: url(${near('x47', '.xml')}#x)">binding-x47</p>`, ['binding-x47']),
    p('x48', 'css', `<link rel="stylesheet" href="${near('x48', '.css')}"><link rel="prefetch" href="${far('x48')}">`),

    // Frames, embeds, meta, base, forms
    p('x49', 'embed', `<iframe srcdoc="&lt;img src=x onerror=${ping('x49')}&gt;"></iframe>`),
    p('x50', 'embed', `<object data="${near('x50', '.swf')}"></object><embed src="${near('x50', '.svg')}">`),
    p('x51', 'markup', `<meta http-equiv="refresh" content="0;url=javascript:${run('x51')}">`),
    p('x52', 'markup', `<base href="${far('x52', '/')}"><img src="relative-x52.png" alt="relative-x52">`),
    p(
      'x53',
      'markup',
      `<form action="${near('x53')}"><input type="submit" value="form-x53"><button formaction="javascript:${run('x53')}">button-x53</button></form>`,
      ['button-x53'],
    ),
    p('x54', 'markup', `<math><mtext><table><mglyph><style><img src=x onerror="${run('x54')}"></style></mglyph></table></mtext></math>`),
    p('x55', 'markup', `<math href="javascript:${run('x55')}"><mi xlink:href="javascript:${run('x55')}">math-link-x55</mi></math>`),
    p('x56', 'markup', `<noscript><p title="</noscript><img src=x onerror=${run('x56')}>"></noscript>`),
    p('x57', 'markup', `<a href="https://example.test/x57" ping="${near('x57')}">ping-x57</a>`, ['ping-x57']),
    p(
      'x58',
      'markup',
      `<img srcset="${near('x58', '.png')} 1x" alt="srcset-x58"><video poster="${near('x58', '.jpg')}"></video><table background="${near('x58', '.gif')}"><tr><td>cell-x58</td></tr></table>`,
      ['cell-x58'],
    ),
    p('x59', 'markup', `<a href="https://example.test/x59" id="root" name="location">clobber-x59</a><img name="getElementById" alt="clobber-img-x59">`, [
      'clobber-x59',
    ]),

    // Elements that take everything after them when left open
    p('x60', 'unclosed', '<select><option>select-kept-x60', ['select-kept-x60']),
    p('x61', 'unclosed', '<textarea>textarea-kept-x61', ['textarea-kept-x61']),
    p('x62', 'unclosed', '<details open><summary>details-open-x62</summary>details-kept-x62', ['details-open-x62', 'details-kept-x62']),
    p('x63', 'unclosed', '<details><summary>details-closed-x63</summary>', ['details-closed-x63']),
    p('x64', 'unclosed', '<noscript>noscript-kept-x64', ['noscript-kept-x64']),
    p('x65', 'unclosed', '<title>title-kept-x65', ['title-kept-x65']),
    p('x66', 'unclosed', '<xmp>xmp-kept-x66', ['xmp-kept-x66']),
    p('x67', 'unclosed', '<plaintext>plaintext-kept-x67', ['plaintext-kept-x67']),
    p('x68', 'unclosed', '<iframe>iframe-kept-x68', ['iframe-kept-x68']),
    p('x69', 'unclosed', '<noembed>noembed-kept-x69', ['noembed-kept-x69']),
    p('x70', 'unclosed', '<style>style-kept-x70', ['style-kept-x70']),
    p('x71', 'unclosed', '<template>template-kept-x71', ['template-kept-x71']),
    p('x72', 'unclosed', '<!-- comment-kept-x72', ['comment-kept-x72']),
    p('x73', 'unclosed', '<pre>pre-kept-x73', ['pre-kept-x73']),
    p('x74', 'unclosed', '<a href="https://example.test/x74">anchor-kept-x74', ['anchor-kept-x74']),
    p('x75', 'unclosed', '<b><i>bold-kept-x75', ['bold-kept-x75']),
    p('x76', 'unclosed', '<table><tr><td>table-kept-x76', ['table-kept-x76']),
    p('x77', 'unclosed', '<div><blockquote><ul><li>list-kept-x77', ['list-kept-x77']),
    p('x78', 'unclosed', 'Inline <select><option>inline-select-x78 and <details open>inline-details-x78 and <textarea>inline-textarea-x78', [
      'inline-select-x78',
      'inline-details-x78',
      'inline-textarea-x78',
    ]),
    p('x79', 'unclosed', '<noframes>noframes-kept-x79', ['noframes-kept-x79']),
    p('x80', 'unclosed', '<svg><text>svg-kept-x80', ['svg-kept-x80']),
    p('x81', 'unclosed', '<object>object-kept-x81', ['object-kept-x81']),
    p('x82', 'unclosed', `<img src="${near('x82', '.png')}" alt="unclosed-attr-x82 onerror="${run('x82')}`),
    p('x83', 'unclosed', '<![CDATA[ cdata-kept-x83', ['cdata-kept-x83']),
  ];
}

/** The sentinel paragraph that follows each payload in the document. */
export const sentinel = (id: string) => `after-${id}`;

/** A PRD with one section per payload, each followed by its sentinel paragraph. */
export function corpusDocument(payloads: XssPayload[]): string {
  const sections = payloads.map((x) => `## ${x.id} ${x.kind}\n\n${x.markdown}\n\n${sentinel(x.id)}\n`);
  return `# XSS corpus\n\nEach section holds one payload, then a sentinel paragraph that must stay visible.\n\n${sections.join('\n')}\n## The end\n\nend-of-corpus\n`;
}

/** The payload as one line of at most `max` characters (titles and names are single-line labels), or null. */
export function asLabel(x: XssPayload, max = 200): string | null {
  const label = x.markdown.replace(/\s*\n\s*/g, ' ').trim();
  return label.length <= max ? label : null;
}

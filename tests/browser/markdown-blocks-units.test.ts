import { Marked, Renderer, type Tokens } from 'marked';
import { describe, expect, it } from 'vitest';
import { boundedHtmlBlocks } from '../../src/web/components/markdown/html-blocks.js';
import { filterRawHtml } from '../../src/web/components/markdown/raw-html.js';
import { rawHtmlScopes } from '../../src/web/components/markdown/raw-html-scopes.js';

// The string passes that keep an author's unclosed raw HTML from taking the rest of a document (issue 13 §4). The
// browser side — DOMPurify on each fragment, and what Chromium then shows — is tests/browser/xss.test.ts.

/** marked as render-markdown.ts drives it: block by block, noting which blocks carry raw HTML. */
function blocksOf(markdown: string) {
  let raw = false;
  const renderer = new Renderer();
  renderer.html = ({ text }: Tokens.HTML | Tokens.Tag) => {
    raw = true;
    return filterRawHtml(text);
  };
  const marked = new Marked({ gfm: true, async: false, renderer, tokenizer: boundedHtmlBlocks });
  return marked.lexer(markdown).map((token) => {
    raw = false;
    const html = marked.parser([token]);
    return { html, raw };
  });
}

describe('raw HTML blocks end at a blank line unless closed before it', () => {
  const types = (markdown: string) =>
    new Marked({ tokenizer: boundedHtmlBlocks })
      .lexer(markdown)
      .filter((t) => t.type !== 'space')
      .map((t) => [t.type, t.raw.trim()]);

  it('an unclosed <textarea>, <script>, <style>, comment, <?, <!X or CDATA stops at the blank line, and what follows is markdown again', () => {
    for (const opener of ['<textarea>', '<script>', '<style>', '<!--', '<?php', '<!DOCTYPE', '<![CDATA[']) {
      expect(types(`${opener} left open\n\n## Next section\n\nafter`), opener).toEqual([
        ['html', `${opener} left open`],
        ['heading', '## Next section'],
        ['paragraph', 'after'],
      ]);
    }
  });

  it('closed further on, they still stop at the blank line: nothing between is hidden', () => {
    expect(types('<script>\na()\n\nb()\n</script>\n\nafter')).toEqual([
      ['html', '<script>\na()'],
      ['paragraph', 'b()\n</script>'],
      ['paragraph', 'after'],
    ]);
    expect(types('<!-- note\n\n## Hidden?\n\n-->')).toEqual([
      ['html', '<!-- note'],
      ['heading', '## Hidden?'],
      ['paragraph', '-->'],
    ]);
  });

  it('closed before the blank line, they are CommonMark blocks as before; a closed <pre> keeps its blank lines', () => {
    expect(types('<!-- one -->\n<!-- two\nlines -->\n\nafter')).toEqual([
      ['html', '<!-- one -->'],
      ['html', '<!-- two\nlines -->'],
      ['paragraph', 'after'],
    ]);
    expect(types('<pre>\ncode\n\nmore code\n</pre>\n\nafter')).toEqual([
      ['html', '<pre>\ncode\n\nmore code\n</pre>'],
      ['paragraph', 'after'],
    ]);
    expect(types('<pre>left open\n\nafter')).toEqual([
      ['html', '<pre>left open'],
      ['paragraph', 'after'],
    ]);
  });
});

describe('raw HTML allowlist: nothing left open can capture what follows', () => {
  it("shows swallowing tags as text, the author's words with them", () => {
    expect(filterRawHtml('<select><option>Yes</option></select> and <textarea>notes')).toBe(
      '&lt;select&gt;&lt;option&gt;Yes&lt;/option&gt;&lt;/select&gt; and &lt;textarea&gt;notes',
    );
    expect(filterRawHtml('<template>t</template><noscript>n</noscript><title>x')).toBe(
      '&lt;template&gt;t&lt;/template&gt;&lt;noscript&gt;n&lt;/noscript&gt;&lt;title&gt;x',
    );
    expect(filterRawHtml('<iframe srcdoc="<script>alert(1)</script>"></iframe>')).toBe(
      '&lt;iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"&gt;&lt;/iframe&gt;',
    );
  });

  it('drops script, style, svg, math and object with their content only when their end tag follows', () => {
    expect(filterRawHtml('<script>alert(1)</script>after')).toBe('after');
    expect(filterRawHtml('<script>/* left open */ alert(1)\n')).toBe('&lt;script&gt;/* left open */ alert(1)\n');
    expect(filterRawHtml('<svg><text>words')).toBe('&lt;svg&gt;words');
    // Inline HTML arrives one tag at a time: both tags are then shown.
    expect(filterRawHtml('<script>')).toBe('&lt;script&gt;');
    expect(filterRawHtml('</script>')).toBe('&lt;/script&gt;');
  });

  it('drops a finished comment and shows an unfinished one; <!--> is a whole comment', () => {
    expect(filterRawHtml('a<!-- hidden -->b')).toBe('ab');
    expect(filterRawHtml('a <!-- never closed\n')).toBe('a &lt;!-- never closed\n');
    expect(filterRawHtml('<!-->shown')).toBe('shown');
    expect(filterRawHtml('<![CDATA[ x')).toBe('&lt;![CDATA[ x');
    expect(filterRawHtml('<?php echo 1')).toBe('&lt;?php echo 1');
  });
});

describe('raw HTML scopes: each block with raw HTML is parsed on its own, unless the author closes it later', () => {
  it('an unclosed <details open> ends with its block; plain blocks share one fragment', () => {
    expect(rawHtmlScopes(blocksOf('# T\n\nintro\n\n<details open><summary>s</summary>body\n\nafter\n\nmore'))).toEqual([
      '<h1>T</h1>\n<p>intro</p>\n',
      '<details open><summary>s</summary>body\n\n',
      '<p>after</p>\n<p>more</p>\n',
    ]);
  });

  it('a wrapper closed in a later block keeps those blocks together, as READMEs write <details>', () => {
    expect(rawHtmlScopes(blocksOf('<details>\n<summary>More</summary>\n\n**inside**\n\n</details>\n\nafter'))).toEqual([
      '<details>\n<summary>More</summary>\n\n<p><strong>inside</strong></p>\n</details>\n\n',
      '<p>after</p>\n',
    ]);
    expect(rawHtmlScopes(blocksOf('<div>\n\n<div>\n\ninner\n\n</div>\n\n</div>\n\nafter'))).toHaveLength(2);
  });

  it('a later end tag does not reach over an element an earlier block left open', () => {
    // The <details> in the second block is never closed: the </div> may not pull it, and what follows, into the div.
    const fragments = rawHtmlScopes(blocksOf('<div>\n\n<details>\n\nhidden?\n\n</div>\n\nafter'));
    expect(fragments).toEqual(['<div>\n\n', '<details>\n\n', '<p>hidden?</p>\n', '</div>\n\n', '<p>after</p>\n']);
  });

  it("inline HTML left open in a paragraph stays in that paragraph's fragment", () => {
    expect(rawHtmlScopes(blocksOf('a <b>bold and <a href="https://example.test">link\n\nplain'))).toEqual([
      '<p>a <b>bold and <a href="https://example.test">link</p>\n',
      '<p>plain</p>\n',
    ]);
  });
});

import type { TokenizerObject, Tokens } from 'marked';

/**
 * CommonMark lets five kinds of raw HTML block run until their terminator however many blank lines away, or to the end
 * of the document when there is none: `<script>`, `<pre>`, `<style>`, `<textarea>` until their end tag, comments until
 * `-->`, `<?` until `?>`, `<!X` until `>`, CDATA until `]]>`. One unclosed `<textarea>` or `<!--` then turns every
 * later section into a single raw HTML block, which the allowlist can only drop or show as one lump of text.
 *
 * Here those blocks end at the first blank line, as every other HTML block does, unless their terminator comes first.
 * `<pre>` alone keeps a terminator further on: blank lines inside preformatted text are the author's, and its content
 * stays on screen. The others are not shown as markup anyway (script, style, textarea, comments…), so letting them span
 * paragraphs could only hide the author's text — a comment meant to hide several paragraphs now shows them instead.
 */

const OPENER = /^ {0,3}(?:<(script|pre|style|textarea)(?=[\s>]|$)|(<!--)|(<\?)|(<![A-Za-z])|(<!\[CDATA\[))/i;
const BLANK_LINES = /\n(?:[ \t]*\n)+/;

/** Where the construct opened at `from` ends (just past its terminator), or -1 when it never does. */
function terminatorEnd(src: string, from: number, m: RegExpExecArray): number {
  const rest = src.slice(from);
  let end: RegExpExecArray | null;
  if (m[1]) end = new RegExp(`</${m[1]}>`, 'i').exec(rest);
  // `<!-->` and `<!--->` are complete (empty) comments, for browsers and marked alike.
  else if (m[2]) end = /^-?>/.exec(rest) ?? /-->/.exec(rest);
  else if (m[3]) end = /\?>/.exec(rest);
  else if (m[4]) end = />/.exec(rest);
  else end = /\]\]>/.exec(rest);
  return end ? from + end.index + end[0].length : -1;
}

function html(src: string): Tokens.HTML | false {
  const m = OPENER.exec(src);
  if (!m) return false;
  const name = m[1]?.toLowerCase();
  const blank = BLANK_LINES.exec(src);
  const cut = blank ? blank.index + blank[0].length : src.length;
  const end = terminatorEnd(src, m[0].length, m);
  // Closed before the first blank line, or a <pre> closed at all: marked's own rule makes that block.
  if (end !== -1 && (end <= cut || name === 'pre')) return false;
  // The blank lines are consumed with the block but are not part of it (an unclosed <pre> would show them).
  const text = blank ? src.slice(0, blank.index + 1) : src;
  return { type: 'html', block: true, pre: name === 'pre' || name === 'script' || name === 'style', raw: src.slice(0, cut), text };
}

/** marked tokenizer override: returning false hands the source to marked's own HTML block rule. */
export const boundedHtmlBlocks: TokenizerObject = { html };

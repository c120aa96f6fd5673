import { Marked, Renderer, TextRenderer, type Tokens } from 'marked';
import { splitFrontMatter } from '../../../contracts/front-matter.js';
import { highlight } from './highlight.js';
import { boundedHtmlBlocks } from './html-blocks.js';
import { filterRawHtml } from './raw-html.js';
import { rawHtmlScopes } from './raw-html-scopes.js';
import { sanitizeHighlighted, sanitizeMarkdownHtml } from './sanitize.js';

export interface Heading {
  level: number;
  text: string;
  id: string;
}

export interface RenderedMarkdown {
  /** Sanitised HTML: safe to put into the page as is. */
  html: string;
  headings: Heading[];
  /** The YAML front matter BMAD puts on top of planning documents, shown apart (as text, never as markup). */
  frontMatter: string | null;
  hasMermaid: boolean;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** GitHub-style slug, ASCII only, so the ids stay inside the `doc-h-` pattern the sanitiser lets through. */
export function slugify(text: string): string {
  const s = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .trim()
    .replace(/\s+/g, '-')
    .slice(0, 100);
  return s || 'section';
}

const plain = new TextRenderer();

/**
 * Markdown (GFM: tables, task lists, strikethrough, autolinks) to sanitised HTML, with highlighted code, ids on headings
 * for the table of contents, and mermaid blocks left as `<pre><code class="language-mermaid">` for the viewer to draw.
 */
export function renderMarkdown(source: string): RenderedMarkdown {
  const { frontMatter, body } = splitFrontMatter(source);
  const headings: Heading[] = [];
  const used = new Map<string, number>();
  let hasMermaid = false;

  const renderer = new Renderer();
  renderer.heading = function ({ tokens, depth }: Tokens.Heading) {
    const text = this.parser.parseInline(tokens, plain).replace(/\s+/g, ' ').trim();
    const base = slugify(text);
    const n = used.get(base) ?? 0;
    used.set(base, n + 1);
    const id = `doc-h-${n === 0 ? base : `${base}-${n}`}`;
    headings.push({ level: depth, text, id });
    return `<h${depth} id="${id}">${this.parser.parseInline(tokens)}</h${depth}>\n`;
  };
  let rawHtml = false;
  // Raw HTML the author wrote: allowlisted before any parser sees it (see raw-html.ts), then sanitised with its block.
  renderer.html = ({ text, block }: Tokens.HTML | Tokens.Tag) => {
    rawHtml = true;
    const html = filterRawHtml(text);
    // A block of raw HTML that the allowlist left as text only (a tag shown as text, an unfinished comment) reads as
    // a paragraph rather than as loose text run into the next one.
    return block && !html.includes('<') && html.trim() ? `<p>${html.trim()}</p>\n` : html;
  };
  renderer.code = function ({ text, lang }: Tokens.Code) {
    const language = (lang ?? '').trim().split(/\s+/)[0]?.toLowerCase();
    if (language === 'mermaid') {
      hasMermaid = true;
      return `<pre><code class="language-mermaid">${escapeHtml(text)}</code></pre>\n`;
    }
    const h = highlight(text, language);
    const cls = h.language ? ` class="hljs language-${escapeHtml(h.language.toLowerCase().replace(/[^a-z0-9+#.-]/g, ''))}"` : '';
    return `<pre><code${cls}>${sanitizeHighlighted(h.html)}</code></pre>\n`;
  };

  const marked = new Marked({ gfm: true, breaks: false, async: false, renderer, tokenizer: boundedHtmlBlocks });
  // Block by block, so that raw HTML left open ends with its block (see raw-html-scopes.ts).
  const blocks = marked.lexer(body).map((token) => {
    rawHtml = false;
    const html = marked.parser([token]);
    return { html, raw: rawHtml };
  });
  const html = rawHtmlScopes(blocks).map(sanitizeMarkdownHtml).join('');
  return { html, headings, frontMatter, hasMermaid };
}

import { describe, expect, it } from 'vitest';
import { findFrontMatter, splitFrontMatter } from '../../../src/contracts/index.js';
import { readFrontMatter } from '../../../src/server/connector/bmad/parse/front-matter.js';

/** One rule on both sides: the server parses the front matter (readFrontMatter), the browser shows it (splitFrontMatter). */
describe('front matter fences', () => {
  it('closes on `---`', () => {
    const text = '---\nstatus: done\n---\n# Title\n';
    expect(splitFrontMatter(text)).toEqual({ frontMatter: 'status: done', body: '# Title\n' });
    expect(readFrontMatter(text)).toMatchObject({ data: { status: 'done' }, error: null, closingLine: 3, bodyStart: text.indexOf('# Title') });
  });

  it('closes on `...`, the YAML document end marker, on both sides', () => {
    const text = '---\nstatus: review\n...\n# Title\n';
    expect(splitFrontMatter(text)).toEqual({ frontMatter: 'status: review', body: '# Title\n' });
    expect(readFrontMatter(text)).toMatchObject({ data: { status: 'review' }, error: null, closingLine: 3 });
  });

  it('takes CRLF line ends and trailing blanks on the fences', () => {
    const text = '---  \r\nstatus: done\r\ntitle: A\r\n--- \r\n# Title\r\n';
    expect(splitFrontMatter(text)).toEqual({ frontMatter: 'status: done\r\ntitle: A', body: '# Title\r\n' });
    expect(readFrontMatter(text)).toMatchObject({ data: { status: 'done', title: 'A' }, error: null, closingLine: 4 });
  });

  it('takes a BOM before the opening fence', () => {
    const text = '\uFEFF---\nstatus: done\n---\nbody';
    expect(splitFrontMatter(text)).toEqual({ frontMatter: 'status: done', body: 'body' });
    expect(readFrontMatter(text)?.data).toEqual({ status: 'done' });
  });

  it('finds none when the first line is not an opening fence', () => {
    for (const text of ['# No front matter\n---\n', '', '---', ' ---\na: 1\n---\n', 'text\n---\na: 1\n---\n']) {
      expect(findFrontMatter(text), JSON.stringify(text)).toBeNull();
      expect(splitFrontMatter(text)).toEqual({ frontMatter: null, body: text });
      expect(readFrontMatter(text)).toBeNull();
    }
  });

  it('takes empty front matter and a closing fence at the very end', () => {
    expect(splitFrontMatter('---\n---\n# T')).toEqual({ frontMatter: '', body: '# T' });
    expect(splitFrontMatter('---\na: 1\n...')).toEqual({ frontMatter: 'a: 1', body: '' });
    expect(readFrontMatter('---\n---\n# T')).toMatchObject({ data: null, error: null });
  });

  it('leaves unclosed front matter in the body for the browser, and reports it on the server', () => {
    const text = '---\nstatus: done\n# Title\n';
    expect(splitFrontMatter(text)).toEqual({ frontMatter: null, body: text });
    expect(readFrontMatter(text)).toMatchObject({ data: null, error: { line: 1, message: 'front matter: opening "---" is never closed' } });
  });

  it('does not close on a longer fence or on a fence inside a value', () => {
    const text = '---\na: |\n  ----\n  x\nb: 2\n---\nbody';
    expect(splitFrontMatter(text).body).toBe('body');
    expect(readFrontMatter(text)?.data).toEqual({ a: '----\nx\n', b: 2 });
  });
});

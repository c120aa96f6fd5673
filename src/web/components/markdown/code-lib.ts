import { highlight } from './highlight.js';
import { sanitizeHighlighted } from './sanitize.js';

/** Highlighted, sanitised HTML for a code sample (YAML documents, front matter). */
export function highlightSafe(code: string, language: string): string {
  return sanitizeHighlighted(highlight(code, language).html);
}

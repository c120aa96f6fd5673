import type mermaidApi from 'mermaid';
import { sanitizeDiagramSvg } from './sanitize.js';

type Mermaid = typeof mermaidApi;

let loading: Promise<Mermaid> | undefined;
let configuredFor: string | undefined;
let counter = 0;

/**
 * Keys a diagram's own `%%{init: …}%%` directive may not change: anything about security, HTML, CSS, fonts or theme.
 * Diagram-specific layout options (flowchart curve, sequence margins, …) stay available to authors.
 */
const SECURE_KEYS = [
  'secure',
  'securityLevel',
  'startOnLoad',
  'maxTextSize',
  'maxEdges',
  'suppressErrorRendering',
  'dompurifyConfig',
  'htmlLabels',
  'theme',
  'themeCSS',
  'themeVariables',
  'darkMode',
  'fontFamily',
  'altFontFamily',
  'fontSize',
  'look',
  'handDrawnSeed',
  'layout',
  'elk',
  'arrowMarkerAbsolute',
  'legacyMathML',
  'forceLegacyMathML',
  'logLevel',
  'deterministicIds',
  'deterministicIDSeed',
  'markdownAutoWrap',
];

const TAG_LIKE = /<(\/?)([a-zA-Z][\w-]*)([^<>]*)>/g;
const HANDLER = /[\s/]on[a-z]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*)/gi;

/**
 * Labels may hold a little HTML (`<br>`, `<b>`), which mermaid sanitises itself with DOMPurify. Event handlers and
 * `<base>` are taken out first: merely parsing them makes Chrome log (blocked) CSP violations. Not a security
 * boundary — mermaid's strict mode and the SVG pass after it are — only a way to keep the console honest.
 */
export function neutralizeSource(source: string): string {
  return source.replace(TAG_LIKE, (tag, _close: string, name: string, rest: string) =>
    name.toLowerCase() === 'base' ? '' : `<${_close}${name}${rest.replace(HANDLER, '')}>`,
  );
}

/** Mermaid is big: it is only fetched when a document actually has a diagram. */
function load(): Promise<Mermaid> {
  loading ??= import('mermaid').then((m) => m.default);
  return loading;
}

/**
 * Draws one diagram: mermaid with securityLevel 'strict' (no click callbacks, labels sanitised, no HTML labels), and
 * its SVG sanitised again before it reaches the page. Throws with mermaid's message on a syntax error.
 */
export async function renderDiagram(source: string, theme: 'light' | 'dark'): Promise<string> {
  const mermaid = await load();
  if (configuredFor !== theme) {
    mermaid.initialize({
      startOnLoad: false,
      securityLevel: 'strict',
      htmlLabels: false,
      suppressErrorRendering: true,
      theme: theme === 'dark' ? 'dark' : 'default',
      darkMode: theme === 'dark',
      fontFamily: 'ui-sans-serif, system-ui, sans-serif',
      maxTextSize: 100_000,
      logLevel: 'fatal',
      secure: SECURE_KEYS,
    });
    configuredFor = theme;
  }
  const id = `doc-mermaid-${++counter}`;
  try {
    const { svg } = await mermaid.render(id, neutralizeSource(source));
    return sanitizeDiagramSvg(svg);
  } finally {
    // On a syntax error mermaid may leave its scratch element behind.
    document.getElementById(id)?.remove();
    document.getElementById(`d${id}`)?.remove();
  }
}

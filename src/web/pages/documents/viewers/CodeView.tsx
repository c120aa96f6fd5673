import { useMemo } from 'react';
import '../../../components/markdown/document.css';
import { useLazy } from '../../../components/markdown/use-lazy.js';

const loadCodeLib = () => import('../../../components/markdown/code-lib.js');

function Highlighted({ source, language }: { source: string; language: string }) {
  const { mod } = useLazy(loadCodeLib);
  const html = useMemo(() => mod?.highlightSafe(source, language), [mod, source, language]);
  // Until highlight.js has loaded (or if it cannot be), the text is shown plain: it is readable either way.
  if (html === undefined) return <code>{source}</code>;
  return <code className={`hljs language-${language}`} data-highlighted="true" dangerouslySetInnerHTML={{ __html: html }} />;
}

/** YAML (highlighted) and plain text: one box; YAML lines scroll inside it, plain text wraps. */
export default function CodeView({ source, language }: { source: string; language: 'yaml' | null }) {
  return (
    <pre
      className={`doc-code ${language ? '' : 'whitespace-pre-wrap'}`}
      tabIndex={0}
      data-testid={language ? 'code-view' : 'text-view'}
      data-language={language ?? 'text'}
    >
      {language ? <Highlighted source={source} language={language} /> : <code>{source}</code>}
    </pre>
  );
}

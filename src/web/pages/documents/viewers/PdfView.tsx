import { useEffect, useRef, useState, type RefObject } from 'react';
import '../../../components/markdown/document.css';
import { useLazy } from '../../../components/markdown/use-lazy.js';
import type { PDFDocumentProxy, PDFPageProxy } from './pdf-lib.js';

const loadPdfLib = () => import('./pdf-lib.js');
type PdfLib = Awaited<ReturnType<typeof loadPdfLib>>;

/** Largest zoom used to fit a page to the viewer's width. */
const MAX_SCALE = 1.6;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

function usePdf(lib: PdfLib | undefined, data: ArrayBuffer): { pdf: PDFDocumentProxy | null; error: string | null } {
  const [state, setState] = useState<{ pdf: PDFDocumentProxy | null; error: string | null }>({ pdf: null, error: null });
  useEffect(() => {
    if (!lib) return;
    const task = lib.openPdf(data);
    let alive = true;
    task.promise.then(
      (pdf) => alive && setState({ pdf, error: null }),
      (e: unknown) => alive && setState({ pdf: null, error: message(e) }),
    );
    return () => {
      alive = false;
      task.destroy();
    };
  }, [lib, data]);
  return state;
}

function useWidth<T extends HTMLElement>(): [RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(([entry]) => {
      const w = Math.floor(entry?.contentRect.width ?? 0);
      // Re-draw pages only for a real change of width, not for a scrollbar appearing.
      setWidth((old) => (Math.abs(old - w) > 16 ? w : old));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

function PdfPage({ lib, pdf, number, width }: { lib: PdfLib; pdf: PDFDocumentProxy; number: number; width: number }) {
  const box = useRef<HTMLDivElement>(null);
  const [page, setPage] = useState<PDFPageProxy | null>(null);
  const [visible, setVisible] = useState(number <= 2);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let alive = true;
    pdf.getPage(number).then(
      (p) => alive && setPage(p),
      (e: unknown) => alive && setError(message(e)),
    );
    return () => {
      alive = false;
    };
  }, [pdf, number]);

  // Pages are drawn as they come near the screen: a 300-page PDF does not paint 300 canvases up front.
  useEffect(() => {
    const el = box.current;
    if (!el || visible) return;
    const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setVisible(true), { rootMargin: '800px 0px' });
    io.observe(el);
    return () => io.disconnect();
  }, [visible]);

  const base = page?.getViewport({ scale: 1 });
  const scale = base && width > 0 ? Math.min(MAX_SCALE, width / base.width) : 1;

  useEffect(() => {
    const el = box.current;
    if (!page || !visible || !el) return;
    const draw = lib.drawPage(page, scale);
    let alive = true;
    draw.done.then(
      (layers) => {
        if (!alive) return;
        el.replaceChildren(...layers);
        el.dataset.rendered = 'true';
      },
      (e: unknown) => {
        if (alive && !(e instanceof Error && e.name === 'RenderingCancelledException')) setError(message(e));
      },
    );
    return () => {
      alive = false;
      draw.cancel();
    };
  }, [lib, page, scale, visible]);

  const w = base ? base.width * scale : Math.min(width || 600, 600);
  const h = base ? base.height * scale : w * 1.414;
  return (
    <div>
      <div
        ref={box}
        className="doc-pdf-page"
        data-testid="pdf-page"
        data-page={number}
        style={{ width: `${w}px`, height: `${h}px`, ['--scale-factor' as string]: String(scale), ['--total-scale-factor' as string]: String(scale) }}
      />
      {error && (
        <p role="alert" className="mx-auto mb-4 text-sm text-danger" style={{ maxWidth: `${w}px` }}>
          Page {number} could not be drawn: {error}
        </p>
      )}
    </div>
  );
}

/** A PDF drawn in the page with pdf.js: canvas for the look, a text layer over it for selecting and finding text. */
export default function PdfView({ data }: { data: ArrayBuffer }) {
  const { mod: lib, error: loadError } = useLazy(loadPdfLib);
  const { pdf, error } = usePdf(lib, data);
  const [ref, width] = useWidth<HTMLDivElement>();
  return (
    <div ref={ref} className="min-w-0 overflow-x-auto rounded-md border border-border bg-surface-2 p-2 sm:p-4" data-testid="pdf-view">
      {loadError || error ? (
        <p role="alert" className="text-sm text-danger">
          This PDF could not be opened: {error ?? `the PDF viewer could not be loaded (${message(loadError)})`}
        </p>
      ) : !pdf || !lib ? (
        <p role="status" className="py-8 text-center text-muted">
          Opening the PDF…
        </p>
      ) : (
        <>
          <p className="mb-2 text-xs text-muted" data-testid="pdf-page-count">
            {pdf.numPages} {pdf.numPages === 1 ? 'page' : 'pages'}
          </p>
          {Array.from({ length: pdf.numPages }, (_, i) => (
            <PdfPage key={i + 1} lib={lib} pdf={pdf} number={i + 1} width={width} />
          ))}
        </>
      )}
    </div>
  );
}

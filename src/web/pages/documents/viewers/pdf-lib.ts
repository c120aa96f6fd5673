/**
 * pdf.js, loaded only when a PDF is opened. The legacy build matches the app's browser targets (the modern one needs
 * very recent engines); its worker is a same-origin file, which the page's CSP (script-src 'self') allows. No React in
 * here: see components/markdown/use-lazy.ts.
 */
import { GlobalWorkerOptions, TextLayer, getDocument, type PDFDocumentProxy, type PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import workerUrl from 'pdfjs-dist/legacy/build/pdf.worker.min.mjs?url';

GlobalWorkerOptions.workerSrc = workerUrl;

export type { PDFDocumentProxy, PDFPageProxy };

export function openPdf(data: ArrayBuffer): { promise: Promise<PDFDocumentProxy>; destroy: () => void } {
  const task = getDocument({
    // pdf.js takes ownership of the buffer it is given: hand it a copy, the query cache keeps the original.
    data: new Uint8Array(data.slice(0)),
    // No XFA forms and no scripting (only pdf.js's viewer runs PDF scripts; 6.x has no eval path left, and the page's
    // CSP forbids eval anyway): a PDF is shown, never run.
    enableXfa: false,
    useSystemFonts: true,
    stopAtErrors: false,
  });
  return { promise: task.promise, destroy: () => void task.destroy() };
}

/** Draws one page at `scale` into a canvas with a text layer over it; resolves with the two elements to show. */
export function drawPage(page: PDFPageProxy, scale: number): { done: Promise<[HTMLCanvasElement, HTMLDivElement]>; cancel: () => void } {
  const viewport = page.getViewport({ scale });
  const ratio = window.devicePixelRatio || 1;
  const canvas = document.createElement('canvas');
  canvas.width = Math.floor(viewport.width * ratio);
  canvas.height = Math.floor(viewport.height * ratio);
  canvas.setAttribute('aria-hidden', 'true');
  const textLayerDiv = document.createElement('div');
  textLayerDiv.className = 'textLayer';
  const render = page.render({ canvas, viewport, ...(ratio !== 1 ? { transform: [ratio, 0, 0, ratio, 0, 0] } : {}) });
  const text = new TextLayer({ textContentSource: page.streamTextContent(), container: textLayerDiv, viewport });
  return {
    done: Promise.all([render.promise, text.render()]).then(() => [canvas, textLayerDiv]),
    cancel: () => {
      render.cancel();
      text.cancel();
    },
  };
}

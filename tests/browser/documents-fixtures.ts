import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Test documents for the viewer: files on disk in a document root, and the events that register them. */

let counter = 0;

export const sha256 = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

export interface DocFile {
  id: string;
  path: string;
  title: string;
  mimeType: string;
  kind?: string;
  projectId?: string;
  storyId?: string;
  content: Buffer | string;
}

/** Writes the file under `dir` and returns the document.registered event for it (checksum and size of what was written). */
export function writeAndRegister(root: string, dir: string, f: DocFile, occurredAt = new Date().toISOString()) {
  const file = path.join(dir, f.path);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, f.content);
  const bytes = fs.readFileSync(file);
  return {
    id: `evt-doc-${++counter}-${Math.random().toString(36).slice(2, 8)}`,
    source: 'test',
    type: 'document.registered',
    occurredAt,
    entity: { type: 'document', id: f.id },
    payload: {
      projectId: f.projectId ?? 'p-checkout',
      ...(f.storyId ? { storyId: f.storyId } : {}),
      title: f.title,
      mimeType: f.mimeType,
      root,
      path: f.path,
      checksum: sha256(bytes),
      sizeBytes: bytes.length,
      ...(f.kind ? { kind: f.kind } : {}),
    },
  };
}

/** A small valid PDF (one page, Helvetica text), with a correct cross-reference table. */
export function tinyPdf(text: string): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    null, // the content stream, below
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  const stream = `BT /F1 24 Tf 30 100 Td (${text.replace(/[()\\]/g, (c) => `\\${c}`)}) Tj ET`;
  objects[3] = `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`;
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out);
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** A 1×1 PNG: a type the viewer never renders inline. */
export const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

export const PRD_MARKDOWN = `---
stepsCompleted: [1, 2, 3]
workflowType: prd
---
# Checkout revamp — PRD

## Goals

Make checkout **fast** and _trustworthy_. See [the architecture](#architecture) and [BMAD](https://github.com/bmad-code-org/BMAD-METHOD).

## Requirements

| ID | Requirement | Priority |
| --- | --- | :---: |
| FR1 | Guests can check out without an account | Must |
| FR2 | Saved cards are offered first | Should |
| FR3 | A very long requirement cell that goes on and on to make the table wider than a phone screen, to prove it scrolls in its own box | Could |

- [x] Discovery done
- [ ] Sign-off

## Architecture

\`\`\`ts
export function total(items: { price: number }[]): number {
  return items.reduce((sum, i) => sum + i.price, 0); // cents
}
\`\`\`

\`\`\`mermaid
flowchart LR
  Cart[Cart] --> Checkout[Checkout]
  Checkout --> Payment{Payment ok?}
  Payment -->|yes| Done[Order placed]
  Payment -->|no| Cart
\`\`\`

### Notes

A final section, so the table of contents has depth.
`;

/** Every way we know to get script, handlers, javascript: URLs or remote fetches through a markdown viewer. */
export const XSS_MARKDOWN = `# Attack file

<script>alert('script-tag'); window.__pwned = 'script'</script>

<img src=x onerror="alert('img-onerror'); window.__pwned = 'img'">

<a href="javascript:alert('js-href')">javascript link</a> and <a href="JaVaScRiPt:alert('mixed-case')">mixed case</a> and <a href=" &#106;avascript:alert('entity')">entity</a>

[markdown js link](javascript:alert('md-js-link')) and [tabbed](java\tscript:alert('tab'))

<iframe src="javascript:alert('iframe')"></iframe>
<iframe srcdoc="<script>alert('srcdoc')</script>"></iframe>

<svg onload="alert('svg-onload'); window.__pwned = 'svg'"><circle r="5"/><a xlink:href="javascript:alert('svg-a')"><text>svg link</text></a></svg>

<math><mtext><table><mglyph><style><img src=x onerror="alert('mxss')"></style></mglyph></table></mtext></math>

<details open ontoggle="alert('ontoggle'); window.__pwned = 'details'"><summary>toggle</summary>body</details>

<form action="javascript:alert('form')"><button formaction="javascript:alert('formaction')">go</button><input type="image" src="http://evil.invalid/input.png"></form>

<object data="javascript:alert('object')"></object><embed src="javascript:alert('embed')">

<body onload="alert('body')">
<meta http-equiv="refresh" content="0;url=javascript:alert('meta')">
<base href="http://evil.invalid/">
<link rel="stylesheet" href="http://evil.invalid/x.css">
<style>@import 'http://evil.invalid/import.css'; body { background: url(http://evil.invalid/bg.png) }</style>

<div style="background:url(http://evil.invalid/div.png); position: fixed; inset: 0; z-index: 9999" onmouseover="alert('hover')">styled overlay</div>

<video src="http://evil.invalid/v.mp4" autoplay poster="http://evil.invalid/poster.png"></video>
<audio src="http://evil.invalid/a.mp3" autoplay></audio>
<img srcset="http://evil.invalid/srcset.png 1x" alt="srcset">
<table background="http://evil.invalid/bg2.png"><tr><td>cell</td></tr></table>
<a href="http://evil.invalid/ok" ping="http://evil.invalid/ping">an external link (allowed, not followed by itself)</a>

![external image](http://evil.invalid/x.png)

![data svg](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9ImFsZXJ0KDEpIj48L3N2Zz4=)

<p id="root">clobbering the app root</p>
<a id="location" name="location" href="#x">clobber</a>
<img name="getElementById" alt="named">
<p class="fixed inset-0 z-50 bg-danger">app classes must not apply</p>

\`\`\`mermaid
%%{init: {"securityLevel": "loose", "htmlLabels": true, "themeCSS": "svg { background: url(http://evil.invalid/m.png) }", "dompurifyConfig": {"ADD_TAGS": ["script"], "ADD_ATTR": ["onclick"]}}}%%
flowchart LR
  A["<img src=x onerror=alert('mermaid-label')>"] --> B["<b onmouseover=alert('hover')>bold</b>"]
  B --> C[plain]
  click A callback "alert('mermaid-click')"
  click B "javascript:alert('mermaid-href')"
  click C href "http://evil.invalid/click" _blank
\`\`\`

## The end
`;

export interface PostResult {
  statusCode: number | null;
  /** Why it did not deliver (null on a 2xx). Never holds the URL: it may carry a token. */
  error: string | null;
  /** The start of the answer, control characters removed. */
  excerpt: string | null;
  durationMs: number;
  /** Worth another attempt: the network, a timeout, 408, 429 or a 5xx. */
  retryable: boolean;
  /** A 429's or 503's Retry-After, in ms. */
  retryAfterMs: number | null;
}

export interface PostOptions {
  timeoutMs: number;
  /** Aborts the request when the server shuts down. */
  signal?: AbortSignal;
}

const EXCERPT_CHARS = 200;
const EXCERPT_BYTES = 1024;

/** Reads at most EXCERPT_BYTES of the answer and drops the rest: a receiver cannot make us hold a large body. */
async function excerptOf(res: Response): Promise<string | null> {
  if (!res.body) return null;
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const text = Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8');
  // eslint-disable-next-line no-control-regex -- stored for a person to read: no control characters
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return clean ? clean.slice(0, EXCERPT_CHARS) : null;
}

/** Retry-After in seconds (the HTTP-date form is ignored: the backoff's own delay applies then). */
function retryAfter(res: Response): number | null {
  const v = res.headers.get('retry-after')?.trim();
  return v && /^\d{1,6}$/.test(v) ? Number(v) * 1000 : null;
}

/**
 * POSTs a JSON body to an http(s) URL, with a timeout, following no redirect (a 3xx is reported, never followed: an
 * alert must not be carried to another host than the one a manager set).
 */
export async function postJson(url: string, body: string, headers: Record<string, string>, opts: PostOptions): Promise<PostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const protocol = new URL(url).protocol;
  if (protocol !== 'http:' && protocol !== 'https:')
    return { statusCode: null, error: `refused: ${protocol} is not http(s)`, excerpt: null, durationMs: 0, retryable: false, retryAfterMs: null };
  const signal = opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)]) : AbortSignal.timeout(opts.timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'BMAD-Ops-Alerts/1', ...headers },
      body,
      redirect: 'manual',
      signal,
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const timedOut = e.name === 'TimeoutError' || (e.name === 'AbortError' && !opts.signal?.aborted);
    const reason = timedOut
      ? `no answer within ${opts.timeoutMs} ms`
      : opts.signal?.aborted
        ? 'the server is shutting down'
        : `could not connect (${e.cause?.code ?? e.message})`;
    return { statusCode: null, error: reason, excerpt: null, durationMs: elapsed(), retryable: !opts.signal?.aborted, retryAfterMs: null };
  }
  const excerpt = await excerptOf(res).catch(() => null);
  const status = res.status;
  if (status >= 200 && status < 300) return { statusCode: status, error: null, excerpt, durationMs: elapsed(), retryable: false, retryAfterMs: null };
  if (status >= 300 && status < 400) {
    const location = res.headers.get('location');
    let where = 'elsewhere';
    try {
      if (location) where = new URL(location, url).host;
    } catch {
      // An unreadable Location is reported as "elsewhere".
    }
    return {
      statusCode: status,
      error: `redirected to ${where}: redirects are not followed (set the final URL)`,
      excerpt,
      durationMs: elapsed(),
      retryable: false,
      retryAfterMs: null,
    };
  }
  const retryable = status === 408 || status === 429 || status >= 500;
  return {
    statusCode: status,
    error: `the receiver answered ${status}`,
    excerpt,
    durationMs: elapsed(),
    retryable,
    retryAfterMs: status === 429 || status === 503 ? retryAfter(res) : null,
  };
}

import { expect } from 'vitest';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `pred` until it holds or `timeoutMs` passes, then asserts it, so a test waits on a condition rather than a
 * guessed duration and a timeout fails with the label instead of hanging.
 */
export async function until(pred: () => boolean | Promise<boolean>, label: string | (() => string), timeoutMs = 5000, everyMs = 20): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let ok = await pred();
  while (!ok && performance.now() < deadline) {
    await sleep(everyMs);
    ok = await pred();
  }
  expect(ok, `timed out after ${timeoutMs} ms waiting for: ${typeof label === 'string' ? label : label()}`).toBe(true);
}

import { describe, expect, it } from 'vitest';
import { WriteTurn } from '../../src/server/db/write-turn.js';

// The main thread's side of the turn it shares with the rollup worker. The worker's side blocks (Atomics.wait), so it
// is driven here through the shared cells directly; tests/analytics/rollup-thread.test.ts runs both for real.
const HOLDER = 0;
const WORKER_DUE = 2;
const settle = () => new Promise((r) => setTimeout(r, 60));

describe('the write turn, main thread side', () => {
  it('is taken at once when free, and taken again after release', async () => {
    const turn = new WriteTurn(WriteTurn.buffer(), 'main');
    await turn.acquire();
    turn.release();
    await turn.acquire();
    turn.release();
  });

  it('waits without blocking while the worker holds it, and goes as soon as the worker lets go', async () => {
    const buffer = WriteTurn.buffer();
    const cells = new Int32Array(buffer);
    Atomics.store(cells, HOLDER, 2);
    let got = false;
    const waiting = new WriteTurn(buffer, 'main').acquire().then(() => (got = true));
    await settle(); // the event loop ran meanwhile: the wait is asynchronous
    expect(got).toBe(false);
    new WriteTurn(buffer, 'worker').release();
    await waiting;
    expect(Atomics.load(cells, HOLDER)).toBe(1);
  });

  it('stands aside for a worker that has waited too long, even when the turn is free', async () => {
    const buffer = WriteTurn.buffer();
    const cells = new Int32Array(buffer);
    Atomics.store(cells, WORKER_DUE, 1);
    let got = false;
    const waiting = new WriteTurn(buffer, 'main').acquire().then(() => (got = true));
    await settle();
    expect(got).toBe(false);
    // The worker takes its turn and lets go.
    Atomics.store(cells, WORKER_DUE, 0);
    Atomics.store(cells, HOLDER, 2);
    new WriteTurn(buffer, 'worker').release();
    await waiting;
    expect(got).toBe(true);
  });

  it('is not left waiting for a worker that died holding the turn', async () => {
    const buffer = WriteTurn.buffer();
    Atomics.store(new Int32Array(buffer), HOLDER, 2);
    const waiting = new WriteTurn(buffer, 'main').acquire();
    await settle();
    WriteTurn.releaseAbandoned(buffer);
    await waiting;
  });
});

describe('the write turn, the writer thread beside the main thread', () => {
  it('is held by one of them at a time, each waiting without blocking for the other', async () => {
    const buffer = WriteTurn.buffer();
    const cells = new Int32Array(buffer);
    const main = new WriteTurn(buffer, 'main');
    const writer = new WriteTurn(buffer, 'writer');
    await writer.acquire();
    expect(Atomics.load(cells, HOLDER)).toBe(3);
    let got = false;
    const waiting = main.acquire().then(() => (got = true));
    await settle();
    expect(got).toBe(false);
    writer.release();
    await waiting;
    expect(Atomics.load(cells, HOLDER)).toBe(1);
    // The main thread's release does not free a turn it does not hold, and the writer waits its turn in the same way.
    writer.release();
    expect(Atomics.load(cells, HOLDER)).toBe(1);
    const writerWaiting = writer.acquire();
    await settle();
    main.release();
    await writerWaiting;
    expect(Atomics.load(cells, HOLDER)).toBe(3);
    writer.release();
  });

  it('tells the rollup that the writer is waiting, so the rollup keeps its slices short', async () => {
    const buffer = WriteTurn.buffer();
    Atomics.store(new Int32Array(buffer), HOLDER, 2);
    const rollup = new WriteTurn(buffer, 'worker');
    expect(rollup.mainWaiting()).toBe(false);
    const waiting = new WriteTurn(buffer, 'writer').acquire();
    await settle();
    expect(rollup.mainWaiting()).toBe(true);
    rollup.release();
    await waiting;
    expect(rollup.mainWaiting()).toBe(false);
  });

  it('is not left held, nor left "waiting", by a writer thread that died', async () => {
    const buffer = WriteTurn.buffer();
    const cells = new Int32Array(buffer);
    Atomics.store(cells, HOLDER, 3);
    Atomics.store(cells, 3, 1); // the writer's waiting count, as a thread that died mid-wait leaves it
    const rollup = new WriteTurn(buffer, 'worker');
    expect(rollup.mainWaiting()).toBe(true);
    const waiting = new WriteTurn(buffer, 'main').acquire();
    await settle();
    WriteTurn.releaseAbandoned(buffer, 'writer');
    await waiting;
    expect(Atomics.load(cells, HOLDER)).toBe(1);
    // Only the main thread's own wait is counted now, and it has the turn.
    expect(rollup.mainWaiting()).toBe(false);
  });
});

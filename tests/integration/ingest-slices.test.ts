import { expect, it } from 'vitest';
import type { EventWriter } from '../../src/server/modules/events/event-writer.js';
import { contentHash } from '../../src/server/modules/events/content-hash.js';
import { IngestionService } from '../../src/server/modules/events/ingestion.service.js';
import { costRecorded } from '../support/events.js';

// A large request is validated and hashed in slices, so work that arrives meanwhile (a dashboard's read) runs between
// them instead of waiting for the whole request; the writer still gets every valid event, in order, with its hash.
it('lets other work run while a 1,000-event request is validated, and hands the writer each valid event with its hash', async () => {
  const order: string[] = [];
  let handed: { events: unknown[]; hashes: readonly string[] | undefined } | undefined;
  const writer = {
    append: (events: unknown[], _sentBy: string | null, hashes?: readonly string[]) => {
      order.push('writer');
      handed = { events, hashes };
      return Promise.resolve(events.map((_, i) => ({ status: 'accepted' as const, eventId: i + 1 })));
    },
  } as unknown as EventWriter;
  const service = new IngestionService(writer, { countResult: () => undefined });
  const raw: unknown[] = Array.from({ length: 1000 }, (_, i) => costRecorded(`c-${i}`));
  raw[500] = { not: 'an event' };

  const done = service.ingest(raw);
  setImmediate(() => order.push('other work'));
  const result = await done;

  expect(order).toEqual(['other work', 'writer']);
  expect(result).toMatchObject({ accepted: 999, rejected: 1 });
  expect(result.results[500]).toMatchObject({ status: 'rejected', code: 'validation_failed' });
  expect(handed!.events).toHaveLength(999);
  expect(handed!.hashes).toEqual((handed!.events as Parameters<typeof contentHash>[0][]).map(contentHash));
});

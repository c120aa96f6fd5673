import { z } from 'zod';
import { fieldErrorSchema } from './api.js';

export const INGEST_LIMITS = { maxEvents: 1000, maxBytes: 1024 * 1024 } as const;

/** Only the outer shape: each element is validated on its own so one bad event never sinks the batch. */
export const ingestRequestSchema = z.object({
  events: z.array(z.unknown()).min(1, 'must hold at least one event'),
});

export const ingestResultSchema = z.discriminatedUnion('status', [
  z.object({ index: z.number().int(), id: z.string(), source: z.string(), status: z.literal('accepted'), eventId: z.number().int() }),
  z.object({ index: z.number().int(), id: z.string(), source: z.string(), status: z.literal('duplicate'), eventId: z.number().int() }),
  z.object({
    index: z.number().int(),
    id: z.string().nullable(),
    source: z.string().nullable(),
    status: z.literal('rejected'),
    /**
     * `project_not_allowed`: the key is bound to another project (`key create --project`); `source_not_allowed`: a
     * source the key is not bound to, or one of the server's own; `type_not_allowed`: a type only the server emits.
     */
    code: z.enum(['validation_failed', 'conflict', 'project_not_allowed', 'source_not_allowed', 'type_not_allowed']),
    errors: z.array(fieldErrorSchema),
  }),
]);
export type IngestResult = z.infer<typeof ingestResultSchema>;

export const ingestResponseSchema = z.object({
  accepted: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.number().int(),
  results: z.array(ingestResultSchema),
});
export type IngestResponse = z.infer<typeof ingestResponseSchema>;

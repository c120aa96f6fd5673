import { z } from 'zod';

// Control characters have no business in identifiers or labels and break logs and terminals.
// eslint-disable-next-line no-control-regex
const NO_CONTROL_CHARS = /^[^\u0000-\u001f\u007f]*$/;

export const idSchema = z.string().min(1).max(128).regex(NO_CONTROL_CHARS, 'must not contain control characters');

export const labelSchema = (max = 200) => z.string().trim().min(1).max(max).regex(NO_CONTROL_CHARS, 'must not contain control characters');

export const freeTextSchema = (max = 2000) => z.string().max(max);

/**
 * ISO-8601 instant with an explicit offset (Z or ±hh:mm), normalised to UTC `toISOString()` form.
 * Calendar-impossible dates (2026-02-30) are rejected instead of silently rolling over.
 */
export const instantSchema = z
  .string()
  .max(40)
  .pipe(z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time with an offset, e.g. 2026-11-29T08:00:00Z' }))
  .transform((value, ctx) => {
    const date = new Date(value);
    const [y, m, d] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
    const calendar = new Date(Date.UTC(y, m - 1, d));
    if (
      Number.isNaN(date.getTime()) ||
      calendar.getUTCFullYear() !== y ||
      calendar.getUTCMonth() !== m - 1 ||
      calendar.getUTCDate() !== d ||
      y < 1970 ||
      y > 9999
    ) {
      ctx.addIssue({ code: 'custom', message: 'is not a real calendar date-time between 1970 and 9999' });
      return z.NEVER;
    }
    return date.toISOString();
  });

export const emailSchema = z.string().trim().max(254).pipe(z.email());

export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD');

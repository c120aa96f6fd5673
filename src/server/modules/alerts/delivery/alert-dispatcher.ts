import { randomUUID } from 'node:crypto';
import type { AlertDelivery } from '../../../../contracts/index.js';
import type { Clock } from '../../../clock.js';
import type { DatabaseHandle } from '../../../db/handle.js';
import type { Logger } from '../../../observability/logger.js';
import type { ChannelTarget } from '../alert-config.repository.js';
import { deliveriesRepository } from '../deliveries.repository.js';
import type { AlertNotice } from './alert-notice.js';
import { postJson, type PostOptions, type PostResult } from './http-post.js';
import { slackMessage } from './slack-message.js';
import { webhookBody, webhookHeaders } from './webhook-message.js';

export interface DispatcherOptions {
  timeoutMs: number;
  /** Attempts per message, the first included. */
  maxAttempts: number;
  /** The delay before the second attempt; each next one doubles it, up to retryMaxMs, with jitter. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Attempts kept in the delivery log per channel. */
  deliveryLogSize: number;
}

export type Post = (url: string, body: string, headers: Record<string, string>, opts: PostOptions) => Promise<PostResult>;

/**
 * Sends alert messages to webhook and Slack channels. Each message is retried with exponential backoff and jitter
 * (a bounded number of attempts, same delivery id, signed anew each time); messages about one alert reach a channel in
 * order (a resolve waits for its fire's retries). Every attempt goes to the delivery log. Retries waiting when the
 * server stops are dropped: a firing alert is sent again at its rule's repeat interval.
 */
export class AlertDispatcher {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  private readonly abort = new AbortController();

  constructor(
    private readonly db: DatabaseHandle,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly opts: DispatcherOptions,
    private readonly post: Post = postJson,
  ) {}

  /** Queues the notice for each channel. */
  notify(notice: AlertNotice, channels: readonly ChannelTarget[]): void {
    if (this.abort.signal.aborted) return;
    for (const channel of channels) {
      const key = `${channel.id}\n${notice.alertId ?? randomUUID()}`;
      const next = (this.chains.get(key) ?? Promise.resolve())
        .then(() => this.deliver(notice, channel))
        .catch((err: unknown) => this.logger.warn({ err, channelId: channel.id }, 'alert delivery failed unexpectedly'));
      this.chains.set(key, next);
      void next.finally(() => {
        if (this.chains.get(key) === next) this.chains.delete(key);
      });
    }
  }

  /** One attempt, no retry: the test button's answer is what the receiver said. */
  async test(notice: AlertNotice, channel: ChannelTarget): Promise<AlertDelivery> {
    return (await this.attempt(notice, channel, randomUUID(), 1, 1)).delivery;
  }

  /** Resolves when every queued message has been delivered or given up (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.allSettled([...this.chains.values()]);
  }

  /** Stops: requests in flight are aborted, waiting retries dropped. */
  async stop(): Promise<void> {
    this.abort.abort();
    for (const s of this.sleepers) {
      clearTimeout(s.timer);
      s.wake();
    }
    await this.idle();
  }

  private async deliver(notice: AlertNotice, channel: ChannelTarget): Promise<void> {
    const deliveryId = randomUUID();
    for (let attempt = 1; attempt <= this.opts.maxAttempts && !this.abort.signal.aborted; attempt++) {
      const { delivery, retryAfterMs } = await this.attempt(notice, channel, deliveryId, attempt, this.opts.maxAttempts);
      if (delivery.outcome !== 'retrying') return;
      await this.sleep(this.backoff(attempt, retryAfterMs));
    }
  }

  /** Equal jitter: half the exponential delay for sure, the other half at random, so many channels do not retry in step. */
  private backoff(attempt: number, retryAfterMs: number | null): number {
    const exp = Math.min(this.opts.retryMaxMs, this.opts.retryBaseMs * 2 ** (attempt - 1));
    const jittered = exp / 2 + Math.random() * (exp / 2);
    return Math.min(this.opts.retryMaxMs, Math.max(jittered, retryAfterMs ?? 0));
  }

  private async attempt(
    notice: AlertNotice,
    channel: ChannelTarget,
    deliveryId: string,
    attempt: number,
    maxAttempts: number,
  ): Promise<{ delivery: AlertDelivery; retryAfterMs: number | null }> {
    const now = this.clock.now();
    const { body, headers } = this.render(notice, channel, deliveryId, now);
    const r = await this.post(channel.url, body, headers, { timeoutMs: this.opts.timeoutMs, signal: this.abort.signal });
    const outcome = r.error === null ? 'delivered' : r.retryable && attempt < maxAttempts && !this.abort.signal.aborted ? 'retrying' : 'failed';
    const row = {
      channel_id: channel.id,
      delivery_id: deliveryId,
      alert_id: notice.alertId,
      kind: notice.kind,
      attempt,
      outcome,
      status_code: r.statusCode,
      error: r.error,
      response_excerpt: r.excerpt,
      duration_ms: r.durationMs,
      at: now.toISOString(),
    };
    // The log names the channel, never its URL or secret.
    const log = { channelId: channel.id, channel: channel.name, alertId: notice.alertId, kind: notice.kind, attempt, statusCode: r.statusCode, outcome };
    if (outcome === 'delivered') this.logger.debug(log, 'alert delivered');
    else this.logger.warn({ ...log, error: r.error }, outcome === 'retrying' ? 'alert delivery failed; retrying' : 'alert delivery failed');
    try {
      return { delivery: await deliveriesRepository.record(this.db.write, row, this.opts.deliveryLogSize), retryAfterMs: r.retryAfterMs };
    } catch (err) {
      this.logger.warn({ err, channelId: channel.id }, 'alert delivery could not be logged');
      const delivery: AlertDelivery = {
        id: 0,
        deliveryId,
        alertId: notice.alertId,
        kind: notice.kind,
        attempt,
        outcome,
        statusCode: r.statusCode,
        error: r.error,
        responseExcerpt: r.excerpt,
        durationMs: r.durationMs,
        at: row.at,
      };
      return { delivery, retryAfterMs: r.retryAfterMs };
    }
  }

  private render(notice: AlertNotice, channel: ChannelTarget, deliveryId: string, now: Date): { body: string; headers: Record<string, string> } {
    if (channel.type === 'slack') return { body: JSON.stringify(slackMessage(notice)), headers: {} };
    const body = webhookBody(notice, deliveryId, now.toISOString());
    return { body, headers: webhookHeaders(notice, body, deliveryId, channel.signingSecret, now.getTime()) };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.sleepers.delete(entry);
          resolve();
        }, ms),
        wake: resolve,
      };
      entry.timer.unref();
      this.sleepers.add(entry);
    });
  }
}

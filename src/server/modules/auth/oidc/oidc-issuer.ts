import * as client from 'openid-client';
import type { Logger } from '../../../observability/logger.js';
import { isLoopbackUrl, type OidcSettings } from './oidc.config.js';

export interface RetryPolicy {
  firstDelayMs: number;
  maxDelayMs: number;
  /** Seconds openid-client waits for any one answer of the provider. */
  requestTimeoutSec: number;
}

export const DEFAULT_RETRY: RetryPolicy = { firstDelayMs: 1_000, maxDelayMs: 5 * 60_000, requestTimeoutSec: 10 };

/**
 * The provider's discovery document and this server's client registration there, as openid-client's Configuration.
 * Discovered in the background with exponential backoff: a provider that is down at start must neither stop the server
 * nor password sign-in. A sign-in attempted meanwhile tries once more at once instead of waiting for the next retry.
 */
export class OidcIssuer {
  private configuration: client.Configuration | undefined;
  private inFlight: Promise<client.Configuration | undefined> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly settings: OidcSettings,
    private readonly logger: Logger,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {}

  start(): void {
    void this.attempt();
  }

  /** Whether the provider has been discovered (sign-in with it can start). */
  get available(): boolean {
    return this.configuration !== undefined;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** The configuration, discovering it now if it is still missing; undefined while the provider cannot be reached. */
  async get(): Promise<client.Configuration | undefined> {
    return this.configuration ?? this.attempt();
  }

  private attempt(): Promise<client.Configuration | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    clearTimeout(this.timer);
    this.inFlight ??= this.discover().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async discover(): Promise<client.Configuration | undefined> {
    const issuer = new URL(this.settings.issuer);
    const insecure = issuer.protocol === 'http:' && isLoopbackUrl(issuer);
    try {
      const discovered = await client.discovery(issuer, this.settings.clientId, undefined, undefined, {
        timeout: this.retry.requestTimeoutSec,
        ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
      });
      const server = discovered.serverMetadata();
      const configuration = new client.Configuration(server, this.settings.clientId, undefined, this.clientAuth(server));
      configuration.timeout = this.retry.requestTimeoutSec;
      // Only ever for a provider on this machine: the config refuses plain HTTP anywhere else.
      if (insecure) client.allowInsecureRequests(configuration);
      this.configuration = configuration;
      if (this.failures > 0)
        this.logger.info({ issuer: this.settings.issuer, afterFailures: this.failures }, 'OIDC provider reachable again: sign-in with it works');
      else this.logger.info({ issuer: this.settings.issuer }, 'OIDC provider discovered');
      this.failures = 0;
      return configuration;
    } catch (err) {
      this.failures += 1;
      const delayMs = Math.min(this.retry.maxDelayMs, this.retry.firstDelayMs * 2 ** Math.min(this.failures - 1, 30));
      this.logger.warn(
        { issuer: this.settings.issuer, error: describe(err), attempt: this.failures, retryInSec: Math.round(delayMs / 1000) },
        'OIDC provider unreachable: sign-in with it is unavailable until it answers (password sign-in keeps working); retrying',
      );
      if (!this.stopped) {
        this.timer = setTimeout(() => void this.attempt(), delayMs);
        this.timer.unref();
      }
      return undefined;
    }
  }

  /**
   * A secret goes by HTTP Basic unless the provider only takes it in the form (Basic is the spec's default); without a
   * secret the client is public and PKCE alone binds the code to this server.
   */
  private clientAuth(server: client.ServerMetadata): client.ClientAuth {
    const secret = this.settings.clientSecret;
    if (secret === undefined) return client.None();
    const methods = server.token_endpoint_auth_methods_supported;
    return !methods || methods.includes('client_secret_basic') || !methods.includes('client_secret_post')
      ? client.ClientSecretBasic(secret)
      : client.ClientSecretPost(secret);
  }
}

/** fetch says only "fetch failed": the reason (ECONNREFUSED, a certificate, a timeout) is in its cause. */
function describe(err: unknown): string {
  const e = err as Error & { code?: unknown; cause?: { code?: unknown; message?: unknown } };
  const cause = e.cause ? ` (${String(e.cause.code ?? e.cause.message)})` : '';
  return `${e.code ? `${String(e.code)}: ` : ''}${e.message}${cause}`;
}

/**
 * Slows password guessing on `/v1/token`, `/v1/login/access-token` and the login page. Only
 * failures count: a client that logs in correctly is never held back, however often. Failures
 * are counted per client address and user name (so one wrong password blocks that pair, not
 * everyone behind the same address) and per address overall (so trying many names is bounded
 * too). While blocked, requests are refused before any password is checked.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

export interface ThrottleLimits {
  /** Failures allowed per address and user name within the window. */
  perUser: number;
  /** Failures allowed per address, whatever the names, within the window. */
  perAddress: number;
  windowSeconds: number;
}

const DEFAULT_LIMITS: ThrottleLimits = { perUser: 10, perAddress: 30, windowSeconds: 60 };

export class LoginThrottle {
  private readonly byUser: RateLimiterMemory;
  private readonly byAddress: RateLimiterMemory;

  constructor(private readonly limits: ThrottleLimits = DEFAULT_LIMITS) {
    this.byUser = new RateLimiterMemory({ points: limits.perUser, duration: limits.windowSeconds, keyPrefix: 'user' });
    this.byAddress = new RateLimiterMemory({ points: limits.perAddress, duration: limits.windowSeconds, keyPrefix: 'address' });
  }

  private static pair(address: string, user: string | undefined): string {
    return `${address}\u0000${user ?? ''}`;
  }

  /** Seconds the client must wait before trying again, or 0 when it may try now. */
  async retryAfter(address: string, user: string | undefined): Promise<number> {
    const [pair, all] = await Promise.all([this.byUser.get(LoginThrottle.pair(address, user)), this.byAddress.get(address)]);
    const waits = [
      pair !== null && pair.consumedPoints >= this.limits.perUser ? pair.msBeforeNext : 0,
      all !== null && all.consumedPoints >= this.limits.perAddress ? all.msBeforeNext : 0,
    ];
    const ms = Math.max(...waits);
    return ms > 0 ? Math.max(1, Math.ceil(ms / 1000)) : 0;
  }

  async failed(address: string, user: string | undefined): Promise<void> {
    await Promise.all([
      this.byUser.consume(LoginThrottle.pair(address, user)).catch(ignoreLimit),
      this.byAddress.consume(address).catch(ignoreLimit),
    ]);
  }

  /** A success clears the failures of that address and name. */
  async succeeded(address: string, user: string): Promise<void> {
    await this.byUser.delete(LoginThrottle.pair(address, user));
  }
}

/** consume() rejects with a RateLimiterRes once over the limit; that is expected here. */
function ignoreLimit(reason: unknown): void {
  if (!(reason instanceof RateLimiterRes)) {
    throw reason;
  }
}

/**
 * JOBGATE_ADMIN_ALLOW: notes on ctx.state when the peer's address is outside the list, so the
 * admin routes (declared `admin: true`) answer 403 naming the reason. The socket's address is
 * used (the app does not trust X-Forwarded-For), so a client cannot claim another address.
 */
import type { Middleware } from 'koa';
import { parseAddressList } from '../../lib/address-list.js';
import type { AppState } from '../state.js';

export function adminAddresses(entries: readonly string[]): Middleware<AppState> {
  const list = parseAddressList(entries.join(','));
  if ('problems' in list) {
    // The configuration was validated at load; this only happens with a hand-made Config.
    throw new Error(`JOBGATE_ADMIN_ALLOW: ${list.problems.join('; ')}`);
  }
  return async function adminAddressesMiddleware(ctx, next) {
    if (!list.allows(ctx.ip)) {
      ctx.state.adminRefusal = `Admin routes are served only to addresses in JOBGATE_ADMIN_ALLOW (${list.entries.join(',')}); ${ctx.ip} is not one`;
    }
    await next();
  };
}

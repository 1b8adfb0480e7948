// An Express middleware that lets a request through only while the customer's entitlement allows it,
// and reports the usage once the response has gone out.
import type { Request, RequestHandler } from 'express';
import type { Allot } from '../../src/index.js'; // in your app: from 'allot'

export interface GateOptions {
  /** The metered feature the route uses. */
  featureId: string;
  /** Who is asking. In an app, the account your authentication middleware put on the request. */
  customerId: (req: Request) => string | undefined;
  /** Units one request uses (default 1). */
  units?: number;
}

export function entitlementGate(allot: Allot, { featureId, customerId, units = 1 }: GateOptions): RequestHandler {
  return async (req, res, next) => {
    const customer = customerId(req);
    if (!customer) {
      res.status(401).json({ error: 'unauthenticated' });
      return;
    }
    // A warm customer is answered from memory. A check never throws for an unknown customer or a store
    // that cannot be read (it denies, or answers from `entitlementsFallback`); a malformed id rejects,
    // and Express 5 hands the rejection to the error handler.
    const entitlement = await allot.getMeteredEntitlement({
      customerId: customer,
      featureId,
      options: { requestedUsage: units },
    });
    if (!entitlement.hasAccess) {
      res.status(402).json({
        error: 'limit',
        reason: entitlement.accessDeniedReason,
        usageLimit: entitlement.usageLimit,
        currentUsage: entitlement.currentUsage,
      });
      return;
    }
    // Report after the response, and only for a success, so a request that failed costs nothing and
    // the client never waits for the write. Requests in flight together all pass the check before any
    // of them is counted, so a burst may pass the limit by its size; where a hard limit must hold, take
    // the units up front with `allot.checkAndReportUsage` (one transaction) instead.
    res.on('finish', () => {
      if (res.statusCode >= 400) return;
      allot.reportUsage({ customerId: customer, featureId, value: units }).catch((error: unknown) => {
        // The response is gone: nothing to fail. Log it (a write rejects only when the store fails).
        console.error(`[usage] ${featureId} for ${customer} not recorded:`, error);
      });
    });
    next();
  };
}

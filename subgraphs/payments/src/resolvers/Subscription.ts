/**
 * Subscription.paymentEvents: the bus's events of one customer (and, when asked, one
 * invoice), from the moment of subscribing. @requiresScopes is checked by the kit before
 * the stream opens; a caller bound to one customer (kit/auth.ts) may follow only that one.
 */
import { requireCustomer } from '../../../kit/src/index.js';
import type { SubscriptionResolvers } from '../__generated__/resolvers-types.js';
import { paymentEventStream } from '../events/paymentEventStream.js';
import type { PaymentEventModel } from '../models.js';

export const Subscription: SubscriptionResolvers = {
  paymentEvents: {
    subscribe: (_parent, { customerId, invoiceId }, context) => {
      requireCustomer(context, customerId);
      return paymentEventStream(context.events, {
        accept: (event) => event.customerId === customerId && (invoiceId === null || invoiceId === undefined || event.invoiceId === invoiceId),
        logger: context.logger,
      });
    },
    resolve: (event: PaymentEventModel) => event,
  },
};

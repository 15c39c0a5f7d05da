/** The payments subgraph's resolver map, one file per type. */
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { Customer } from './Customer.js';
import { Invoice } from './Invoice.js';
import { Mutation } from './Mutation.js';
import { Payment } from './Payment.js';
import { PaymentEvent } from './PaymentEvent.js';
import { Query } from './Query.js';
import { Refund } from './Refund.js';
import { Subscription } from './Subscription.js';

export const resolvers: Resolvers = { Query, Mutation, Subscription, Customer, Invoice, Payment, PaymentEvent, Refund };

import type { RouteDef } from '../context.js';
import { customerRoutes } from './customers.js';
import { eventRoutes } from './events.js';
import { paymentIntentRoutes } from './paymentIntents.js';
import { paymentMethodRoutes } from './paymentMethods.js';
import { refundRoutes } from './refunds.js';

/** Every endpoint the sandbox serves; fixed paths come before `:id` ones in each group. */
export const ROUTES: readonly RouteDef[] = [...customerRoutes, ...paymentMethodRoutes, ...paymentIntentRoutes, ...refundRoutes, ...eventRoutes];

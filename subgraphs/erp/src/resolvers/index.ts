/** Every resolver of the erp subgraph, one file per type. */
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { Customer } from './Customer.js';
import { Invoice } from './Invoice.js';
import { Mutation } from './Mutation.js';
import { Order } from './Order.js';
import { OrderLine } from './OrderLine.js';
import { Product } from './Product.js';
import { Query } from './Query.js';

export const resolvers: Resolvers = { Query, Mutation, Customer, Product, Order, OrderLine, Invoice };

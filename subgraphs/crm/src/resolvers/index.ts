/** Every resolver of the crm subgraph, one file per type. */
import type { Resolvers } from '../__generated__/resolvers-types.js';
import { Contact } from './Contact.js';
import { Customer } from './Customer.js';
import { Deal } from './Deal.js';
import { Mutation } from './Mutation.js';
import { Query } from './Query.js';

export const resolvers: Resolvers = { Query, Mutation, Customer, Contact, Deal };

/**
 * updateCustomer: validates the input, PATCHes the company in HubSpot, then reads it back
 * through the request's loader. HubSpot's PATCH answers with the properties it changed,
 * not the whole record, so the read-back (one batch read) is what lets the payload carry
 * every Customer field, and it leaves the loader primed for the rest of the request.
 */
import { markChanged, requireCustomer, userError } from '../../../kit/src/index.js';
import type { MutationResolvers, UpdateCustomerInput } from '../__generated__/resolvers-types.js';
import { isRecordId } from '../loaders.js';
import { lifecycleValueOf } from '../stages.js';

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
const MAX_PHONE_LENGTH = 64;

/**
 * The input as HubSpot properties ('' clears one). Fields left out are not sent; an
 * explicit null clears phone or domain. All problems are reported at once.
 */
export function companyChanges(input: UpdateCustomerInput): Record<string, string> {
  const changes: Record<string, string> = {};
  const problems: string[] = [];
  if (input.name !== undefined) {
    const name = input.name?.trim() ?? '';
    if (name === '') problems.push('name must not be empty');
    else changes.name = name;
  }
  if (input.phone !== undefined) {
    const phone = input.phone?.trim() ?? '';
    if (phone !== '' && (phone.length > MAX_PHONE_LENGTH || !/\d/.test(phone)))
      problems.push(`phone must hold digits and at most ${MAX_PHONE_LENGTH} characters, got "${phone.slice(0, 80)}"`);
    else changes.phone = phone;
  }
  if (input.domain !== undefined) {
    const domain = input.domain?.trim().toLowerCase() ?? '';
    if (domain !== '' && !HOSTNAME.test(domain)) problems.push(`domain must be a bare domain such as acme.example.com, got "${domain.slice(0, 80)}"`);
    else changes.domain = domain;
  }
  if (input.lifecycleStage !== undefined) {
    if (input.lifecycleStage === null) problems.push('lifecycleStage cannot be cleared; give a stage');
    else changes.lifecyclestage = lifecycleValueOf(input.lifecycleStage);
  }
  if (problems.length === 0 && Object.keys(changes).length === 0) problems.push('give at least one field to change besides id');
  if (problems.length > 0) throw userError('BAD_USER_INPUT', `Invalid updateCustomer input: ${problems.join('; ')}`);
  return changes;
}

export const Mutation: MutationResolvers = {
  updateCustomer: async (_parent, { input }, context) => {
    const { connector, loaders } = context;
    requireCustomer(context, input.id);
    const changes = companyChanges(input);
    if (!isRecordId(input.id)) throw userError('NOT_FOUND', `No customer has the id "${input.id.slice(0, 40)}"`);
    // A 404 from HubSpot becomes NOT_FOUND in the connector.
    await connector.updateCompany(input.id, changes);
    // The gateway evicts its cached copies of this customer before answering the client.
    markChanged(context, [{ __typename: 'Customer', id: input.id }]);
    const customer = await loaders.companyById.clear(input.id).load(input.id);
    if (!customer) throw userError('NOT_FOUND', `No customer has the id "${input.id}"`);
    return { customer };
  },
};

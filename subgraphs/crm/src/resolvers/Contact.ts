import type { ContactResolvers } from '../__generated__/resolvers-types.js';

export const Contact: ContactResolvers = {
  fullName: (contact) => {
    const name = [contact.firstName, contact.lastName].filter((part) => part !== null).join(' ');
    // Neither name nor email happens for contacts created by imports; the id still tells them apart.
    return name || contact.email || `Contact ${contact.id}`;
  },
};

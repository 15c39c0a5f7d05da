/**
 * The services `npm start` runs, in start order. Each is its own process on its own
 * port; later groups start once the earlier ones report their URL.
 */
export type ServiceGroup = 'sandboxes' | 'subgraphs' | 'gateway';

export interface ServiceSpec {
  name: string;
  group: ServiceGroup;
  /** Entry point, relative to the repository root. */
  entry: string;
}

export const STACK: readonly ServiceSpec[] = [
  { name: 'crm-sandbox', group: 'sandboxes', entry: 'sandboxes/crm/src/index.ts' },
  { name: 'erp-sandbox', group: 'sandboxes', entry: 'sandboxes/erp/src/index.ts' },
  { name: 'payments-sandbox', group: 'sandboxes', entry: 'sandboxes/payments/src/index.ts' },
];

export const GROUP_ORDER: readonly ServiceGroup[] = ['sandboxes', 'subgraphs', 'gateway'];

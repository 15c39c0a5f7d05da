/**
 * The seed world: one deterministic set of companies, and everything the CRM, the ERP
 * and the payment provider know about them, generated from a seed number and a scale.
 *
 * The three sandboxes each take their part of the same world, so the same customers
 * exist everywhere and the ERP's invoice payment states agree with the payments the
 * payment provider holds against those invoices. Money is in minor units (integers).
 */
import { Prng } from './prng.js';

export interface SeedOptions {
  /** Seed number; the same seed and scale give the same world. Default 1. */
  seed: number;
  /** Multiplier on the default sizes (1 = about 1,000 companies). Default 1. */
  scale: number;
}

export const DEFAULT_SEED_OPTIONS: SeedOptions = { seed: 1, scale: 1 };

/** The instant the seed world is "now": all seeded dates lie before it. */
export const SEED_EPOCH = Date.UTC(2026, 5, 30, 12, 0, 0);

export type CurrencyCode = 'USD' | 'EUR' | 'GBP';

export interface WorldCompany {
  index: number;
  /** HubSpot-style numeric id, as a string; it is the graph's Customer.id. */
  crmId: string;
  name: string;
  domain: string;
  industry: string;
  city: string;
  country: string;
  phone: string;
  currency: CurrencyCode;
  lifecycleStage: string;
  numberOfEmployees: number;
  annualRevenue: number;
  ownerId: string;
  createdAt: number;
  updatedAt: number;
}

export interface WorldContact {
  crmId: string;
  companyIndex: number;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  jobTitle: string;
  lifecycleStage: string;
  createdAt: number;
  updatedAt: number;
}

export interface WorldDeal {
  crmId: string;
  companyIndex: number;
  name: string;
  amountMinor: number;
  stage: string;
  pipeline: string;
  closeDate: number;
  createdAt: number;
  updatedAt: number;
}

export interface WorldProduct {
  erpId: number;
  sku: string;
  name: string;
  category: string;
  priceMinor: number;
  qtyAvailable: number;
}

export interface WorldOrderLine {
  erpId: number;
  productErpId: number;
  quantity: number;
  priceUnitMinor: number;
  subtotalMinor: number;
}

export type OrderState = 'draft' | 'sent' | 'sale' | 'cancel';

export interface WorldOrder {
  erpId: number;
  name: string;
  companyIndex: number;
  state: OrderState;
  dateOrder: number;
  currency: CurrencyCode;
  lines: WorldOrderLine[];
  amountTotalMinor: number;
}

export type InvoicePaymentState = 'not_paid' | 'partial' | 'paid';

export interface WorldInvoice {
  erpId: number;
  name: string;
  companyIndex: number;
  orderErpId: number;
  invoiceDate: number;
  dueDate: number;
  currency: CurrencyCode;
  amountTotalMinor: number;
  /** amountTotalMinor minus what succeeded payments, net of refunds, paid. */
  amountResidualMinor: number;
  paymentState: InvoicePaymentState;
}

export interface WorldPaymentMethod {
  id: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
  created: number;
}

export interface WorldCustomer {
  id: string;
  companyIndex: number;
  name: string;
  email: string;
  created: number;
  paymentMethods: WorldPaymentMethod[];
}

export type PaymentStatus = 'succeeded' | 'requires_payment_method';

export interface WorldRefund {
  id: string;
  amountMinor: number;
  created: number;
}

export interface WorldPayment {
  id: string;
  companyIndex: number;
  customerId: string;
  paymentMethodId: string;
  invoiceErpId: number;
  invoiceName: string;
  currency: CurrencyCode;
  amountMinor: number;
  status: PaymentStatus;
  /** Set for failed attempts: Stripe's decline code. */
  declineCode: string | null;
  created: number;
  refunds: WorldRefund[];
}

export interface World {
  options: SeedOptions;
  companies: WorldCompany[];
  contacts: WorldContact[];
  deals: WorldDeal[];
  products: WorldProduct[];
  orders: WorldOrder[];
  invoices: WorldInvoice[];
  customers: WorldCustomer[];
  payments: WorldPayment[];
}

const NAME_HEADS = [
  'Acme',
  'Globex',
  'Initech',
  'Umbrella',
  'Stark',
  'Wayne',
  'Wonka',
  'Tyrell',
  'Cyberdyne',
  'Soylent',
  'Hooli',
  'Vandelay',
  'Massive',
  'Aperture',
  'Black Mesa',
  'Oscorp',
  'Gringotts',
  'Monarch',
  'Nakatomi',
  'Pied Piper',
  'Dunder',
  'Sterling',
  'Prestige',
  'Blue Sun',
  'Ollivander',
  'Zorg',
  'Bluth',
  'Krusty',
  'Duff',
  'Virtucon',
];
const NAME_TAILS = [
  'Industries',
  'Labs',
  'Systems',
  'Logistics',
  'Foods',
  'Energy',
  'Health',
  'Analytics',
  'Robotics',
  'Partners',
  'Works',
  'Digital',
  'Capital',
  'Supply',
  'Motors',
  'Media',
];
const INDUSTRIES = [
  'COMPUTER_SOFTWARE',
  'RETAIL',
  'FOOD_BEVERAGES',
  'LOGISTICS_AND_SUPPLY_CHAIN',
  'HOSPITAL_HEALTH_CARE',
  'MACHINERY',
  'RENEWABLES_ENVIRONMENT',
  'FINANCIAL_SERVICES',
  'CONSUMER_GOODS',
  'AUTOMOTIVE',
];
const CITIES: ReadonlyArray<readonly [string, string, CurrencyCode]> = [
  ['New York', 'United States', 'USD'],
  ['Chicago', 'United States', 'USD'],
  ['Austin', 'United States', 'USD'],
  ['San Francisco', 'United States', 'USD'],
  ['Toronto', 'Canada', 'USD'],
  ['Berlin', 'Germany', 'EUR'],
  ['Paris', 'France', 'EUR'],
  ['Madrid', 'Spain', 'EUR'],
  ['Amsterdam', 'Netherlands', 'EUR'],
  ['London', 'United Kingdom', 'GBP'],
];
const FIRST_NAMES = [
  'Ada',
  'Alan',
  'Grace',
  'Linus',
  'Margaret',
  'Ken',
  'Barbara',
  'Dennis',
  'Frances',
  'John',
  'Radia',
  'Tim',
  'Hedy',
  'Edsger',
  'Katherine',
  'Donald',
  'Sophie',
  'Niklaus',
  'Joan',
  'Bjarne',
  'Lucia',
  'Omar',
  'Priya',
  'Mei',
  'Kwame',
];
const LAST_NAMES = [
  'Lovelace',
  'Turing',
  'Hopper',
  'Torvalds',
  'Hamilton',
  'Thompson',
  'Liskov',
  'Ritchie',
  'Allen',
  'McCarthy',
  'Perlman',
  'Berners-Lee',
  'Lamarr',
  'Dijkstra',
  'Johnson',
  'Knuth',
  'Wilson',
  'Wirth',
  'Clarke',
  'Stroustrup',
  'Garcia',
  'Haddad',
  'Natarajan',
  'Chen',
  'Mensah',
];
const JOB_TITLES = ['CEO', 'CFO', 'Head of Procurement', 'Buyer', 'Accounts Payable', 'Operations Manager', 'CTO', 'Office Manager'];
const COMPANY_STAGES = ['lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'customer', 'customer', 'evangelist'];
const DEAL_STAGES = ['appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled', 'decisionmakerboughtin', 'contractsent', 'closedwon', 'closedlost'];
const PRODUCT_ADJECTIVES = ['Compact', 'Industrial', 'Premium', 'Eco', 'Smart', 'Heavy-Duty', 'Portable', 'Modular', 'Wireless', 'Classic'];
const PRODUCT_NOUNS: ReadonlyArray<readonly [string, string]> = [
  ['Widget', 'Components'],
  ['Gear Set', 'Components'],
  ['Sensor', 'Electronics'],
  ['Controller', 'Electronics'],
  ['Pallet Jack', 'Warehouse'],
  ['Shelving Unit', 'Warehouse'],
  ['Drill', 'Tools'],
  ['Torque Wrench', 'Tools'],
  ['Safety Helmet', 'Safety'],
  ['Work Gloves', 'Safety'],
  ['Coffee Beans 1kg', 'Pantry'],
  ['Printer Paper', 'Office'],
];
const CARD_BRANDS: ReadonlyArray<readonly [string, string]> = [
  ['visa', '4242'],
  ['mastercard', '4444'],
  ['amex', '8431'],
  ['visa', '1881'],
];
const DECLINE_CODES = ['insufficient_funds', 'generic_decline', 'card_declined', 'expired_card', 'do_not_honor'];

const DAY = 86_400_000;

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '');
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function validate(options: SeedOptions): void {
  if (!Number.isInteger(options.seed) || options.seed < 0) {
    throw new RangeError(`seed must be a non-negative integer, got ${String(options.seed)}`);
  }
  if (!(typeof options.scale === 'number' && options.scale > 0 && options.scale <= 100)) {
    throw new RangeError(`scale must be a number in (0, 100], got ${String(options.scale)}`);
  }
}

/**
 * Generates the world. Each system's part is drawn from its own PRNG stream, so that
 * adding a field to one system's seed does not reshuffle another's.
 */
export function generateWorld(options: SeedOptions = DEFAULT_SEED_OPTIONS): World {
  validate(options);
  const size = (n: number): number => Math.max(1, Math.round(n * options.scale));
  const stream = (salt: number): Prng => new Prng((options.seed * 7919 + salt) >>> 0);

  // --- CRM: companies, contacts, deals ---------------------------------------------
  const crm = stream(1);
  const companies: WorldCompany[] = [];
  const usedDomains = new Set<string>();
  for (let i = 0; i < size(1000); i++) {
    const head = crm.pick(NAME_HEADS);
    const tail = crm.pick(NAME_TAILS);
    const name = `${head} ${tail}${i >= (NAME_HEADS.length * NAME_TAILS.length) / 4 ? ` ${pad(i, 4)}` : ''}`;
    let domain = `${slug(head)}${slug(tail)}.example.com`;
    if (usedDomains.has(domain)) domain = `${slug(head)}${slug(tail)}${i}.example.com`;
    usedDomains.add(domain);
    const [city, country, currency] = crm.pick(CITIES);
    const createdAt = SEED_EPOCH - crm.int(400, 1400) * DAY - crm.int(0, DAY - 1);
    companies.push({
      index: i,
      crmId: String(10_000_001 + i),
      name,
      domain,
      industry: crm.pick(INDUSTRIES),
      city,
      country,
      phone: `+1 555 ${pad(crm.int(0, 9999), 4)}`,
      currency,
      lifecycleStage: crm.pick(COMPANY_STAGES),
      numberOfEmployees: crm.int(5, 5000),
      annualRevenue: crm.int(1, 500) * 100_000,
      ownerId: String(crm.int(1, 12)),
      createdAt,
      updatedAt: createdAt + crm.int(0, 300) * DAY,
    });
  }

  const contacts: WorldContact[] = [];
  const contactTarget = size(3000);
  for (let i = 0; i < contactTarget; i++) {
    // Every company has at least one contact; the rest are spread at random.
    const company = i < companies.length ? companies[i]! : crm.pick(companies);
    const firstName = crm.pick(FIRST_NAMES);
    const lastName = crm.pick(LAST_NAMES);
    const createdAt = company.createdAt + crm.int(0, 200) * DAY;
    contacts.push({
      crmId: String(20_000_001 + i),
      companyIndex: company.index,
      firstName,
      lastName,
      email: `${slug(firstName)}.${slug(lastName)}${i}@${company.domain}`,
      phone: `+1 555 ${pad(crm.int(0, 9999), 4)}`,
      jobTitle: crm.pick(JOB_TITLES),
      lifecycleStage: crm.pick(COMPANY_STAGES),
      createdAt,
      updatedAt: createdAt + crm.int(0, 100) * DAY,
    });
  }

  const deals: WorldDeal[] = [];
  for (let i = 0; i < size(1500); i++) {
    const company = crm.pick(companies);
    const createdAt = company.createdAt + crm.int(0, 300) * DAY;
    deals.push({
      crmId: String(30_000_001 + i),
      companyIndex: company.index,
      name: `${company.name} - ${crm.pick(['Renewal', 'Expansion', 'New business', 'Pilot'])}`,
      amountMinor: crm.int(10, 500) * 100_000,
      stage: crm.pick(DEAL_STAGES),
      pipeline: 'default',
      closeDate: createdAt + crm.int(10, 120) * DAY,
      createdAt,
      updatedAt: createdAt + crm.int(0, 60) * DAY,
    });
  }

  // --- ERP: products, orders, invoices ---------------------------------------------
  const erp = stream(2);
  const products: WorldProduct[] = [];
  for (let i = 0; i < size(200); i++) {
    const [noun, category] = erp.pick(PRODUCT_NOUNS);
    products.push({
      erpId: i + 1,
      sku: `SKU-${pad(i + 1, 5)}`,
      name: `${erp.pick(PRODUCT_ADJECTIVES)} ${noun}`,
      category,
      priceMinor: erp.int(1, 400) * 250 - 1,
      qtyAvailable: erp.chance(0.08) ? 0 : erp.int(1, 2000),
    });
  }

  const orders: WorldOrder[] = [];
  const invoices: WorldInvoice[] = [];
  const orderTarget = size(10_000);
  const invoiceTarget = size(8000);
  let lineId = 1;
  for (let i = 0; i < orderTarget; i++) {
    const company = erp.pick(companies);
    // The first invoiceTarget orders are confirmed sales; the rest are drafts, quotes or cancelled.
    const state: OrderState =
      i < invoiceTarget
        ? 'sale'
        : erp.weighted([
            ['draft', 3],
            ['sent', 5],
            ['cancel', 2],
          ] as const);
    const lines: WorldOrderLine[] = [];
    const lineCount = erp.int(1, 4);
    const seen = new Set<number>();
    for (let l = 0; l < lineCount; l++) {
      const product = erp.pick(products);
      if (seen.has(product.erpId)) continue;
      seen.add(product.erpId);
      const quantity = erp.int(1, 20);
      lines.push({ erpId: lineId++, productErpId: product.erpId, quantity, priceUnitMinor: product.priceMinor, subtotalMinor: quantity * product.priceMinor });
    }
    const dateOrder = SEED_EPOCH - erp.int(1, 700) * DAY - erp.int(0, DAY - 1);
    orders.push({
      erpId: i + 1,
      name: `S${pad(i + 1, 5)}`,
      companyIndex: company.index,
      state,
      dateOrder,
      currency: company.currency,
      lines,
      amountTotalMinor: lines.reduce((sum, line) => sum + line.subtotalMinor, 0),
    });
  }

  // --- Payments: customers, payment methods, payment intents, refunds ----------------
  const pay = stream(3);
  const customers: WorldCustomer[] = companies.map((company) => {
    const created = company.createdAt + pay.int(1, 30) * DAY;
    const methods: WorldPaymentMethod[] = [];
    for (let m = 0; m < pay.int(1, 2); m++) {
      const [brand, last4] = pay.pick(CARD_BRANDS);
      methods.push({ id: `pm_${pay.token(24)}`, brand, last4, expMonth: pay.int(1, 12), expYear: pay.int(2027, 2031), created: created + m * DAY });
    }
    return {
      id: `cus_${pay.token(14)}`,
      companyIndex: company.index,
      name: company.name,
      email: `billing@${company.domain}`,
      created,
      paymentMethods: methods,
    };
  });

  const payments: WorldPayment[] = [];
  const newPayment = (invoice: WorldInvoice, amountMinor: number, status: PaymentStatus, created: number): WorldPayment => {
    const customer = customers[invoice.companyIndex]!;
    const payment: WorldPayment = {
      id: `pi_${pay.token(24)}`,
      companyIndex: invoice.companyIndex,
      customerId: customer.id,
      paymentMethodId: pay.pick(customer.paymentMethods).id,
      invoiceErpId: invoice.erpId,
      invoiceName: invoice.name,
      currency: invoice.currency,
      amountMinor,
      status,
      declineCode: status === 'succeeded' ? null : pay.pick(DECLINE_CODES),
      created,
      refunds: [],
    };
    payments.push(payment);
    return payment;
  };

  for (let i = 0; i < invoiceTarget; i++) {
    const order = orders[i]!;
    const invoiceDate = order.dateOrder + erp.int(0, 5) * DAY;
    const invoice: WorldInvoice = {
      erpId: i + 1,
      name: `INV/${new Date(invoiceDate).getUTCFullYear()}/${pad(i + 1, 5)}`,
      companyIndex: order.companyIndex,
      orderErpId: order.erpId,
      invoiceDate,
      dueDate: invoiceDate + 30 * DAY,
      currency: order.currency,
      amountTotalMinor: order.amountTotalMinor,
      amountResidualMinor: order.amountTotalMinor,
      paymentState: 'not_paid',
    };
    invoices.push(invoice);

    // Roughly: 62% paid in full, 8% paid in part, 5% with a declined attempt, the rest open.
    const roll = pay.next();
    const paidAt = Math.min(invoiceDate + pay.int(1, 40) * DAY, SEED_EPOCH - 3 * DAY);
    if (roll < 0.05) {
      newPayment(invoice, invoice.amountTotalMinor, 'requires_payment_method', paidAt);
    }
    let netPaid = 0;
    if (roll < 0.62) {
      const payment = newPayment(invoice, invoice.amountTotalMinor, 'succeeded', paidAt + DAY);
      netPaid = payment.amountMinor;
      if (pay.chance(0.03)) {
        const refund = Math.max(1, Math.floor((payment.amountMinor * pay.int(10, 50)) / 100));
        payment.refunds.push({
          id: `re_${pay.token(24)}`,
          amountMinor: refund,
          created: Math.min(payment.created + pay.int(1, 20) * DAY, SEED_EPOCH - 3_600_000),
        });
        netPaid -= refund;
      }
    } else if (roll < 0.7 && invoice.amountTotalMinor > 1) {
      const part = Math.max(1, Math.floor((invoice.amountTotalMinor * pay.int(20, 80)) / 100));
      newPayment(invoice, part, 'succeeded', paidAt);
      netPaid = part;
    }
    invoice.amountResidualMinor = invoice.amountTotalMinor - netPaid;
    invoice.paymentState = netPaid === 0 ? 'not_paid' : invoice.amountResidualMinor === 0 ? 'paid' : 'partial';
  }
  payments.sort((a, b) => a.created - b.created);

  return { options, companies, contacts, deals, products, orders, invoices, customers, payments };
}

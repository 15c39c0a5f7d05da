/**
 * The master data models: countries, currencies, product categories, partners and
 * products, with the subset of their Odoo 17 fields the seed world fills.
 */
import type { ComputeEnv, Stored } from './fields.js';
import type { ModelDef } from './Registry.js';

export const USD_ID = 1;

export const text = (value: Stored | undefined): string => (typeof value === 'string' ? value : '');
const count = (env: ComputeEnv, model: string, field: string, id: number): number => env.lookup(model, field, id).size;

export const resCountry: ModelDef = {
  name: 'res.country',
  description: 'Country',
  order: 'name',
  nameSearchFields: ['name', 'code'],
  fields: {
    name: { type: 'char', string: 'Country Name', required: true },
    code: { type: 'char', string: 'Country Code', index: true },
  },
  displayName: (doc) => text(doc.name),
};

export const resCurrency: ModelDef = {
  name: 'res.currency',
  description: 'Currency',
  order: 'active desc, name',
  nameSearchFields: ['name', 'full_name'],
  fields: {
    name: { type: 'char', string: 'Currency', required: true, index: true },
    full_name: { type: 'char', string: 'Name' },
    symbol: { type: 'char', string: 'Symbol', required: true },
    decimal_places: { type: 'integer', string: 'Decimal Places', readonly: true },
    active: { type: 'boolean', string: 'Active' },
  },
  displayName: (doc) => text(doc.name),
};

export const productCategory: ModelDef = {
  name: 'product.category',
  description: 'Product Category',
  order: 'complete_name',
  nameSearchFields: ['complete_name'],
  fields: {
    name: { type: 'char', string: 'Name', required: true },
    complete_name: { type: 'char', string: 'Complete Name' },
    parent_id: { type: 'many2one', string: 'Parent Category', relation: 'product.category', index: true },
  },
  displayName: (doc) => text(doc.complete_name) || text(doc.name),
  defaults: (_id, vals, env) => {
    const parent = typeof vals.parent_id === 'number' ? env.get('product.category', vals.parent_id) : undefined;
    return { complete_name: parent ? `${text(parent.complete_name)} / ${text(vals.name)}` : text(vals.name) };
  },
};

export const resPartner: ModelDef = {
  name: 'res.partner',
  description: 'Contact',
  order: 'name, id desc',
  nameSearchFields: ['name', 'email', 'ref'],
  fields: {
    name: { type: 'char', string: 'Name', index: true },
    ref: { type: 'char', string: 'Reference', index: true },
    email: { type: 'char', string: 'Email' },
    phone: { type: 'char', string: 'Phone' },
    website: { type: 'char', string: 'Website Link' },
    city: { type: 'char', string: 'City' },
    country_id: { type: 'many2one', string: 'Country', relation: 'res.country', index: true },
    is_company: { type: 'boolean', string: 'Is a Company' },
    company_type: {
      type: 'selection',
      string: 'Company Type',
      selection: [
        ['person', 'Individual'],
        ['company', 'Company'],
      ],
      compute: (doc) => (doc.is_company ? 'company' : 'person'),
    },
    customer_rank: { type: 'integer', string: 'Customer Rank' },
    active: { type: 'boolean', string: 'Active' },
    sale_order_ids: { type: 'one2many', string: 'Sales Order', relation: 'sale.order', inverse: 'partner_id', readonly: true },
    sale_order_count: { type: 'integer', string: 'Sale Order Count', readonly: true, compute: (doc, env) => count(env, 'sale.order', 'partner_id', doc.id) },
    invoice_ids: { type: 'one2many', string: 'Invoices', relation: 'account.move', inverse: 'partner_id', readonly: true },
  },
  displayName: (doc) => text(doc.name),
  defaults: () => ({ active: true, is_company: false, customer_rank: 0 }),
  // res_partner_check_name: CHECK( (type='contact' AND name IS NOT NULL) or (type!='contact') )
  check: (doc) => (doc.name ? undefined : 'The operation cannot be completed: Contacts require a name'),
};

export const productProduct: ModelDef = {
  name: 'product.product',
  description: 'Product Variant',
  order: 'default_code, name, id',
  nameSearchFields: ['name', 'default_code'],
  fields: {
    name: { type: 'char', string: 'Name', required: true, index: true },
    default_code: { type: 'char', string: 'Internal Reference', index: true },
    list_price: { type: 'float', string: 'Sales Price', minorUnits: true },
    qty_available: { type: 'float', string: 'Quantity On Hand', readonly: true },
    categ_id: { type: 'many2one', string: 'Product Category', relation: 'product.category', required: true, index: true },
    type: {
      type: 'selection',
      string: 'Product Type',
      required: true,
      selection: [
        ['consu', 'Consumable'],
        ['service', 'Service'],
        ['product', 'Storable Product'],
      ],
    },
    active: { type: 'boolean', string: 'Active' },
  },
  displayName: (doc) => (doc.default_code ? `[${text(doc.default_code)}] ${text(doc.name)}` : text(doc.name)),
  // Odoo's defaults: a consumable at 1.0 in the root category.
  defaults: () => ({ active: true, type: 'consu', list_price: 100, qty_available: 0, categ_id: 1 }),
};

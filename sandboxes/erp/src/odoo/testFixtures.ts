/** A handful of records for the ORM and domain tests: small enough to reason about by hand. */
import type { RecordDoc } from './fields.js';

const stamp = { create_date: '2026-01-01 00:00:00', write_date: '2026-01-01 00:00:00' };

export function fixtures(): Record<string, RecordDoc[]> {
  return {
    'res.currency': [{ id: 1, name: 'USD', symbol: '$', active: true, ...stamp }],
    'res.country': [{ id: 1, name: 'France', code: 'FR', ...stamp }],
    'product.category': [{ id: 1, name: 'All', complete_name: 'All', parent_id: false, ...stamp }],
    'product.product': [
      { id: 1, name: 'Widget', default_code: 'W-1', list_price: 1050, qty_available: 5, categ_id: 1, type: 'product', active: true, ...stamp },
      { id: 2, name: 'Gadget', default_code: 'G-1', list_price: 99, qty_available: 0, categ_id: 1, type: 'consu', active: true, ...stamp },
    ],
    'res.partner': [
      {
        id: 1,
        name: 'Acme Labs',
        ref: '100',
        email: 'ap@acme.example',
        city: 'Paris',
        country_id: 1,
        is_company: true,
        customer_rank: 3,
        active: true,
        ...stamp,
      },
      { id: 2, name: 'Globex', ref: '200', email: false, city: 'Lyon', country_id: false, is_company: true, customer_rank: 0, active: true, ...stamp },
      {
        id: 3,
        name: 'Jane Doe',
        ref: false,
        email: 'jane@example.com',
        city: false,
        country_id: 1,
        is_company: false,
        customer_rank: 1,
        active: true,
        ...stamp,
      },
      { id: 4, name: 'Old Co 50%_off', ref: '400', email: false, city: 'Nice', country_id: false, is_company: true, customer_rank: 0, active: false, ...stamp },
    ],
    'sale.order': [
      { id: 1, name: 'S00001', partner_id: 1, date_order: '2026-01-10 09:00:00', state: 'sale', currency_id: 1, client_order_ref: false, ...stamp },
      { id: 2, name: 'S00002', partner_id: 2, date_order: '2026-02-10 09:00:00', state: 'draft', currency_id: 1, client_order_ref: 'PO-7', ...stamp },
      { id: 3, name: 'S00003', partner_id: 1, date_order: '2026-03-10 09:00:00', state: 'cancel', currency_id: 1, client_order_ref: false, ...stamp },
    ],
    'sale.order.line': [
      { id: 1, order_id: 1, product_id: false, name: 'Widget', product_uom_qty: 2, price_unit: 1050, ...stamp },
      { id: 2, order_id: 2, product_id: false, name: 'Gadget', product_uom_qty: 1, price_unit: 99, ...stamp },
    ],
  };
}

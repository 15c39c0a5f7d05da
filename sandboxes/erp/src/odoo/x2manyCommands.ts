/**
 * Odoo's x2many commands in create/write values, for one2many fields such as
 * sale.order.order_line: `[0, 0, vals]` creates a line, `[1, id, vals]` updates one,
 * `[4, id]` links an existing one. The store cannot delete, so the commands that remove
 * lines (2 delete, 3 unlink, 5 clear, 6 set) are refused with a fault that says so.
 */
import { newStruct, numberOf, type XmlRpcValue } from '../../../../lib/xmlrpc/values.js';
import { pythonError } from './exceptions.js';
import type { Orm, Pending } from './orm.js';
import { pyRepr } from './pyRepr.js';
import type { ModelStore } from './Registry.js';

const CREATE = 0;
const UPDATE = 1;
const LINK = 4;
const REMOVING: Readonly<Record<number, string>> = { 2: 'delete', 3: 'unlink', 5: 'clear', 6: 'set' };

export function applyX2manyCommands(orm: Orm, model: ModelStore, ownerId: number, name: string, value: XmlRpcValue, pending: Pending): void {
  const field = model.field(name)!;
  const comodel = orm.registry.model(field.relation!)!;
  const wrong = (): Error => pythonError('ValueError', `Wrong value for ${model.name}.${name}: ${pyRepr(value)}`);
  if (!Array.isArray(value) || field.type !== 'one2many' || !field.inverse) throw wrong();
  for (const command of value) {
    if (!Array.isArray(command) || command.length === 0) throw wrong();
    const code = numberOf(command[0]);
    const target = numberOf(command[1]);
    if (code === CREATE) {
      orm.prepareCreate(comodel, command[2] ?? newStruct(), pending, { [field.inverse]: ownerId });
    } else if (code === UPDATE && target !== undefined) {
      orm.prepareWrite(comodel, target, command[2] ?? newStruct(), pending);
    } else if (code === LINK && target !== undefined) {
      const link = newStruct();
      link[field.inverse] = ownerId;
      orm.prepareWrite(comodel, target, link, pending);
    } else if (code !== undefined && REMOVING[code]) {
      throw pythonError(
        'NotImplementedError',
        `The ERP sandbox keeps every record: command ${code} (${REMOVING[code]}) on ${model.name}.${name} is not supported; use 0 (create), 1 (update) or 4 (link)`,
      );
    } else {
      throw wrong();
    }
  }
}

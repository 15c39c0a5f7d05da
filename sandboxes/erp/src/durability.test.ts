/**
 * A sales order written through the API survives a crash: the sandbox process is
 * killed with SIGKILL and restarted on the same data file.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnService, type SpawnedService } from '../../../test/helpers/spawnService.js';
import { TEST_SCALE, executeKw, tempDir } from './testSupport.js';

describe('ERP sandbox durability', () => {
  const temp = tempDir();
  const env = { ERP_SANDBOX_PORT: '0', SANDBOX_DATA_DIR: temp.dir, SANDBOX_SCALE: TEST_SCALE };
  let service: SpawnedService | undefined;

  afterAll(async () => {
    await service?.stop();
    temp.remove();
  });

  it('reads back an order and its lines after a SIGKILL and a restart', async () => {
    service = await spawnService({ entry: 'sandboxes/erp/src/index.ts', env });
    expect(service.output()).toMatch(/\[erp sandbox\] listening on http:\/\/127\.0\.0\.1:\d+ /);
    const orderId = (await executeKw(service.url, 'sale.order', 'create', [
      {
        partner_id: 3,
        client_order_ref: 'CRASH-1',
        order_line: [
          [0, 0, { product_id: 4, product_uom_qty: 2 }],
          [0, 0, { product_id: 5, price_unit: 19.99 }],
        ],
      },
    ])) as number;
    await executeKw(service.url, 'res.partner', 'write', [[3], { email: 'after-crash@example.com' }]);
    const fields = ['name', 'client_order_ref', 'partner_id', 'amount_total', 'order_line'];
    const before = await executeKw(service.url, 'sale.order', 'read', [[orderId], fields]);
    const linesBefore = await executeKw(service.url, 'sale.order.line', 'search_read', [[['order_id', '=', orderId]]], {
      fields: ['product_id', 'product_uom_qty', 'price_unit'],
    });

    await service.kill();
    service = await spawnService({ entry: 'sandboxes/erp/src/index.ts', env });

    expect(await executeKw(service.url, 'sale.order', 'read', [[orderId], fields])).toEqual(before);
    expect(
      await executeKw(service.url, 'sale.order.line', 'search_read', [[['order_id', '=', orderId]]], {
        fields: ['product_id', 'product_uom_qty', 'price_unit'],
      }),
    ).toEqual(linesBefore);
    expect((linesBefore as unknown[]).length).toBe(2);
    expect(await executeKw(service.url, 'res.partner', 'read', [[3], ['email']])).toEqual([{ id: 3, email: 'after-crash@example.com' }]);
    // Ids keep counting from the saved records.
    expect(await executeKw(service.url, 'sale.order', 'create', [{ partner_id: 3 }])).toBe(orderId + 1);
  });
});

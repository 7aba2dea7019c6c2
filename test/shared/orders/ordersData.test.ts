import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateOrderLines } from '../../../shared/local/datagen/ordersData.js';
import { orderCodecs, orderSchema } from '../../../shared/orders/index.js';
import { ORDERS_FILE } from '../../support/orders.js';

describe('data/orders.jsonl', () => {
  it('is what scripts/data/ordersData.ts writes (regenerate it after changing the generator)', () => {
    expect(readFileSync(ORDERS_FILE, 'utf8')).toBe(`${generateOrderLines().join('\n')}\n`);
  });

  it('is the same for the same seed and differs for another', () => {
    expect(generateOrderLines({ seed: 7, count: 20 })).toEqual(generateOrderLines({ seed: 7, count: 20 }));
    expect(generateOrderLines({ seed: 8, count: 20 })).not.toEqual(
      generateOrderLines({ seed: 7, count: 20 }),
    );
  });

  it('holds 300 valid orders, one line that is not JSON and two that fail the schema', () => {
    const results = generateOrderLines().map((line) => {
      try {
        return orderSchema.safeParse(JSON.parse(line)).success ? 'valid' : 'schema';
      } catch {
        return 'not-json';
      }
    });
    expect(results.filter((r) => r === 'valid')).toHaveLength(302); // 300 in time + 2 late
    expect(results.filter((r) => r === 'schema')).toHaveLength(2);
    expect(results.filter((r) => r === 'not-json')).toHaveLength(1);
  });
});

describe('order-json codec', () => {
  const record = (value: string) => ({
    topic: 'orders',
    partition: 0,
    offset: 7,
    timestampMs: 0,
    timestampType: 'CREATE_TIME' as const,
    key: null,
    value: Buffer.from(value),
    headers: [],
  });

  it('decodes a Datagen order with its nested address', () => {
    const value = {
      ordertime: 1519084842121,
      orderid: 0,
      itemid: 'Item_315',
      orderunits: 7.26,
      address: { city: 'City_52', state: 'State_7', zipcode: 15425 },
    };
    expect(orderCodecs['order-json'].decode(record(JSON.stringify(value)))).toEqual(value);
  });

  it.each([
    ['orderunits as text', { orderunits: 'lots' }, 'orderunits'],
    ['no address.state', { address: { city: 'City_1', zipcode: 10000 } }, 'address.state'],
    ['ordertime as a datetime string', { ordertime: '2018-02-20 00:00:00' }, 'ordertime'],
  ])('rejects %s naming the field', (_name, patch, field) => {
    const value = {
      ordertime: 1,
      orderid: 1,
      itemid: 'Item_1',
      orderunits: 1,
      address: { city: 'City_1', state: 'State_1', zipcode: 10000 },
      ...patch,
    };
    expect(() => orderCodecs['order-json'].decode(record(JSON.stringify(value)))).toThrow(
      expect.objectContaining({ code: 'SCHEMA', field }),
    );
  });
});

import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { jitObject } from '../../../../shared/engine/decode/jitObject.js';
import '../../../../shared/engine/zodLocale.js';

const shape = {
  id: z.number().check(z.int()),
  name: z.string().check(z.minLength(1)),
  tip: z._default(z.nullable(z.number()), null),
  address: z.object({ city: z.string() }),
};

describe('jitObject (a zod/mini object with the compiled parser)', () => {
  describe.each([
    ['a valid value', { id: 1, name: 'a', address: { city: 'NYC' } }],
    ['unknown keys (stripped)', { id: 1, name: 'a', tip: 2, extra: true, address: { city: 'NYC', zip: 1 } }],
    ['a missing field', { name: 'a', address: { city: 'NYC' } }],
    ['wrong types and a failed check', { id: 1.5, name: '', tip: 'x', address: { city: 3 } }],
    ['not an object', 'ride'],
  ])('%s', (_label, input) => {
    it('gives exactly what z.object gives: data, or the same issues and messages', () => {
      const expected = z.object(shape).safeParse(input);

      const actual = jitObject(shape).safeParse(input);

      expect(actual.success).toBe(expected.success);
      expect(actual.data).toEqual(expected.data);
      expect(actual.error?.issues).toEqual(expected.error?.issues);
    });
  });

  it('reads English messages, naming the field', () => {
    const result = jitObject(shape).safeParse({ id: 'x', name: 'a', address: { city: 'NYC' } });

    expect(result.error?.issues[0]).toMatchObject({
      path: ['id'],
      message: 'Invalid input: expected number, received string',
    });
  });
});

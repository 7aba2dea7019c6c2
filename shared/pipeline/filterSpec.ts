/**
 * A declarative filter on a decoded value's fields: all conditions must hold. Declarative
 * (not a callback) so the CDK app can also push it down into the event-source mapping's
 * `FilterCriteria` and save invocations, and so a spec stays plain data.
 */
export interface FieldCondition {
  readonly field: string;
  readonly op: 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in';
  readonly value: string | number | boolean | ReadonlyArray<string | number>;
}

export type FilterSpec = readonly FieldCondition[];

/** True when the value passes every condition. */
export function matchesFilter(value: Record<string, unknown>, filter: FilterSpec | undefined): boolean {
  if (!filter) return true;
  for (const c of filter) {
    const v = value[c.field];
    switch (c.op) {
      case 'eq':
        if (v !== c.value) return false;
        break;
      case 'ne':
        if (v === c.value) return false;
        break;
      case 'in':
        if (!Array.isArray(c.value) || !c.value.includes(v as string | number)) return false;
        break;
      default: {
        if (typeof v !== 'number' || typeof c.value !== 'number') return false;
        if (c.op === 'gt' && !(v > c.value)) return false;
        if (c.op === 'gte' && !(v >= c.value)) return false;
        if (c.op === 'lt' && !(v < c.value)) return false;
        if (c.op === 'lte' && !(v <= c.value)) return false;
      }
    }
  }
  return true;
}

/**
 * The same filter as an event-source-mapping filter pattern on `value` (Lambda filters apply
 * to JSON values only). Returns undefined when a condition has no ESM equivalent.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
 */
export function toEsmFilterPattern(filter: FilterSpec): Record<string, unknown> | undefined {
  const value: Record<string, unknown[]> = {};
  for (const c of filter) {
    const rules = (value[c.field] ??= []);
    if (rules.length > 0) return undefined; // two conditions on one field would be OR-ed by Lambda
    const numeric: Record<string, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };
    if (c.op === 'eq') rules.push(c.value);
    else if (c.op === 'in' && Array.isArray(c.value)) rules.push(...c.value);
    else if (c.op === 'ne') rules.push({ 'anything-but': [c.value] });
    else if (numeric[c.op] && typeof c.value === 'number') rules.push({ numeric: [numeric[c.op], c.value] });
    else return undefined;
  }
  return { value };
}

import { fieldValue } from './recordFields.js';

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
    const v = fieldValue(value, c.field);
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
  const value: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (const c of filter) {
    if (seen.has(c.field)) return undefined; // two conditions on one field would be OR-ed by Lambda
    seen.add(c.field);
    // A dotted path (`address.state`) is a nested pattern, as Lambda's filter syntax nests.
    const path = c.field.split('.');
    let node = value;
    for (const part of path.slice(0, -1)) {
      const next = node[part];
      if (next !== undefined && (typeof next !== 'object' || Array.isArray(next))) return undefined;
      node = (node[part] ??= {}) as Record<string, unknown>;
    }
    const leaf = path[path.length - 1]!;
    if (node[leaf] !== undefined) return undefined;
    const rules: unknown[] = [];
    node[leaf] = rules;
    const numeric: Record<string, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };
    if (c.op === 'eq') rules.push(c.value);
    else if (c.op === 'in' && Array.isArray(c.value)) rules.push(...c.value);
    else if (c.op === 'ne') rules.push({ 'anything-but': [c.value] });
    else if (numeric[c.op] && typeof c.value === 'number') rules.push({ numeric: [numeric[c.op], c.value] });
    else return undefined;
  }
  return { value };
}

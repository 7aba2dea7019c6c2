import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';

/**
 * DynamoDB's documented request limits that dynalite does not enforce, checked here so that
 * the embedded store (every test, every local run) rejects what AWS would reject, with the
 * same error type (`ValidationException`), instead of letting a design that fails in AWS pass.
 * @see DynamoDB developer guide, "Constraints in Amazon DynamoDB" (expression parameters,
 *   items, partition and sort keys, API-specific limits) and "Item sizes and formats".
 */
export const DYNAMO_LIMITS = {
  /** Any expression string (condition, update, key condition, filter, projection), UTF-8 bytes. */
  expressionBytes: 4096,
  /** Operators and functions in one expression (the guide states it for UpdateExpression; applied to all). */
  expressionOperators: 300,
  /** One expression attribute name or value placeholder (`#name` is 5 bytes). */
  placeholderBytes: 255,
  /** Operands of one IN comparator. */
  inOperands: 100,
  /** An item, in UTF-8 (names and values). */
  itemBytes: 400 * 1024,
  partitionKeyBytes: 2048,
  sortKeyBytes: 1024,
  batchWriteRequests: 25,
  batchGetKeys: 100,
  transactActions: 100,
} as const;

/** A DynamoDB JSON attribute value as it travels over the wire (`{"S": "x"}`, `{"N": "1"}`...). */
type WireValue = Record<string, unknown>;
type WireItem = Record<string, WireValue>;

/** Key attribute names of a table: partition first, sort (if any) second. */
export interface KeyNames {
  readonly partitionKey: string;
  readonly sortKey?: string | undefined;
}

/**
 * Size of an attribute value as DynamoDB counts it: strings and binaries by their bytes,
 * numbers by about one byte per two significant digits plus one, booleans and null one byte,
 * lists and maps 3 bytes plus one per element plus their contents.
 */
export function attributeValueBytes(value: WireValue): number {
  if (typeof value.S === 'string') return Buffer.byteLength(value.S, 'utf8');
  if (typeof value.N === 'string') return numberBytes(value.N);
  if (typeof value.B === 'string') return Buffer.from(value.B, 'base64').length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (Array.isArray(value.SS)) return value.SS.reduce((n: number, s: string) => n + Buffer.byteLength(s), 0);
  if (Array.isArray(value.NS)) return value.NS.reduce((n: number, s: string) => n + numberBytes(s), 0);
  if (Array.isArray(value.BS))
    return value.BS.reduce((n: number, s: string) => n + Buffer.from(s, 'base64').length, 0);
  if (Array.isArray(value.L))
    return 3 + (value.L as WireValue[]).reduce((n, v) => n + 1 + attributeValueBytes(v), 0);
  if (value.M && typeof value.M === 'object') return 3 + itemBytes(value.M as WireItem, 1);
  return 0;
}

function numberBytes(n: string): number {
  const digits = n
    .replace(/^-/, '')
    .replace('.', '')
    .replace(/e.*$/i, '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

/** Size of an item: every attribute name's UTF-8 bytes plus its value's size. */
export function itemBytes(item: WireItem, perElementOverhead = 0): number {
  let total = 0;
  for (const [name, value] of Object.entries(item)) {
    total += Buffer.byteLength(name, 'utf8') + attributeValueBytes(value) + perElementOverhead;
  }
  return total;
}

// Comparators, logical operators, arithmetic (update expressions) and functions, each one operator.
const OPERATOR_PATTERN =
  /<>|<=|>=|[=<>+-]|\b(?:AND|OR|NOT|BETWEEN|IN)\b|\b(?:attribute_exists|attribute_not_exists|attribute_type|begins_with|contains|size|if_not_exists|list_append)\s*\(/gi;

/**
 * Operators and functions in an expression. In an update expression the `=` of `SET a = b`
 * is an assignment, not an operator (the guide's example `SET a = :v1 + :v2 + :v3` has two).
 */
export function countOperators(expression: string, isUpdate: boolean): number {
  // Placeholders (`#a-b`, `:v`) and attribute paths carry no operators.
  const text = expression.replace(/[#:][A-Za-z0-9_]+/g, 'x');
  let count = 0;
  for (const m of text.matchAll(OPERATOR_PATTERN)) {
    if (isUpdate && m[0] === '=') continue;
    count++;
  }
  return count;
}

/**
 * Every limit a request breaks, as messages; empty when AWS would accept it (as far as these
 * checks go: throughput, reserved words and the item size after an UpdateItem are not checked).
 * @param keyNamesOf the key attributes of a table, to check key lengths
 */
export function limitViolations(
  operation: string,
  request: Record<string, unknown>,
  keyNamesOf: (table: string) => KeyNames,
): string[] {
  const problems: string[] = [];
  const checkExpressions = (r: Record<string, unknown>, where: string) => {
    for (const field of [
      'ConditionExpression',
      'UpdateExpression',
      'KeyConditionExpression',
      'FilterExpression',
      'ProjectionExpression',
    ]) {
      const expression = r[field];
      if (typeof expression !== 'string') continue;
      const bytes = Buffer.byteLength(expression, 'utf8');
      if (bytes > DYNAMO_LIMITS.expressionBytes) {
        problems.push(
          `${where}${field} is ${bytes} bytes; the maximum length of an expression is ${DYNAMO_LIMITS.expressionBytes}`,
        );
      }
      const operators = countOperators(expression, field === 'UpdateExpression');
      if (operators > DYNAMO_LIMITS.expressionOperators) {
        problems.push(
          `${where}${field} has ${operators} operators or functions; at most ${DYNAMO_LIMITS.expressionOperators} are allowed`,
        );
      }
      for (const m of expression.matchAll(/\bIN\s*\(([^)]*)\)/gi)) {
        const operands = m[1]!.split(',').length;
        if (operands > DYNAMO_LIMITS.inOperands) {
          problems.push(
            `${where}${field} has an IN with ${operands} operands; at most ${DYNAMO_LIMITS.inOperands}`,
          );
        }
      }
    }
    for (const field of ['ExpressionAttributeNames', 'ExpressionAttributeValues']) {
      const placeholders = r[field];
      if (!placeholders || typeof placeholders !== 'object') continue;
      for (const placeholder of Object.keys(placeholders)) {
        if (Buffer.byteLength(placeholder, 'utf8') > DYNAMO_LIMITS.placeholderBytes) {
          problems.push(
            `${where}${field} placeholder ${placeholder.slice(0, 20)}... is longer than ${DYNAMO_LIMITS.placeholderBytes} bytes`,
          );
        }
      }
    }
  };
  const checkKey = (table: string, key: WireItem | undefined, where: string) => {
    if (!key) return;
    const names = keyNamesOf(table);
    const check = (name: string | undefined, max: number, what: string) => {
      const v = name === undefined ? undefined : key[name];
      if (!v) return;
      const bytes = attributeValueBytes(v);
      if (bytes > max) problems.push(`${where}${what} ${name} is ${bytes} bytes; at most ${max}`);
    };
    check(names.partitionKey, DYNAMO_LIMITS.partitionKeyBytes, 'partition key');
    check(names.sortKey, DYNAMO_LIMITS.sortKeyBytes, 'sort key');
  };
  const checkItem = (table: string, item: WireItem | undefined, where: string) => {
    if (!item) return;
    const bytes = itemBytes(item);
    if (bytes > DYNAMO_LIMITS.itemBytes) {
      problems.push(
        `${where}item is ${bytes} bytes (UTF-8); the maximum item size is ${DYNAMO_LIMITS.itemBytes}`,
      );
    }
    checkKey(table, item, where);
  };

  const table = String(request.TableName ?? '');
  switch (operation) {
    case 'PutItem':
      checkItem(table, request.Item as WireItem, '');
      checkExpressions(request, '');
      break;
    case 'UpdateItem':
    case 'DeleteItem':
    case 'GetItem':
      checkKey(table, request.Key as WireItem, '');
      checkExpressions(request, '');
      break;
    case 'Query':
    case 'Scan':
      checkExpressions(request, '');
      break;
    case 'BatchWriteItem': {
      const byTable = (request.RequestItems ?? {}) as Record<
        string,
        Array<Record<string, { Item?: WireItem; Key?: WireItem }>>
      >;
      const total = Object.values(byTable).reduce((n, list) => n + list.length, 0);
      if (total > DYNAMO_LIMITS.batchWriteRequests) {
        problems.push(`BatchWriteItem has ${total} requests; at most ${DYNAMO_LIMITS.batchWriteRequests}`);
      }
      for (const [t, list] of Object.entries(byTable)) {
        list.forEach((r, i) => {
          checkItem(t, r.PutRequest?.Item, `request ${i} of ${t}: `);
          checkKey(t, r.DeleteRequest?.Key, `request ${i} of ${t}: `);
        });
      }
      break;
    }
    case 'BatchGetItem': {
      const byTable = (request.RequestItems ?? {}) as Record<string, { Keys?: WireItem[] }>;
      const total = Object.values(byTable).reduce((n, r) => n + (r.Keys?.length ?? 0), 0);
      if (total > DYNAMO_LIMITS.batchGetKeys) {
        problems.push(`BatchGetItem has ${total} keys; at most ${DYNAMO_LIMITS.batchGetKeys}`);
      }
      break;
    }
    case 'TransactWriteItems':
    case 'TransactGetItems': {
      const actions = (request.TransactItems ?? []) as unknown[];
      if (actions.length > DYNAMO_LIMITS.transactActions) {
        problems.push(`${operation} has ${actions.length} actions; at most ${DYNAMO_LIMITS.transactActions}`);
      }
      break;
    }
  }
  return problems;
}

/**
 * Makes a dynalite HTTP server answer requests that break DynamoDB's limits with a
 * `ValidationException`, as AWS does, and pass every other request on unchanged.
 *
 * Written by hand: no maintained package checks DynamoDB's request limits, and dynalite
 * (the only open embedded DynamoDB that runs here) checks few of them. Key attribute names
 * are learnt from the CreateTable requests that pass through; for tables created before
 * (a persistent local store), `defaultKeyNames` applies.
 */
export function enforceDynamoLimits(server: Server, defaultKeyNames: KeyNames): void {
  const keyNames = new Map<string, KeyNames>();
  const keyNamesOf = (table: string) => keyNames.get(table) ?? defaultKeyNames;
  const handlers = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      let problems: string[] = [];
      try {
        const request = body.length > 0 ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
        if (operation === 'CreateTable') learnKeyNames(request, keyNames);
        problems = limitViolations(operation, request, keyNamesOf);
      } catch {
        // Not JSON: dynalite answers that itself.
      }
      if (problems.length > 0) {
        const payload = JSON.stringify({
          __type: 'com.amazon.coral.validate#ValidationException',
          message: `${operation}: ${problems.join('; ')}`,
        });
        res.writeHead(400, {
          'Content-Type': 'application/x-amz-json-1.0',
          'Content-Length': Buffer.byteLength(payload),
        });
        res.end(payload);
        return;
      }
      // Hand dynalite a fresh request stream carrying the body already read.
      const replay = Object.assign(new PassThrough(), {
        headers: req.headers,
        method: req.method,
        url: req.url,
        socket: req.socket,
        httpVersion: req.httpVersion,
      }) as unknown as IncomingMessage;
      for (const handler of handlers) handler(replay, res);
      (replay as unknown as PassThrough).end(body);
    });
  });
}

function learnKeyNames(request: Record<string, unknown>, into: Map<string, KeyNames>): void {
  const schema = request.KeySchema as Array<{ AttributeName: string; KeyType: string }> | undefined;
  if (!schema || typeof request.TableName !== 'string') return;
  into.set(request.TableName, {
    partitionKey: schema.find((k) => k.KeyType === 'HASH')?.AttributeName ?? '',
    sortKey: schema.find((k) => k.KeyType === 'RANGE')?.AttributeName,
  });
}

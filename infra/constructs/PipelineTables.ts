import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ALL_TABLES, OPEN_WINDOWS_INDEX, type TableDesign } from '../../shared/engine/store/tableDesign.js';

/** Properties of {@link PipelineTables}. */
export interface PipelineTablesProps {
  /** What deleting the stack does to the tables. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Refuse DeleteTable, even from CloudFormation, until turned off. @default true */
  readonly deletionProtection?: boolean;
  /** @default the designs of shared/engine/store/tableDesign.ts (aggregates, dead letters, state) */
  readonly designs?: readonly TableDesign[];
  /**
   * Tables that exist already (another stack's, or `Table.fromTableName`), used instead of
   * creating them. They must have the keys, index and TTL of the design.
   * @default every table is created here
   */
  readonly existing?: Partial<Record<TableDesign['logicalName'], dynamodb.ITable>>;
}

/**
 * The DynamoDB actions each store of the handlers sends, per table (shared/engine/store): the grant
 * names these and nothing else. A test compares them with the commands the store code imports,
 * so a new command in the store fails the build instead of failing in Lambda with AccessDenied.
 */
export const HANDLER_TABLE_ACTIONS: Readonly<Record<TableDesign['logicalName'], readonly string[]>> = {
  // DynamoAggregateStore: conditional UpdateItem, GetItem (consistent re-read), PutItem.
  // DynamoFinalWindowStore (final results): Query of the openWindows index, conditional
  // UpdateItem (close, mark), GetItem.
  // DynamoSessionRowStore: conditional PutItem of session rows, Query to read closed
  // sessions back.
  aggregates: ['dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
  // DynamoDeadLetterStore.put: BatchWriteItem of puts (its list(), Query and Scan, is CLI-only).
  deadLetters: ['dynamodb:BatchWriteItem'],
  // DynamoStreamTimeStore: BatchGetItem of the partitions' checkpoints, conditional
  // UpdateItem (a checkpoint keeps its partition's gaps beside it; recording and closing a gap).
  // DynamoReferenceTableStore: conditional PutItem of rows, BatchGetItem for lookups (its
  // list(), a Scan, is CLI-only). DynamoKeyedStateStore (enrich pins): GetItem, PutItem,
  // Query, DeleteItem.
  state: [
    'dynamodb:BatchGetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:DeleteItem',
  ],
};

/**
 * The three tables of the store, built from the same design the local store uses (keys, GSI
 * `byWindow`, TTL attribute): on-demand (the load follows Kafka traffic, which is bursty),
 * point-in-time recovery, TTL, encryption with the AWS managed key (KMS, visible in
 * CloudTrail), deletion protection and retain by default, because aggregates cannot be
 * rebuilt once the topic's retention has dropped the records.
 */
export class PipelineTables extends Construct {
  readonly tables: Readonly<Record<TableDesign['logicalName'], dynamodb.ITable>>;
  readonly designs: readonly TableDesign[];

  constructor(scope: Construct, id: string, props: PipelineTablesProps = {}) {
    super(scope, id);
    this.designs = props.designs ?? ALL_TABLES;
    const names = new Set(this.designs.map((d) => d.logicalName));
    for (const required of Object.keys(HANDLER_TABLE_ACTIONS)) {
      if (!names.has(required as TableDesign['logicalName'])) {
        throw new Error(`${this.node.path}: the design must include the ${required} table`);
      }
    }
    const tables: Partial<Record<TableDesign['logicalName'], dynamodb.ITable>> = {};
    for (const design of this.designs) {
      const given = props.existing?.[design.logicalName];
      if (given) {
        tables[design.logicalName] = given;
        continue;
      }
      const table = new dynamodb.Table(this, pascal(design.logicalName), {
        partitionKey: attribute(design.partitionKey),
        sortKey: attribute(design.sortKey),
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        timeToLiveAttribute: design.ttlAttribute,
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        deletionProtection: props.deletionProtection ?? true,
        removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      });
      for (const index of design.globalIndexes) {
        table.addGlobalSecondaryIndex({
          indexName: index.name,
          partitionKey: attribute(index.partitionKey),
          sortKey: attribute(index.sortKey),
          // Top-N queries read the window's sums and mins too, not only the key and count;
          // sparse work lists (openWindows) hold keys only (see TableDesign.projection).
          projectionType:
            index.projection === 'KEYS_ONLY'
              ? dynamodb.ProjectionType.KEYS_ONLY
              : dynamodb.ProjectionType.ALL,
        });
      }
      tables[design.logicalName] = table;
    }
    this.tables = tables as Record<TableDesign['logicalName'], dynamodb.ITable>;
  }

  /** The environment the handlers read table names from (AGGREGATES_TABLE, ...). */
  environment(): Record<string, string> {
    return Object.fromEntries(this.designs.map((d) => [d.envVar, this.tables[d.logicalName].tableName]));
  }

  /**
   * What a pipeline handler may do: {@link HANDLER_TABLE_ACTIONS} on each table, and on the
   * aggregates table's sparse `openWindows` index (final results query it; no other index).
   */
  handlerStatements(): iam.PolicyStatement[] {
    return (Object.keys(HANDLER_TABLE_ACTIONS) as Array<TableDesign['logicalName']>).map(
      (name) =>
        new iam.PolicyStatement({
          sid: `Write${pascal(name)}`,
          actions: [...HANDLER_TABLE_ACTIONS[name]],
          resources:
            name === 'aggregates'
              ? [this.tables[name].tableArn, `${this.tables[name].tableArn}/index/${OPEN_WINDOWS_INDEX}`]
              : [this.tables[name].tableArn],
        }),
    );
  }
}

function attribute(key: { name: string; type: 'S' | 'N' }): dynamodb.Attribute {
  return {
    name: key.name,
    type: key.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER,
  };
}

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { loadDeploymentConfig, parseDeploymentConfig } from '../../infra/config/index.js';
import { CLUSTER_ARN, CONFLUENT, SECRET_ARN } from './support/synth.js';

describe('parseDeploymentConfig defaults', () => {
  it('deploys MSK Serverless in a new VPC with on-demand pollers, TRIM_HORIZON and retained data', () => {
    const config = parseDeploymentConfig({});

    expect(config).toMatchObject({
      name: 'rides',
      stackName: 'KafkaLambdaStreams-rides',
      source: { mode: 'msk-serverless', natGateways: 1 },
      topics: {
        manage: true,
        partitions: 6,
        replicationFactor: -1,
        retentionMs: 7 * 24 * 3600 * 1000,
        removalPolicy: 'retain',
      },
      consumer: {
        batchSize: 1000,
        maxBatchingWindowMs: 1000,
        startingPosition: 'TRIM_HORIZON',
        consumerGroupPrefix: 'rides',
        pollers: { mode: 'on-demand' },
        retryAttempts: 10,
        bisectBatchOnError: false,
        esmFilters: true,
      },
      functions: { runtime: 'nodejs24.x', memoryMb: 1024, timeoutSeconds: 60, bundling: true },
      tables: { removalPolicy: 'retain', deletionProtection: true },
    });
    expect(config.account).toBeUndefined();
  });

  it('gives provisioned MSK topics a replication factor of 3, others the broker default', () => {
    expect(parseDeploymentConfig({ mode: 'msk', clusterArn: CLUSTER_ARN }).topics.replicationFactor).toBe(3);
    expect(parseDeploymentConfig({ ...CONFLUENT }).topics.replicationFactor).toBe(-1);
  });
});

describe('parseDeploymentConfig reads command-line strings', () => {
  it('coerces numbers, "false", and comma-separated lists', () => {
    const config = parseDeploymentConfig({
      batchSize: '500',
      esmFilters: 'false',
      deletionProtection: 'false',
      vpcId: 'vpc-0abc',
      subnetIds: 'subnet-0a, subnet-0b',
    });

    expect(config.consumer.batchSize).toBe(500);
    expect(config.consumer.esmFilters).toBe(false);
    expect(config.tables.deletionProtection).toBe(false);
    expect(config.source).toMatchObject({
      network: { vpcId: 'vpc-0abc', subnetIds: ['subnet-0a', 'subnet-0b'] },
    });
  });

  it('reads availabilityZones without vpcId as the AZs of the new MSK Serverless VPC', () => {
    const config = parseDeploymentConfig({ availabilityZones: 'eu-west-1a, eu-west-1c' });

    expect(config.source).toEqual({
      mode: 'msk-serverless',
      natGateways: 1,
      availabilityZones: ['eu-west-1a', 'eu-west-1c'],
    });
  });

  it('builds provisioned pollers from pollerMode, minPollers, maxPollers and pollerGroupName', () => {
    const config = parseDeploymentConfig({
      pollerMode: 'provisioned',
      minPollers: '2',
      maxPollers: '4',
      pollerGroupName: 'rides',
    });

    expect(config.consumer.pollers).toEqual({ mode: 'provisioned', min: 2, max: 4, groupName: 'rides' });
  });

  it('turns the enhanced mapping metrics on by default with provisioned pollers only', () => {
    expect(parseDeploymentConfig({}).consumer.esmMetrics).toBe(false);
    expect(parseDeploymentConfig({ pollerMode: 'provisioned' }).consumer.esmMetrics).toBe(true);
    expect(
      parseDeploymentConfig({ pollerMode: 'provisioned', esmMetrics: 'false' }).consumer.esmMetrics,
    ).toBe(false);
  });
});

describe('parseDeploymentConfig rejects', () => {
  it.each([
    [{ batchSize: '0' }, /batchSize: an integer from 1 to 10000/],
    [{ batchSize: 'many' }, /batchSize: an integer from 1 to 10000 \(got "many"\)/],
    [{ mode: 'kinesis' }, /mode: /],
    [{ bogusKey: 1 }, /bogusKey/],
    [{ mode: 'msk' }, /clusterArn is required for mode msk/],
    [{ mode: 'msk', clusterArn: CLUSTER_ARN, auth: 'plain' }, /MSK has no SASL\/PLAIN/],
    [
      { mode: 'msk', clusterArn: CLUSTER_ARN, auth: 'scram-512', secretArn: SECRET_ARN },
      /secretKmsKeyArn is required/,
    ],
    [
      { mode: 'msk', clusterArn: CLUSTER_ARN, vpcId: 'vpc-0abc', subnetIds: 'subnet-0a' },
      /securityGroupIds is required with vpcId for msk/,
    ],
    [{ mode: 'msk', clusterArn: CLUSTER_ARN, subnetIds: 'subnet-0a' }, /subnetIds needs vpcId/],
    [{ handlers: 'Rides_Route' }, /handlers\.0: handler names/],
    [
      { mode: 'self-managed', bootstrapServers: 'broker:9092' },
      /secretArn is required for mode self-managed/,
    ],
    [{ ...CONFLUENT, bootstrapServers: 'no-port' }, /host:port/],
    [{ ...CONFLUENT, vpcId: 'vpc-0abc', subnetIds: 'subnet-0a' }, /securityGroupIds is required with vpcId/],
    [{ secretArn: SECRET_ARN }, /secretArn is not used by mode msk-serverless/],
    [{ vpcId: 'vpc-0abc', subnetIds: 'subnet-0a' }, /at least two subnets/],
    [{ subnetIds: 'subnet-0a,subnet-0b' }, /subnetIds needs vpcId/],
    [
      { availabilityZones: 'eu-west-1a' },
      /availabilityZones: at least two distinct AZs of one region for the new VPC.*MSK Serverless needs two/,
    ],
    [
      { availabilityZones: 'eu-west-1a,eu-west-1a' },
      /availabilityZones: at least two distinct AZs.*duplicates/,
    ],
    [
      { availabilityZones: 'eu-west-1a,us-east-1b' },
      /availabilityZones: .*got AZs of eu-west-1 and us-east-1/,
    ],
    [
      { region: 'us-east-1', availabilityZones: 'eu-west-1a,eu-west-1b' },
      /availabilityZones must be AZs of region us-east-1/,
    ],
    [{ availabilityZones: 'eu-west-1' }, /availabilityZones.*an AZ such as eu-west-1a/],
    [{ ...CONFLUENT, availabilityZones: 'eu-west-1a,eu-west-1b' }, /availabilityZones needs vpcId/],
    [
      { pollerMode: 'provisioned', minPollers: 5, maxPollers: 2 },
      /minPollers \(5\) must not exceed maxPollers \(2\)/,
    ],
    [{ pollerGroupName: 'shared' }, /pollerGroupName needs pollerMode=provisioned/],
    [{ logRetentionDays: 10 }, /logRetentionDays: one of 1, 3, 7, 14, 30, 90, 365/],
    [{ sweepRateMinutes: 721 }, /sweepRateMinutes: an integer from 1 to 720/],
    [{ overdueAlarmMinutes: 0 }, /overdueAlarmMinutes: an integer from 1 to 10080/],
    [{ esmFilters: 'no' }, /esmFilters: true or false \(got "no"\)/],
    [
      { maxBatchingWindowMs: '500' },
      /maxBatchingWindowMs: whole seconds in milliseconds, 0 to 300000 \(0, 1000, 2000, \.\.\..*got 500\)/,
    ],
    [
      { esmMetrics: 'true' },
      /esmMetrics=true needs pollerMode=provisioned: Lambda takes MetricsConfig on Kafka mappings in provisioned mode only/,
    ],
    [{ maxBatchingWindowMs: 1500 }, /maxBatchingWindowMs: whole seconds in milliseconds/],
    [{ maxBatchingWindowMs: '301000' }, /maxBatchingWindowMs: an integer from 0 to 300000/],
  ])('%j naming what to fix', (raw, message) => {
    expect(() => parseDeploymentConfig(raw as Record<string, unknown>)).toThrow(message);
  });

  it('reports every problem of a config at once', () => {
    expect(() => parseDeploymentConfig({ mode: 'self-managed' })).toThrow(
      /bootstrapServers is required.*secretArn is required/,
    );
  });
});

describe('loadDeploymentConfig', () => {
  const file = (content: string) => {
    const path = join(mkdtempSync(join(tmpdir(), 'infra-config-')), 'deploy.json');
    writeFileSync(path, content);
    return path;
  };

  it('reads a JSON file given with -c config=, and context keys win over it', () => {
    const path = file(
      JSON.stringify({ mode: 'msk', clusterArn: CLUSTER_ARN, batchSize: 200, name: 'fromfile' }),
    );
    const app = new App({ context: { config: path, batchSize: '300' } });

    const config = loadDeploymentConfig(app);

    expect(config.source.mode).toBe('msk');
    expect(config.name).toBe('fromfile');
    expect(config.consumer.batchSize).toBe(300);
  });

  it('fails on a file that is not a JSON object, naming the file', () => {
    const path = file('[1, 2]');

    expect(() => loadDeploymentConfig(new App({ context: { config: path } }))).toThrow(
      /deploy.json must hold one JSON object/,
    );
  });

  it('fails on a missing file, naming it', () => {
    expect(() => loadDeploymentConfig(new App({ context: { config: '/nope/deploy.json' } }))).toThrow(
      /cannot read the config file \/nope\/deploy.json/,
    );
  });
});

import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../functions/catalog.js';
import { only, policyStatements, resourcesOf, synth } from './support/synth.js';

describe('msk-serverless mode, new VPC', () => {
  const { template } = synth({});

  it('creates an MSK Serverless cluster with IAM authentication in two private subnets', () => {
    template.resourceCountIs('AWS::MSK::ServerlessCluster', 1);
    template.hasResourceProperties('AWS::MSK::ServerlessCluster', {
      ClusterName: 'rides-kafka',
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } } },
    });
    const [, cluster] = only(resourcesOf(template, 'AWS::MSK::ServerlessCluster'));
    const [vpcConfig] = cluster.Properties.VpcConfigs as Array<{ SubnetIds: unknown[] }>;
    expect(vpcConfig?.SubnetIds).toEqual([
      { Ref: expect.stringMatching(/kafkaSubnet1/) },
      { Ref: expect.stringMatching(/kafkaSubnet2/) },
    ]);
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
  });

  it('lets the cluster security group admit itself on 9098, as the mapping’s interfaces share it', () => {
    const [clusterSgId] = only(
      resourcesOf(template, 'AWS::EC2::SecurityGroup').filter(([, r]) =>
        String(r.Properties.GroupDescription).startsWith('MSK Serverless brokers'),
      ),
    );
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [clusterSgId, 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [clusterSgId, 'GroupId'] },
      FromPort: 9098,
      ToPort: 9098,
    });
  });

  it('adds an S3 gateway endpoint (the on-failure destination must be reachable from the VPC) and flow logs', () => {
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' });
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT' });
  });

  it('maps each handler to the cluster by ARN with no secret (IAM auth)', () => {
    const mappings = resourcesOf(template, 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(catalog.handlers.length);
    for (const [, m] of mappings) {
      expect(m.Properties.EventSourceArn).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^KafkaCluster/), 'Arn'],
      });
      expect(m.Properties.SourceAccessConfigurations).toBeUndefined();
    }
  });

  it('creates the topic through the topic-admin custom resource with IAM auth and the cluster ARN', () => {
    template.hasResourceProperties('Custom::KafkaTopic', {
      TopicName: 'rides',
      Partitions: 6,
      ReplicationFactor: -1,
      Configs: { 'retention.ms': '604800000' },
      RemovalPolicy: 'retain',
      Auth: 'aws-iam',
      ClusterArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KafkaCluster'), 'Arn'] },
    });
    template.resourceCountIs('AWS::MSK::Topic', 0);
  });

  it('runs the topic admin inside the cluster VPC with its own security group', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('Kafka topics for CloudFormation'),
      VpcConfig: { SubnetIds: Match.anyValue(), SecurityGroupIds: Match.anyValue() },
    });
  });

  it('starts each mapping only after its topic exists and its role has its permissions', () => {
    for (const [, m] of resourcesOf(template, 'AWS::Lambda::EventSourceMapping')) {
      const [topic] = m.Properties.Topics as string[];
      expect(m.DependsOn).toEqual(
        expect.arrayContaining([
          // Logical ids keep letters and digits only (pickup-locations: KafkaTopicpickuplocations...).
          expect.stringMatching(`^KafkaTopic${topic!.replace(/[^A-Za-z0-9]/g, '')}`),
          expect.stringMatching(/Policy/),
        ]),
      );
    }
  });

  it('scopes kafka-cluster permissions to the rides topic and the handler’s own consumer group', () => {
    const statements = Object.fromEntries(
      policyStatements(template, 'RidesCountByDropoffPolicy').map((s) => [s.Sid as string, s]),
    );
    const flat = (sid: string) => JSON.stringify(statements[sid]?.Resource);

    expect(statements.ReadTopic?.Action).toEqual(['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData']);
    expect(flat('ReadTopic')).toMatch(/:topic\/".*"\/rides"/);
    expect(statements.UseConsumerGroup?.Action).toEqual([
      'kafka-cluster:DescribeGroup',
      'kafka-cluster:AlterGroup',
    ]);
    expect(flat('UseConsumerGroup')).toMatch(/:group\/".*"\/rides-rides-count-by-dropoff"/);
    expect(flat('ConnectToCluster')).toMatch(/KafkaCluster.*Arn/);
    expect(JSON.stringify(statements)).not.toMatch(/kafka-cluster:\*|"kafka:\*"/);
  });
});

describe('msk-serverless mode without NAT', () => {
  it('replaces the NAT gateway with Lambda, STS and MSK interface endpoints', () => {
    const { template } = synth({ natGateways: 0 });

    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    const endpoints = resourcesOf(template, 'AWS::EC2::VPCEndpoint').filter(
      ([, r]) => r.Properties.VpcEndpointType === 'Interface',
    );
    const services = endpoints.map(([, r]) => JSON.stringify(r.Properties.ServiceName));
    expect(services).toHaveLength(3);
    for (const service of ['lambda', 'sts', 'kafka']) expect(services.join()).toContain(`.${service}"`);
  });

  it('creates the topic and the mappings only once the endpoints they call through exist', () => {
    const { template } = synth({ natGateways: 0 });
    const endpointIds = resourcesOf(template, 'AWS::EC2::VPCEndpoint').map(([id]) => id);

    for (const [id, r] of [
      ...resourcesOf(template, 'Custom::KafkaTopic'),
      ...resourcesOf(template, 'AWS::Lambda::EventSourceMapping'),
    ]) {
      expect(r.DependsOn, id).toEqual(expect.arrayContaining(endpointIds));
    }
  });
});

describe('msk-serverless mode in an existing VPC', () => {
  it('creates no VPC and places the cluster in the given subnets', () => {
    const { template } = synth({
      vpcId: 'vpc-0abc1234',
      subnetIds: 'subnet-0aa,subnet-0bb',
      securityGroupIds: 'sg-0123abcd',
    });

    template.resourceCountIs('AWS::EC2::VPC', 0);
    template.hasResourceProperties('AWS::MSK::ServerlessCluster', {
      VpcConfigs: [
        { SubnetIds: ['subnet-0aa', 'subnet-0bb'], SecurityGroups: Match.arrayWith(['sg-0123abcd']) },
      ],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', { VpcId: 'vpc-0abc1234' });
  });
});

describe('msk-serverless mode, new VPC in chosen availability zones', () => {
  it('places the VPC’s subnets, and so the cluster, in the AZs given with availabilityZones', () => {
    const { template } = synth({ availabilityZones: 'eu-west-1a,eu-west-1c' });

    const kafkaSubnets = resourcesOf(template, 'AWS::EC2::Subnet').filter(([id]) => /kafkaSubnet/.test(id));
    expect(kafkaSubnets.map(([, s]) => s.Properties.AvailabilityZone)).toEqual(['eu-west-1a', 'eu-west-1c']);
    const [, cluster] = only(resourcesOf(template, 'AWS::MSK::ServerlessCluster'));
    const [vpcConfig] = cluster.Properties.VpcConfigs as Array<{ SubnetIds: Array<{ Ref: string }> }>;
    expect(vpcConfig?.SubnetIds.map((s) => s.Ref).sort()).toEqual(kafkaSubnets.map(([id]) => id).sort());
  });

  it('takes the region’s first two AZs by default, resolved at deploy time', () => {
    const { template } = synth({});

    const kafkaSubnets = resourcesOf(template, 'AWS::EC2::Subnet').filter(([id]) => /kafkaSubnet/.test(id));
    expect(kafkaSubnets.map(([, s]) => s.Properties.AvailabilityZone)).toEqual([
      { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
      { 'Fn::Select': [1, { 'Fn::GetAZs': '' }] },
    ]);
  });
});

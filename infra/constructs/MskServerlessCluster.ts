import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as msk from 'aws-cdk-lib/aws-msk';
import { Construct, DependencyGroup, type IDependable } from 'constructs';
import type { ExistingNetwork } from '../config/index.js';
import { importNetwork } from '../lib/existingNetwork.js';
import { type MskArns, mskArns } from '../lib/mskArns.js';
import { mskIamConsumerStatements, mskIamProducerStatements } from '../lib/mskStatements.js';
import { acknowledge } from '../lib/nag.js';
import { KafkaTopic } from './KafkaTopic.js';
import type { IKafkaSource, KafkaMappingSource, KafkaProducerAccess, TopicSettings } from './kafkaSource.js';
import { MskBootstrapBrokers } from './MskBootstrapBrokers.js';
import { TopicAdminProvider } from './TopicAdminProvider.js';

/** The SASL/IAM listener of MSK (provisioned and serverless). */
export const MSK_IAM_PORT = 9098;

/** Properties of {@link MskServerlessCluster}. */
export interface MskServerlessClusterProps {
  /** 1-64 of letters, digits and dashes. */
  readonly clusterName: string;
  /** An existing VPC to place the cluster in. @default a new VPC */
  readonly network?: ExistingNetwork;
  /**
   * The AZs of the new VPC (not with `network`): at least two, as MSK Serverless requires.
   * @default the stack's first two AZs (`maxAzs: 2`; tokens in an env-agnostic stack)
   */
  readonly availabilityZones?: readonly string[];
  /**
   * NAT gateways of the new VPC (ignored with `network`). 0 replaces them with interface
   * endpoints for Lambda, STS and MSK, which the on-demand event-source mapping and the topic
   * admin call from inside the VPC.
   * @default 1
   */
  readonly natGateways?: number;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Runtime of the topic-admin function. @default lambda.Runtime.NODEJS_24_X */
  readonly runtime?: lambda.Runtime;
}

/**
 * An MSK Serverless cluster with IAM authentication, its network, and the topic admin that
 * creates topics on it (CloudFormation's AWS::MSK::Topic does not support serverless clusters).
 *
 * Network: brokers and the event-source mapping's interfaces share one security group that
 * admits itself on 9098 (Lambda's documented requirement); the topic admin and the functions
 * that write topics each have their own group, admitted by the cluster's. A new VPC gets
 * private subnets in two AZs, free S3 and DynamoDB gateway endpoints (the mapping's on-failure
 * destination, and the tables of producing functions, which run in these subnets), reject-only
 * flow logs, and NAT or interface endpoints for the AWS APIs the mapping calls.
 */
export class MskServerlessCluster extends Construct implements IKafkaSource {
  readonly kind = 'msk' as const;
  readonly cluster: msk.CfnServerlessCluster;
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.ISubnet[];
  /** Brokers and the mapping's network interfaces. */
  readonly clusterSecurityGroup: ec2.SecurityGroup;
  /** The topic-admin function. */
  readonly adminSecurityGroup: ec2.SecurityGroup;
  /** Functions that write topics; created with the first of them. */
  private producerGroup?: ec2.SecurityGroup;
  private brokerLookup?: MskBootstrapBrokers;
  readonly arns: MskArns;
  /** The new VPC's NAT routes or interface endpoints; topics and mappings wait for them. */
  readonly ready = new DependencyGroup();
  private readonly logRetention: logs.RetentionDays;
  private readonly runtime?: lambda.Runtime;
  private admin?: { provider: TopicAdminProvider; manageTopics: iam.PolicyStatement };

  constructor(scope: Construct, id: string, props: MskServerlessClusterProps) {
    super(scope, id);
    if (!/^[a-zA-Z0-9-]{1,64}$/.test(props.clusterName)) {
      throw new Error(
        `${this.node.path}: clusterName "${props.clusterName}" must be 1-64 letters, digits or dashes`,
      );
    }
    const natGateways = props.natGateways ?? 1;
    if (!Number.isInteger(natGateways) || natGateways < 0 || natGateways > 3) {
      throw new Error(`${this.node.path}: natGateways must be 0 to 3, got ${natGateways}`);
    }
    if (props.network && props.network.subnetIds.length < 2) {
      throw new Error(`${this.node.path}: MSK Serverless needs at least two subnets in different AZs`);
    }
    const azs = props.availabilityZones;
    if (azs && props.network) {
      throw new Error(
        `${this.node.path}: availabilityZones is for the new VPC; an existing network brings its own`,
      );
    }
    if (azs && (azs.length < 2 || new Set(azs).size !== azs.length)) {
      throw new Error(
        `${this.node.path}: availabilityZones needs at least two distinct AZs (MSK Serverless spans two), got ${azs.join(',')}`,
      );
    }
    this.logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    this.runtime = props.runtime;

    if (props.network) {
      const imported = importNetwork(this, props.network);
      this.vpc = imported.vpc;
      this.subnets = imported.subnets;
    } else {
      const vpc = this.createVpc(natGateways, azs);
      this.vpc = vpc;
      const selection = vpc.selectSubnets({ subnetGroupName: 'kafka' });
      this.subnets = selection.subnets;
      this.ready.add(selection.internetConnectivityEstablished);
    }

    this.clusterSecurityGroup = new ec2.SecurityGroup(this, 'ClusterSecurityGroup', {
      vpc: this.vpc,
      description: 'MSK Serverless brokers and the Lambda event-source mapping interfaces',
      allowAllOutbound: false,
    });
    // The mapping's interfaces use this same group: it must admit itself on the IAM listener.
    this.clusterSecurityGroup.addIngressRule(
      this.clusterSecurityGroup,
      ec2.Port.tcp(MSK_IAM_PORT),
      'Kafka IAM from mapping',
    );
    this.clusterSecurityGroup.addEgressRule(
      this.clusterSecurityGroup,
      ec2.Port.tcp(MSK_IAM_PORT),
      'Kafka IAM to brokers',
    );
    this.clusterSecurityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'AWS APIs (Lambda, STS) via NAT or endpoints',
    );

    this.adminSecurityGroup = new ec2.SecurityGroup(this, 'AdminSecurityGroup', {
      vpc: this.vpc,
      description: 'Kafka topic admin custom resource',
      allowAllOutbound: false,
    });
    this.adminSecurityGroup.addEgressRule(
      this.clusterSecurityGroup,
      ec2.Port.tcp(MSK_IAM_PORT),
      'Kafka IAM to brokers',
    );
    this.adminSecurityGroup.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'MSK GetBootstrapBrokers API',
    );
    this.clusterSecurityGroup.addIngressRule(
      this.adminSecurityGroup,
      ec2.Port.tcp(MSK_IAM_PORT),
      'Kafka IAM from topic admin',
    );

    this.cluster = new msk.CfnServerlessCluster(this, 'Cluster', {
      clusterName: props.clusterName,
      clientAuthentication: { sasl: { iam: { enabled: true } } },
      vpcConfigs: [
        {
          subnetIds: this.subnets.map((s) => s.subnetId),
          securityGroups: [
            this.clusterSecurityGroup.securityGroupId,
            ...(props.network?.securityGroupIds ?? []),
          ],
        },
      ],
    });
    this.arns = mskArns(this, this.cluster.attrArn);
  }

  get mappingSource(): KafkaMappingSource {
    // IAM auth: no SourceAccessConfigurations; Lambda uses IAM when the mapping names no secret.
    return { eventSourceArn: this.cluster.attrArn, sourceAccessConfigurations: [] };
  }

  consumerStatements(topic: string, consumerGroupId: string): iam.PolicyStatement[] {
    return mskIamConsumerStatements(this, this.arns, topic, consumerGroupId);
  }

  producerAccess(topics: readonly string[]): KafkaProducerAccess {
    this.brokerLookup ??= new MskBootstrapBrokers(this, 'BootstrapBrokers', {
      clusterArn: this.cluster.attrArn,
      listener: 'BootstrapBrokerStringSaslIam',
      logRetention: this.logRetention,
    });
    return {
      environment: { KAFKA_BROKERS: this.brokerLookup.brokers, KAFKA_AUTH: 'aws-iam' },
      statements: mskIamProducerStatements(this.arns, topics),
      network: { vpc: this.vpc, subnets: this.subnets, securityGroups: [this.producerSecurityGroup()] },
    };
  }

  /**
   * One group for every producing function: out to the brokers on 9098 (the cluster's group
   * admits it) and to 443 for DynamoDB (gateway endpoint or NAT). The MSK IAM token is signed
   * locally from the function's credentials: no STS or MSK API call.
   */
  private producerSecurityGroup(): ec2.SecurityGroup {
    if (this.producerGroup) return this.producerGroup;
    const group = new ec2.SecurityGroup(this, 'ProducerSecurityGroup', {
      vpc: this.vpc,
      description: 'Lambda functions that write Kafka topics',
      allowAllOutbound: false,
    });
    group.addEgressRule(this.clusterSecurityGroup, ec2.Port.tcp(MSK_IAM_PORT), 'Kafka IAM to brokers');
    group.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'DynamoDB via gateway endpoint or NAT');
    this.clusterSecurityGroup.addIngressRule(group, ec2.Port.tcp(MSK_IAM_PORT), 'Kafka IAM from producers');
    this.producerGroup = group;
    return group;
  }

  addTopic(id: string, settings: TopicSettings): IDependable {
    this.topicAdmin().manageTopics.addResources(this.arns.topic(settings.name));
    const topic = new KafkaTopic(this, id, {
      ...settings,
      provider: this.topicAdmin().provider,
      cluster: { clusterArn: this.cluster.attrArn, auth: 'aws-iam' },
    });
    // The admin calls the MSK API (GetBootstrapBrokers) through NAT or the endpoint.
    topic.node.addDependency(this.ready);
    return topic;
  }

  /** The topic admin runs in the cluster's subnets; created with the first topic. */
  private topicAdmin(): { provider: TopicAdminProvider; manageTopics: iam.PolicyStatement } {
    if (this.admin) return this.admin;
    // Grows with each addTopic: the admin may touch the declared topics and no other.
    const manageTopics = new iam.PolicyStatement({
      sid: 'ManageDeclaredTopics',
      actions: [
        'kafka-cluster:CreateTopic',
        'kafka-cluster:DescribeTopic',
        'kafka-cluster:AlterTopic',
        'kafka-cluster:DeleteTopic',
        'kafka-cluster:DescribeTopicDynamicConfiguration',
        'kafka-cluster:AlterTopicDynamicConfiguration',
      ],
    });
    const provider = new TopicAdminProvider(this, 'TopicAdmin', {
      vpc: this.vpc,
      vpcSubnets: { subnets: this.subnets },
      securityGroups: [this.adminSecurityGroup],
      logRetention: this.logRetention,
      ...(this.runtime ? { runtime: this.runtime } : {}),
      statements: [
        new iam.PolicyStatement({
          sid: 'FindBrokers',
          actions: ['kafka:GetBootstrapBrokers'],
          resources: [this.arns.cluster],
        }),
        new iam.PolicyStatement({
          sid: 'ConnectToCluster',
          actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster'],
          resources: [this.arns.cluster],
        }),
        manageTopics,
      ],
    });
    this.admin = { provider, manageTopics };
    return this.admin;
  }

  private createVpc(natGateways: number, availabilityZones?: readonly string[]): ec2.Vpc {
    const vpc = new ec2.Vpc(this, 'Vpc', {
      // The CDK takes either a list of AZs or a count, not both.
      ...(availabilityZones ? { availabilityZones: [...availabilityZones] } : { maxAzs: 2 }),
      natGateways,
      subnetConfiguration: [
        ...(natGateways > 0 ? [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }] : []),
        {
          name: 'kafka',
          subnetType: natGateways > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED,
          cidrMask: 22,
        },
      ],
      // Nothing here uses the default security group; locking it down would take one more
      // custom-resource Lambda in the stack.
      restrictDefaultSecurityGroup: false,
    });
    // Free, and required: the mapping's on-failure destination must be reachable from the VPC.
    this.ready.add(vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 }));
    // Free too: functions that write topics run in these subnets and use the tables; without
    // NAT this is their only way to DynamoDB, with NAT it saves the NAT's per-GB charge.
    this.ready.add(
      vpc.addGatewayEndpoint('DynamoDb', { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB }),
    );
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      retention: this.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    vpc.addFlowLog('RejectedTraffic', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });
    if (natGateways === 0) {
      // Without NAT, the on-demand mapping reaches Lambda and STS, and the topic admin reaches
      // the MSK API, through interface endpoints (about $7/month per endpoint per AZ).
      for (const [name, service] of [
        ['Lambda', ec2.InterfaceVpcEndpointAwsService.LAMBDA],
        ['Sts', ec2.InterfaceVpcEndpointAwsService.STS],
        ['Kafka', ec2.InterfaceVpcEndpointAwsService.KAFKA],
      ] as const) {
        this.ready.add(vpc.addInterfaceEndpoint(name, { service, subnets: { subnetGroupName: 'kafka' } }));
      }
    }
    acknowledge(
      vpc,
      'AwsSolutions-EC23',
      'Only interface endpoints are open, and only to the VPC CIDR (CDK default); nothing admits 0.0.0.0/0.',
    );
    return vpc;
  }
}

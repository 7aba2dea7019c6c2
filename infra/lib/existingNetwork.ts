import { Annotations, Fn } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import type { ExistingNetwork } from '../config/index.js';

/** An existing VPC, its subnets and security groups, imported by id. */
export interface ImportedNetwork {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.ISubnet[];
  readonly securityGroups: ec2.ISecurityGroup[];
}

/**
 * Imports a VPC by ids only, never with `Vpc.fromLookup`, so `cdk synth` needs no credentials
 * and the template does not depend on what an account looked like at synth time. Without
 * given AZs each subnet gets a token AZ; nothing in this app reads a subnet's AZ or route table.
 */
export function importNetwork(scope: Construct, network: ExistingNetwork): ImportedNetwork {
  const azs = network.availabilityZones ?? network.subnetIds.map((_, i) => Fn.select(i, Fn.getAzs()));
  const vpc = ec2.Vpc.fromVpcAttributes(scope, 'Vpc', { vpcId: network.vpcId, availabilityZones: [...azs] });
  const subnets = network.subnetIds.map((subnetId, i) => {
    const subnet = ec2.Subnet.fromSubnetAttributes(scope, `Subnet${i}`, {
      subnetId,
      availabilityZone: azs[i],
    });
    Annotations.of(subnet).acknowledgeWarning(
      '@aws-cdk/aws-ec2:noSubnetRouteTableId',
      'Imported by id; the stack never reads the route table of an imported subnet.',
    );
    return subnet;
  });
  const securityGroups = network.securityGroupIds.map((id, i) =>
    ec2.SecurityGroup.fromSecurityGroupId(scope, `SecurityGroup${i}`, id, { mutable: false }),
  );
  return { vpc, subnets, securityGroups };
}

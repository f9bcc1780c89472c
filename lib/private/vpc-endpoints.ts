import { Lazy, Names, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct, IConstruct } from 'constructs';

const ID_PREFIX = 'ImageClassifierVpcEndpoints';

/**
 * The VPC endpoints the classifiers of one stack use in one VPC: an S3 gateway endpoint and a SageMaker Runtime
 * interface endpoint with private DNS. One set per VPC and stack, created in the classifiers' stack (never inside the
 * VPC construct, which may belong to another stack): a VPC takes only one interface endpoint per service with private
 * DNS, and a route table only one gateway route per service, so a second set in the same VPC would fail to deploy.
 *
 * Two stacks that would each create a set for the same VPC are refused at synth; one of them passes the other's
 * endpoint as `sageMakerRuntimeEndpoint` instead.
 */
export class ClassifierVpcEndpoints extends Construct {
  /** The set for `vpc` in `scope`'s stack, created on first use; `subnets` are the calling classifier's. */
  public static of(scope: IConstruct, vpc: ec2.IVpc, subnets: ec2.SubnetSelection): ClassifierVpcEndpoints {
    const stack = Stack.of(scope);
    const id = `${ID_PREFIX}${Names.nodeUniqueId(vpc.node)}`;
    const existing = stack.node.tryFindChild(id) as ClassifierVpcEndpoints | undefined;
    const endpoints = existing ?? new ClassifierVpcEndpoints(stack, id, vpc, subnets);
    endpoints.routeSubnets(subnets);
    return endpoints;
  }

  /** The S3 gateway endpoint (free): training data, the function's reads. */
  public readonly s3: ec2.GatewayVpcEndpoint;
  /** The SageMaker Runtime interface endpoint (billed per hour and AZ): the function's calls to the endpoint. */
  public readonly sageMakerRuntime: ec2.InterfaceVpcEndpoint;

  private readonly vpc: ec2.IVpc;
  private readonly routeTableIds = new Set<string>();

  private constructor(scope: Construct, id: string, vpc: ec2.IVpc, subnets: ec2.SubnetSelection) {
    super(scope, id);
    this.vpc = vpc;
    this.s3 = new ec2.GatewayVpcEndpoint(this, 'S3', { vpc, service: ec2.GatewayVpcEndpointAwsService.S3, subnets: [subnets] });
    // The route tables of every classifier's subnets, not only the first one's.
    (this.s3.node.defaultChild as ec2.CfnVPCEndpoint).routeTableIds = Lazy.list({ produce: () => [...this.routeTableIds] });
    this.sageMakerRuntime = new ec2.InterfaceVpcEndpoint(this, 'SageMakerRuntime', {
      vpc,
      service: ec2.InterfaceVpcEndpointAwsService.SAGEMAKER_RUNTIME,
      subnets,
      privateDnsEnabled: true,
      // Only the inference functions call the endpoint: HTTPS from their security groups, not from the whole VPC CIDR.
      open: false,
    });
    this.node.addValidation({ validate: () => this.conflicts() });
  }

  private routeSubnets(subnets: ec2.SubnetSelection): void {
    for (const subnet of this.vpc.selectSubnets(subnets).subnets) {
      if (subnet.routeTable?.routeTableId !== undefined) this.routeTableIds.add(subnet.routeTable.routeTableId);
    }
  }

  /** Another stack's set for the same VPC: both would deploy an endpoint with the same private DNS name. */
  private conflicts(): string[] {
    const others = this.node.root.node.findAll()
      .filter((construct): construct is ClassifierVpcEndpoints => construct instanceof ClassifierVpcEndpoints
        && construct !== this && construct.vpc === this.vpc && Stack.of(construct) !== Stack.of(this));
    return others.map((other) => `VPC ${this.vpc.node.path} would get VPC endpoints from two stacks, ${this.node.path} `
      + `and ${other.node.path}, and it takes only one SageMaker Runtime endpoint with private DNS: give the classifiers `
      + 'of one of the stacks sageMakerRuntimeEndpoint: <a classifier of the other>.sageMakerRuntimeEndpoint');
  }
}

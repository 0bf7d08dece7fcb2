"""Network: the environment's VPC, subnets per AZ, egress, flow logs and private AWS endpoints.

Three subnet tiers per availability zone:

- ``public``: load balancers and NAT gateways only; routes to the internet gateway;
- ``private``: EKS nodes and pods; egress through a NAT gateway;
- ``isolated``: the database; no route to or from the internet at all.

No subnet assigns public IPs on launch, the VPC's default security group is emptied,
all traffic is recorded in flow logs encrypted with the logs key, and AWS APIs the
cluster needs (ECR, STS, KMS, CloudWatch Logs, S3) are reached through VPC endpoints.
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from ..component import child_opts, token
from ..context import Context
from .args import NetworkArgs

MAX_AZS = 4
"""The carving below makes four slots per tier, so at most four AZs."""

INTERFACE_ENDPOINT_SERVICES: tuple[str, ...] = ("ecr.api", "ecr.dkr", "sts", "kms", "logs")
"""AWS services reached through interface endpoints: image pulls, IRSA token exchange, encryption, logs."""

HTTPS = 443


@dataclass(frozen=True)
class SubnetCidrs:
    """The three subnet CIDRs of one availability zone."""

    public: ipaddress.IPv4Network
    private: ipaddress.IPv4Network
    isolated: ipaddress.IPv4Network


def carve_subnets(vpc: ipaddress.IPv4Network, az_count: int) -> list[SubnetCidrs]:
    """Deterministic subnet CIDRs for ``az_count`` zones of a VPC ``/N``.

    The first half holds four private ``/N+3`` slots (pods take most addresses), the third
    quarter four public ``/N+4`` slots and the fourth quarter four isolated ``/N+4`` slots.
    Slot ``i`` belongs to zone ``i``; unused slots stay free, so adding a zone later never
    moves an existing subnet.
    """
    if not 1 <= az_count <= MAX_AZS:
        raise ValueError(f"az_count must be 1 to {MAX_AZS} (the layout has {MAX_AZS} slots per tier); got {az_count}")
    if vpc.prefixlen > 24:
        raise ValueError(f"{vpc} is too small to carve: public and isolated subnets would be smaller than /28")
    first_half = next(vpc.subnets(prefixlen_diff=1))
    quarters = list(vpc.subnets(prefixlen_diff=2))
    private = list(first_half.subnets(prefixlen_diff=2))
    public = list(quarters[2].subnets(prefixlen_diff=2))
    isolated = list(quarters[3].subnets(prefixlen_diff=2))
    return [SubnetCidrs(public=public[i], private=private[i], isolated=isolated[i]) for i in range(az_count)]


class Network(pulumi.ComponentResource):
    """A VPC with public, private and isolated subnets per AZ, NAT egress, flow logs and VPC endpoints."""

    vpc: aws.ec2.Vpc
    vpc_id: pulumi.Output[str]
    vpc_cidr: str
    public_subnets: list[aws.ec2.Subnet]
    private_subnets: list[aws.ec2.Subnet]
    isolated_subnets: list[aws.ec2.Subnet]
    public_subnet_ids: list[pulumi.Output[str]]
    private_subnet_ids: list[pulumi.Output[str]]
    isolated_subnet_ids: list[pulumi.Output[str]]
    private_route_table_ids: list[pulumi.Output[str]]
    isolated_route_table_id: pulumi.Output[str]
    nat_gateway_count: int
    endpoint_security_group: aws.ec2.SecurityGroup
    endpoint_security_group_id: pulumi.Output[str]
    flow_log_group: aws.cloudwatch.LogGroup
    flow_log_group_arn: pulumi.Output[str]

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(token("network", "Network"), name, None, opts)
        ctx = args.context
        settings = args.settings
        zones = list(args.availability_zones)
        cidrs = carve_subnets(settings.cidr, len(zones))
        self.vpc_cidr = str(settings.cidr)

        self.vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=self.vpc_cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags=ctx.tags(Name=ctx.name("vpc")),
            opts=child_opts(self),
        )
        self.vpc_id = self.vpc.id

        # The default security group is attached to anything launched without one; emptying it
        # means such a resource can talk to nothing instead of to everything else in the group.
        aws.ec2.DefaultSecurityGroup(
            f"{name}-default-sg",
            vpc_id=self.vpc.id,
            tags=ctx.tags(Name=ctx.name("default-locked")),
            opts=child_opts(self),
        )

        self.public_subnets, self.private_subnets, self.isolated_subnets = [], [], []
        for i, (zone, cidr) in enumerate(zip(zones, cidrs, strict=True)):
            self.public_subnets.append(self._subnet(name, "public", i, zone, cidr.public, ctx, {"kubernetes.io/role/elb": "1"}))
            self.private_subnets.append(
                self._subnet(name, "private", i, zone, cidr.private, ctx, {"kubernetes.io/role/internal-elb": "1"})
            )
            self.isolated_subnets.append(self._subnet(name, "isolated", i, zone, cidr.isolated, ctx, {}))
        self.public_subnet_ids = [s.id for s in self.public_subnets]
        self.private_subnet_ids = [s.id for s in self.private_subnets]
        self.isolated_subnet_ids = [s.id for s in self.isolated_subnets]

        # Public tier: one route table, default route to the internet gateway.
        igw = aws.ec2.InternetGateway(
            f"{name}-igw",
            vpc_id=self.vpc.id,
            tags=ctx.tags(Name=ctx.name("igw")),
            opts=child_opts(self),
        )
        public_rt = aws.ec2.RouteTable(
            f"{name}-public-rt",
            vpc_id=self.vpc.id,
            tags=ctx.tags(Name=ctx.name("public"), tier="public"),
            opts=child_opts(self),
        )
        aws.ec2.Route(
            f"{name}-public-internet-route",
            route_table_id=public_rt.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=igw.id,
            opts=child_opts(self),
        )
        for i, subnet in enumerate(self.public_subnets):
            aws.ec2.RouteTableAssociation(
                f"{name}-public-rta-{i}", subnet_id=subnet.id, route_table_id=public_rt.id, opts=child_opts(self)
            )

        # NAT gateways in the public subnets: one per AZ, or one in AZ 0.
        nat_zones = range(len(zones)) if settings.nat_gateways == "perAz" else range(1)
        nats: list[aws.ec2.NatGateway] = []
        for i in nat_zones:
            eip = aws.ec2.Eip(
                f"{name}-nat-eip-{i}",
                domain="vpc",
                tags=ctx.tags(Name=ctx.name("nat", zones[i])),
                opts=child_opts(self, depends_on=[igw]),
            )
            nats.append(
                aws.ec2.NatGateway(
                    f"{name}-nat-{i}",
                    allocation_id=eip.id,
                    subnet_id=self.public_subnets[i].id,
                    connectivity_type="public",
                    tags=ctx.tags(Name=ctx.name("nat", zones[i])),
                    opts=child_opts(self, depends_on=[igw]),
                )
            )
        self.nat_gateway_count = len(nats)

        # Private tier: a route table per AZ, default route to that AZ's NAT (or the single one).
        private_rts: list[aws.ec2.RouteTable] = []
        for i, subnet in enumerate(self.private_subnets):
            rt = aws.ec2.RouteTable(
                f"{name}-private-rt-{i}",
                vpc_id=self.vpc.id,
                tags=ctx.tags(Name=ctx.name("private", zones[i]), tier="private"),
                opts=child_opts(self),
            )
            aws.ec2.Route(
                f"{name}-private-nat-route-{i}",
                route_table_id=rt.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=nats[i if len(nats) > 1 else 0].id,
                opts=child_opts(self),
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-rta-{i}", subnet_id=subnet.id, route_table_id=rt.id, opts=child_opts(self)
            )
            private_rts.append(rt)
        self.private_route_table_ids = [rt.id for rt in private_rts]

        # Isolated tier: one route table with only the implicit local route (and the S3 prefix list).
        isolated_rt = aws.ec2.RouteTable(
            f"{name}-isolated-rt",
            vpc_id=self.vpc.id,
            tags=ctx.tags(Name=ctx.name("isolated"), tier="isolated"),
            opts=child_opts(self),
        )
        for i, subnet in enumerate(self.isolated_subnets):
            aws.ec2.RouteTableAssociation(
                f"{name}-isolated-rta-{i}", subnet_id=subnet.id, route_table_id=isolated_rt.id, opts=child_opts(self)
            )
        self.isolated_route_table_id = isolated_rt.id

        self._flow_logs(name, args, ctx)
        self._endpoints(name, ctx, [rt.id for rt in private_rts] + [isolated_rt.id])

        outputs: dict[str, Any] = {
            "vpc_id": self.vpc_id,
            "vpc_cidr": self.vpc_cidr,
            "public_subnet_ids": self.public_subnet_ids,
            "private_subnet_ids": self.private_subnet_ids,
            "isolated_subnet_ids": self.isolated_subnet_ids,
            "private_route_table_ids": self.private_route_table_ids,
            "isolated_route_table_id": self.isolated_route_table_id,
            "nat_gateway_count": self.nat_gateway_count,
            "endpoint_security_group_id": self.endpoint_security_group_id,
            "flow_log_group_arn": self.flow_log_group_arn,
        }
        self.register_outputs(outputs)

    def _subnet(
        self,
        name: str,
        tier: str,
        index: int,
        zone: str,
        cidr: ipaddress.IPv4Network,
        ctx: Context,
        role_tags: dict[str, str],
    ) -> aws.ec2.Subnet:
        return aws.ec2.Subnet(
            f"{name}-{tier}-{index}",
            vpc_id=self.vpc.id,
            cidr_block=str(cidr),
            availability_zone=zone,
            map_public_ip_on_launch=False,
            tags=ctx.tags(Name=ctx.name(tier, zone), tier=tier, **role_tags),
            opts=child_opts(self),
        )

    def _flow_logs(self, name: str, args: NetworkArgs, ctx: Context) -> None:
        """Flow logs of all traffic into an encrypted log group, delivered by a role only VPC Flow Logs can assume."""
        self.flow_log_group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs",
            name=ctx.name("vpc-flow-logs"),
            retention_in_days=args.settings.flow_log_retention_days,
            kms_key_id=args.logs_key_arn,
            tags=ctx.tags(Name=ctx.name("vpc-flow-logs")),
            opts=child_opts(self),
        )
        self.flow_log_group_arn = self.flow_log_group.arn
        role = aws.iam.Role(
            f"{name}-flow-logs-role",
            name=ctx.name("vpc-flow-logs", max_length=64),
            description=f"Delivers VPC flow logs of {ctx.name('vpc')} to CloudWatch Logs",
            assume_role_policy=json.dumps(flow_logs_trust_policy(ctx)),
            tags=ctx.tags(Name=ctx.name("vpc-flow-logs")),
            opts=child_opts(self),
        )
        delivery = aws.iam.RolePolicy(
            f"{name}-flow-logs-policy",
            name="deliver-to-flow-log-group",
            role=role.id,
            policy=self.flow_log_group.arn.apply(lambda arn: json.dumps(flow_logs_delivery_policy(arn))),
            opts=child_opts(self),
        )
        aws.ec2.FlowLog(
            f"{name}-flow-log",
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=self.flow_log_group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            tags=ctx.tags(Name=ctx.name("vpc-flow-log")),
            opts=child_opts(self, depends_on=[delivery]),
        )

    def _endpoints(self, name: str, ctx: Context, gateway_route_table_ids: list[pulumi.Output[str]]) -> None:
        """S3 gateway endpoint on the private and isolated route tables; interface endpoints in the private subnets."""
        aws.ec2.VpcEndpoint(
            f"{name}-endpoint-s3",
            vpc_id=self.vpc.id,
            service_name=f"com.amazonaws.{ctx.region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=gateway_route_table_ids,
            tags=ctx.tags(Name=ctx.name("vpce", "s3")),
            opts=child_opts(self),
        )
        # No egress rule: endpoints only answer (security groups are stateful) and the provider
        # removes AWS's default allow-all egress rule when it creates the group.
        self.endpoint_security_group = aws.ec2.SecurityGroup(
            f"{name}-endpoint-sg",
            name=ctx.name("vpc-endpoints"),
            description="Interface VPC endpoints: HTTPS from inside the VPC only",
            vpc_id=self.vpc.id,
            tags=ctx.tags(Name=ctx.name("vpc-endpoints")),
            opts=child_opts(self),
        )
        self.endpoint_security_group_id = self.endpoint_security_group.id
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-endpoint-https-from-vpc",
            security_group_id=self.endpoint_security_group.id,
            description="HTTPS to AWS service endpoints from anywhere in the VPC",
            ip_protocol="tcp",
            from_port=HTTPS,
            to_port=HTTPS,
            cidr_ipv4=self.vpc_cidr,
            tags=ctx.tags(Name=ctx.name("vpc-endpoints-https")),
            opts=child_opts(self),
        )
        for service in INTERFACE_ENDPOINT_SERVICES:
            role = service.replace(".", "-")
            aws.ec2.VpcEndpoint(
                f"{name}-endpoint-{role}",
                vpc_id=self.vpc.id,
                service_name=f"com.amazonaws.{ctx.region}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=self.private_subnet_ids,
                security_group_ids=[self.endpoint_security_group.id],
                tags=ctx.tags(Name=ctx.name("vpce", role)),
                opts=child_opts(self),
            )


def flow_logs_trust_policy(ctx: Context) -> dict[str, Any]:
    """Only VPC Flow Logs, acting for this account's flow logs, may assume the delivery role."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "VpcFlowLogsOfThisAccountOnly",
                "Effect": "Allow",
                "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": ctx.account_id},
                    "ArnLike": {"aws:SourceArn": f"arn:aws:ec2:{ctx.region}:{ctx.account_id}:vpc-flow-log/*"},
                },
            }
        ],
    }


def flow_logs_delivery_policy(log_group_arn: str) -> dict[str, Any]:
    """Write access to the one flow-log group and its streams, nothing else."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DeliverToTheFlowLogGroupOnly",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                "Resource": [log_group_arn, f"{log_group_arn}:*"],
            }
        ],
    }

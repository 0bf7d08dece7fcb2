"""Network: subnet layout, egress per NAT layout, isolation, flow logs, endpoints, tags and parents."""

from __future__ import annotations

import inspect
import ipaddress
import itertools
import json
from typing import Literal

import pulumi
import pulumi_aws
import pytest

from platformkit.context import REQUIRED_TAG_KEYS, Context
from platformkit.environment.model import NetworkSettings
from platformkit.graph.model import GraphResource, ResourceGraph
from platformkit.network import Network, NetworkArgs
from platformkit.network.component import carve_subnets

KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e"
ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c", "eu-west-1d"]
COMPONENT_URN_SUFFIX = "platform:network:Network::net"

SUBNET = "aws:ec2/subnet:Subnet"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
NAT = "aws:ec2/natGateway:NatGateway"
EIP = "aws:ec2/eip:Eip"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"


def _record(
    record,
    ctx: Context,
    az_count: int = 3,
    nat: Literal["single", "perAz"] = "perAz",
    cidr: str = "10.10.0.0/16",
    retention: int = 365,
) -> tuple[ResourceGraph, Network]:
    made: list[Network] = []

    def program() -> None:
        settings = NetworkSettings(cidr=cidr, az_count=az_count, nat_gateways=nat, flow_log_retention_days=retention)
        args = NetworkArgs(context=ctx, settings=settings, availability_zones=ZONES[:az_count], logs_key_arn=KEY_ARN)
        made.append(Network("net", args))

    graph = record(program)
    return graph, made[0]


def _deps(resource: GraphResource, prop: str) -> list[str]:
    return resource.property_dependencies.get(prop, [])


# --- CIDR carving -------------------------------------------------------------------------


def test_carving_of_a_16_gives_the_documented_layout() -> None:
    cidrs = carve_subnets(ipaddress.IPv4Network("10.10.0.0/16"), 3)
    assert [str(c.private) for c in cidrs] == ["10.10.0.0/19", "10.10.32.0/19", "10.10.64.0/19"]
    assert [str(c.public) for c in cidrs] == ["10.10.128.0/20", "10.10.144.0/20", "10.10.160.0/20"]
    assert [str(c.isolated) for c in cidrs] == ["10.10.192.0/20", "10.10.208.0/20", "10.10.224.0/20"]


@pytest.mark.parametrize(("prefix", "az_count"), list(itertools.product(range(16, 21), range(1, 5))))
def test_carved_subnets_fit_the_vpc_without_overlap(prefix: int, az_count: int) -> None:
    vpc = ipaddress.IPv4Network(f"10.0.0.0/{prefix}")
    cidrs = carve_subnets(vpc, az_count)
    assert len(cidrs) == az_count
    subnets = [net for c in cidrs for net in (c.public, c.private, c.isolated)]
    assert all(net.subnet_of(vpc) for net in subnets)
    for a, b in itertools.combinations(subnets, 2):
        assert not a.overlaps(b), f"{a} overlaps {b}"
    for c in cidrs:
        assert c.private.prefixlen == prefix + 3
        assert c.public.prefixlen == prefix + 4
        assert c.isolated.prefixlen == prefix + 4


def test_adding_a_zone_never_moves_existing_subnets() -> None:
    vpc = ipaddress.IPv4Network("10.20.0.0/18")
    assert carve_subnets(vpc, 4)[:2] == carve_subnets(vpc, 2)


@pytest.mark.parametrize("az_count", [0, 5])
def test_carving_refuses_more_zones_than_slots(az_count: int) -> None:
    with pytest.raises(ValueError, match="az_count must be 1 to 4"):
        carve_subnets(ipaddress.IPv4Network("10.0.0.0/16"), az_count)


# --- Subnets ------------------------------------------------------------------------------


@pytest.mark.parametrize("az_count", [2, 3, 4])
def test_three_subnets_per_zone_with_carved_cidrs(record, ctx: Context, az_count: int) -> None:
    graph, network = _record(record, ctx, az_count=az_count, cidr="10.30.0.0/17")
    carved = carve_subnets(ipaddress.IPv4Network("10.30.0.0/17"), az_count)
    assert len(graph.of_type(SUBNET)) == 3 * az_count
    for i in range(az_count):
        for tier in ("public", "private", "isolated"):
            subnet = graph.named(f"net-{tier}-{i}")
            assert subnet.inputs["availabilityZone"] == ZONES[i]
            assert subnet.inputs["cidrBlock"] == str(getattr(carved[i], tier))
            assert subnet.inputs["tags"]["tier"] == tier
    assert network.vpc_cidr == "10.30.0.0/17"
    assert graph.named("net-vpc").inputs["cidrBlock"] == "10.30.0.0/17"
    assert len(network.public_subnet_ids) == len(network.private_subnet_ids) == len(network.isolated_subnet_ids) == az_count


def test_no_subnet_maps_public_ips_on_launch(record, ctx: Context) -> None:
    graph, _ = _record(record, ctx)
    subnets = graph.of_type(SUBNET)
    assert subnets
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in subnets)


def test_vpc_resolves_dns(record, ctx: Context) -> None:
    vpc = _record(record, ctx)[0].named("net-vpc")
    assert vpc.inputs["enableDnsSupport"] is True
    assert vpc.inputs["enableDnsHostnames"] is True


def test_load_balancer_role_tags(record, ctx: Context) -> None:
    graph, _ = _record(record, ctx, az_count=2)
    for i in range(2):
        public, private, isolated = (graph.named(f"net-{t}-{i}").inputs["tags"] for t in ("public", "private", "isolated"))
        assert public.get("kubernetes.io/role/elb") == "1" and "kubernetes.io/role/internal-elb" not in public
        assert private.get("kubernetes.io/role/internal-elb") == "1" and "kubernetes.io/role/elb" not in private
        assert not any(k.startswith("kubernetes.io/role/") for k in isolated)


# --- Routing ------------------------------------------------------------------------------


def _route_table_of(graph: ResourceGraph, subnet: GraphResource) -> GraphResource:
    associations = [a for a in graph.of_type(ASSOCIATION) if _deps(a, "subnetId") == [subnet.urn]]
    assert len(associations) == 1, f"{subnet.name} has {len(associations)} route table associations"
    (table_urn,) = _deps(associations[0], "routeTableId")
    return graph.by_urn()[table_urn]


def _routes_of(graph: ResourceGraph, table: GraphResource) -> list[GraphResource]:
    return [r for r in graph.of_type(ROUTE) if _deps(r, "routeTableId") == [table.urn]]


def test_per_az_nat_gateways_serve_their_own_zone(record, ctx: Context) -> None:
    graph, network = _record(record, ctx, az_count=3, nat="perAz")
    nats = graph.of_type(NAT)
    assert network.nat_gateway_count == len(nats) == 3
    assert len(graph.of_type(EIP)) == 3
    for i in range(3):
        nat = graph.named(f"net-nat-{i}")
        assert _deps(nat, "subnetId") == [graph.named(f"net-public-{i}").urn]
        assert _deps(nat, "allocationId") == [graph.named(f"net-nat-eip-{i}").urn]
        table = _route_table_of(graph, graph.named(f"net-private-{i}"))
        (route,) = _routes_of(graph, table)
        assert route.inputs["destinationCidrBlock"] == "0.0.0.0/0"
        assert _deps(route, "natGatewayId") == [nat.urn]
    assert len({_route_table_of(graph, graph.named(f"net-private-{i}")).urn for i in range(3)}) == 3


def test_single_nat_gateway_in_zone_zero_serves_every_zone(record, ctx: Context) -> None:
    graph, network = _record(record, ctx, az_count=3, nat="single")
    (nat,) = graph.of_type(NAT)
    assert network.nat_gateway_count == 1
    assert len(graph.of_type(EIP)) == 1
    assert _deps(nat, "subnetId") == [graph.named("net-public-0").urn]
    for i in range(3):
        (route,) = _routes_of(graph, _route_table_of(graph, graph.named(f"net-private-{i}")))
        assert route.inputs["destinationCidrBlock"] == "0.0.0.0/0"
        assert _deps(route, "natGatewayId") == [nat.urn]


def test_public_subnets_route_to_the_internet_gateway(record, ctx: Context) -> None:
    graph, _ = _record(record, ctx, az_count=2)
    igw = graph.named("net-igw")
    for i in range(2):
        table = _route_table_of(graph, graph.named(f"net-public-{i}"))
        (route,) = _routes_of(graph, table)
        assert route.inputs["destinationCidrBlock"] == "0.0.0.0/0"
        assert _deps(route, "gatewayId") == [igw.urn]


def test_isolated_subnets_have_no_route_out(record, ctx: Context) -> None:
    graph, _ = _record(record, ctx, az_count=3)
    tables = {_route_table_of(graph, graph.named(f"net-isolated-{i}")).urn for i in range(3)}
    assert len(tables) == 1
    table = graph.by_urn()[tables.pop()]
    assert _routes_of(graph, table) == []
    assert "routes" not in table.inputs
    public_and_private = {graph.named(f"net-{t}-{i}").urn for t in ("public", "private") for i in range(3)}
    isolated_table_users = {
        dep for a in graph.of_type(ASSOCIATION) if _deps(a, "routeTableId") == [table.urn] for dep in _deps(a, "subnetId")
    }
    assert not isolated_table_users & public_and_private


def test_every_route_table_is_separate_from_inline_routes(record, ctx: Context) -> None:
    graph, _ = _record(record, ctx)
    assert all("routes" not in t.inputs for t in graph.of_type(ROUTE_TABLE))


# --- Flow logs ----------------------------------------------------------------------------


def test_flow_logs_capture_all_traffic_into_an_encrypted_group(record, ctx: Context) -> None:
    graph, _ = _record(record, ctx, retention=30)
    (flow_log,) = graph.of_type("aws:ec2/flowLog:FlowLog")
    group = graph.named("net-flow-logs")
    role = graph.named("net-flow-logs-role")
    assert flow_log.inputs["trafficType"] == "ALL"
    assert flow_log.inputs["logDestinationType"] == "cloud-watch-logs"
    assert _deps(flow_log, "vpcId") == [graph.named("net-vpc").urn]
    assert _deps(flow_log, "logDestination") == [group.urn]
    assert _deps(flow_log, "iamRoleArn") == [role.urn]
    assert graph.named("net-flow-logs-policy").urn in flow_log.dependencies
    assert group.inputs["kmsKeyId"] == KEY_ARN
    assert group.inputs["retentionInDays"] == 30


def test_flow_log_group_key_may_come_from_another_resource(record, ctx: Context) -> None:
    def program() -> None:
        key = pulumi_aws.kms.Key("logs-key", tags=ctx.tags())
        settings = NetworkSettings(cidr="10.10.0.0/16", az_count=2)
        Network("net", NetworkArgs(context=ctx, settings=settings, availability_zones=ZONES[:2], logs_key_arn=key.arn))

    graph = record(program)
    group = graph.named("net-flow-logs")
    assert _deps(group, "kmsKeyId") == [graph.named("logs-key").urn]
    assert group.inputs["kmsKeyId"].startswith("arn:aws:kms:eu-west-1:123456789012:key/")


def test_only_vpc_flow_logs_of_this_account_assume_the_role(record, ctx: Context) -> None:
    graph, _ = _record(record, ctx)
    trust = json.loads(graph.named("net-flow-logs-role").inputs["assumeRolePolicy"])
    (statement,) = trust["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == ctx.account_id


def test_flow_log_role_writes_only_to_its_log_group(record, ctx: Context) -> None:
    graph, _ = _record(record, ctx)
    policy = graph.named("net-flow-logs-policy")
    assert _deps(policy, "role") == [graph.named("net-flow-logs-role").urn]
    group_arn = f"arn:aws:logs:eu-west-1:123456789012:log-group:{graph.named('net-flow-logs').inputs['name']}"
    (statement,) = json.loads(policy.inputs["policy"])["Statement"]
    assert statement["Effect"] == "Allow"
    assert sorted(statement["Action"]) == ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
    assert statement["Resource"] == [group_arn, f"{group_arn}:*"]
    assert not graph.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")


# --- Security groups and endpoints --------------------------------------------------------


def test_default_security_group_is_emptied(record, ctx: Context) -> None:
    graph, _ = _record(record, ctx)
    (default_sg,) = graph.of_type("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert _deps(default_sg, "vpcId") == [graph.named("net-vpc").urn]
    assert not default_sg.inputs.get("ingress")
    assert not default_sg.inputs.get("egress")


def test_endpoints_for_s3_and_the_cluster_services(record, ctx: Context) -> None:
    graph, _ = _record(record, ctx, az_count=3)
    endpoints = {e.inputs["serviceName"]: e for e in graph.of_type(ENDPOINT)}
    prefix = "com.amazonaws.eu-west-1."
    assert set(endpoints) == {prefix + s for s in ("s3", "ecr.api", "ecr.dkr", "sts", "kms", "logs")}

    s3 = endpoints.pop(prefix + "s3")
    assert s3.inputs["vpcEndpointType"] == "Gateway"
    private_and_isolated = {
        _route_table_of(graph, graph.named(f"net-{t}-{i}")).urn for t in ("private", "isolated") for i in range(3)
    }
    assert set(_deps(s3, "routeTableIds")) == private_and_isolated
    assert graph.named("net-public-rt").urn not in _deps(s3, "routeTableIds")

    private_subnets = {graph.named(f"net-private-{i}").urn for i in range(3)}
    sg = graph.named("net-endpoint-sg")
    for endpoint in endpoints.values():
        assert endpoint.inputs["vpcEndpointType"] == "Interface"
        assert endpoint.inputs["privateDnsEnabled"] is True
        assert set(_deps(endpoint, "subnetIds")) == private_subnets
        assert _deps(endpoint, "securityGroupIds") == [sg.urn]


def test_endpoint_security_group_admits_only_https_from_the_vpc(record, ctx: Context) -> None:
    graph, _ = _record(record, ctx, cidr="10.40.0.0/16")
    sg = graph.named("net-endpoint-sg")
    assert not sg.inputs.get("ingress") and not sg.inputs.get("egress")
    assert sg.inputs["description"]
    rules = [r for r in graph.of_type(INGRESS_RULE) + graph.of_type(EGRESS_RULE) if _deps(r, "securityGroupId") == [sg.urn]]
    (rule,) = rules
    assert rule.type == INGRESS_RULE
    assert rule.inputs["ipProtocol"] == "tcp"
    assert rule.inputs["fromPort"] == rule.inputs["toPort"] == 443
    assert rule.inputs["cidrIpv4"] == "10.40.0.0/16"
    assert rule.inputs["description"]
    assert not graph.of_type("aws:ec2/securityGroupRule:SecurityGroupRule")


# --- Conventions --------------------------------------------------------------------------


def _accepts_tags(type_token: str) -> bool:
    _, module_and_kind, class_name = type_token.split(":")
    module = getattr(pulumi_aws, module_and_kind.split("/")[0])
    resource_class = getattr(module, class_name)
    return "tags" in inspect.signature(resource_class._internal_init).parameters


def test_every_taggable_resource_carries_the_required_tags_and_a_name(record, ctx: Context) -> None:
    graph, _ = _record(record, ctx)
    aws_resources = [r for r in graph.resources if r.custom and r.type.startswith("aws:")]
    taggable = [r for r in aws_resources if _accepts_tags(r.type)]
    assert {r.type for r in aws_resources} - {r.type for r in taggable} == {ROUTE, ASSOCIATION, "aws:iam/rolePolicy:RolePolicy"}
    for resource in taggable:
        tags = resource.inputs.get("tags") or {}
        missing = [k for k in REQUIRED_TAG_KEYS if k not in tags]
        assert not missing, f"{resource.name} lacks tags {missing}"
        assert tags["Name"].startswith("acme-test-"), resource.name


def test_every_child_is_parented_to_the_component(record, ctx: Context) -> None:
    graph, _ = _record(record, ctx)
    component = graph.named("net")
    assert component.urn.endswith(COMPONENT_URN_SUFFIX)
    children = [r for r in graph.resources if r.custom and not r.is_provider]
    assert len(children) > 40
    for child in children:
        assert child.parent == component.urn, child.name
        assert child.name.startswith("net-"), child.name


def test_recording_raises_no_warnings(record, ctx: Context) -> None:
    graph, _ = _record(record, ctx)
    assert graph.warnings == []


def test_outputs_list_ids_in_zone_order(record, ctx: Context) -> None:
    resolved: dict[str, list[str]] = {}

    def program() -> None:
        settings = NetworkSettings(cidr="10.10.0.0/16", az_count=3)
        network = Network("net", NetworkArgs(context=ctx, settings=settings, availability_zones=ZONES[:3], logs_key_arn=KEY_ARN))
        for tier in ("public", "private", "isolated"):
            ids = getattr(network, f"{tier}_subnet_ids")
            pulumi.Output.all(*ids).apply(lambda values, tier=tier: resolved.__setitem__(tier, list(values)))
        pulumi.Output.all(network.vpc_id, network.endpoint_security_group_id).apply(
            lambda values: resolved.__setitem__("ids", list(values))
        )

    graph = record(program)
    for tier in ("public", "private", "isolated"):
        assert resolved[tier] == [graph.named(f"net-{tier}-rta-{i}").inputs["subnetId"] for i in range(3)]
    assert resolved["ids"] == [
        graph.named("net-flow-log").inputs["vpcId"],
        graph.named("net-endpoint-https-from-vpc").inputs["securityGroupId"],
    ]

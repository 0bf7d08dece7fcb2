"""What the offline plan pretends the cloud returns: IDs, ARNs and the few outputs programs read.

Every resource echoes its inputs and gets a deterministic ``id`` and ``arn``; the types below
also get the outputs the stacks wire onwards (an EKS cluster's endpoint and OIDC issuer, an
RDS instance's endpoint and master-user secret, a launch template's version, an OIDC provider's
ARN named after its issuer, ...). Values are derived from the URN so a
plan is byte-for-byte repeatable.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

Outputs = dict[str, Any]


def _digest(seed: str, length: int = 17) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


def _eks_cluster(name: str, seed: str, account: str, region: str) -> Outputs:
    oidc = _digest(seed, 32).upper()
    return {
        "endpoint": f"https://{oidc}.gr7.{region}.eks.amazonaws.com",
        "certificateAuthority": {
            "data": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCm9mZmxpbmUtcGxhbgotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg=="
        },
        "identities": [{"oidcs": [{"issuer": f"https://oidc.eks.{region}.amazonaws.com/id/{oidc}"}]}],
        "vpcConfig": {"clusterSecurityGroupId": f"sg-{_digest(seed + 'cluster-sg')}"},
        "status": "ACTIVE",
    }


def _rds_instance(name: str, seed: str, account: str, region: str) -> Outputs:
    host = f"{name}.{_digest(seed, 12)}.{region}.rds.amazonaws.com"
    return {
        "address": host,
        "endpoint": f"{host}:5432",
        "port": 5432,
        "masterUserSecrets": [
            {
                "secretArn": f"arn:aws:secretsmanager:{region}:{account}:secret:rds!db-{_digest(seed, 8)}",
                "secretStatus": "active",
            }
        ],
    }


def _iam_oidc(name: str, seed: str, account: str, region: str) -> Outputs:
    return {"arn": f"arn:aws:iam::{account}:oidc-provider/oidc.eks.{region}.amazonaws.com/id/{_digest(seed, 32).upper()}"}


def _kms_key(name: str, seed: str, account: str, region: str) -> Outputs:
    key_id = (
        f"{_digest(seed, 8)}-{_digest(seed + '1', 4)}-{_digest(seed + '2', 4)}-{_digest(seed + '3', 4)}-{_digest(seed + '4', 12)}"
    )
    return {"keyId": key_id, "arn": f"arn:aws:kms:{region}:{account}:key/{key_id}"}


def _s3_bucket(name: str, seed: str, account: str, region: str) -> Outputs:
    return {"bucketDomainName": f"{name}.s3.amazonaws.com", "bucketRegionalDomainName": f"{name}.s3.{region}.amazonaws.com"}


def _launch_template(name: str, seed: str, account: str, region: str) -> Outputs:
    return {"latestVersion": 1, "defaultVersion": 1}


def _eks_node_group(name: str, seed: str, account: str, region: str) -> Outputs:
    return {"resources": [{"autoscalingGroups": [{"name": f"eks-{name}-{_digest(seed, 8)}"}]}], "status": "ACTIVE"}


EXTRA_OUTPUTS: dict[str, Callable[[str, str, str, str], Outputs]] = {
    "aws:eks/cluster:Cluster": _eks_cluster,
    "aws:rds/instance:Instance": _rds_instance,
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": _iam_oidc,
    "aws:kms/key:Key": _kms_key,
    "aws:s3/bucket:Bucket": _s3_bucket,
    "aws:eks/nodeGroup:NodeGroup": _eks_node_group,
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
}

ID_PREFIXES: dict[str, str] = {
    "aws:ec2/vpc:Vpc": "vpc",
    "aws:ec2/subnet:Subnet": "subnet",
    "aws:ec2/securityGroup:SecurityGroup": "sg",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg",
    "aws:ec2/routeTable:RouteTable": "rtb",
    "aws:ec2/internetGateway:InternetGateway": "igw",
    "aws:ec2/natGateway:NatGateway": "nat",
    "aws:ec2/eip:Eip": "eipalloc",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce",
    "aws:ec2/flowLog:FlowLog": "fl",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt",
}


ARN_FORMATS: dict[str, str] = {
    # ARNs whose shape is not the generic arn:aws:<service>:<region>:<account>:<type>/<name>, as AWS writes them.
    "aws:s3/bucket:Bucket": "arn:aws:s3:::{name}",
    "aws:iam/role:Role": "arn:aws:iam::{account}:role/{name}",
    "aws:iam/policy:Policy": "arn:aws:iam::{account}:policy/{name}",
    "aws:iam/user:User": "arn:aws:iam::{account}:user/{name}",
    "aws:cloudwatch/logGroup:LogGroup": "arn:aws:logs:{region}:{account}:log-group:{name}",
    "aws:sns/topic:Topic": "arn:aws:sns:{region}:{account}:{name}",
    "aws:sqs/queue:Queue": "arn:aws:sqs:{region}:{account}:{name}",
    "aws:lambda/function:Function": "arn:aws:lambda:{region}:{account}:function:{name}",
    "aws:secretsmanager/secret:Secret": "arn:aws:secretsmanager:{region}:{account}:secret:{name}-AbCdEf",
    "aws:rds/instance:Instance": "arn:aws:rds:{region}:{account}:db:{name}",
    "aws:rds/cluster:Cluster": "arn:aws:rds:{region}:{account}:cluster:{name}",
    "aws:backup/vault:Vault": "arn:aws:backup:{region}:{account}:backup-vault:{name}",
    "aws:cloudtrail/trail:Trail": "arn:aws:cloudtrail:{region}:{account}:trail/{name}",
}
ARN_IS_ID = frozenset({"aws:sns/topic:Topic", "aws:secretsmanager/secret:Secret"})
"""Types whose Terraform/Pulumi ``id`` is their ARN."""


def physical_name(logical: str, seed: str) -> str:
    """An auto-name the way Pulumi makes one: the logical name plus 7 random (here: hashed) characters."""
    return f"{logical}-{_digest(seed, 7)}"


def outputs_for(
    type_token: str, logical: str, inputs: dict[str, Any], seed: str, account: str, region: str
) -> tuple[str, Outputs]:
    """The mock ``(id, state)`` of one resource: its inputs plus invented outputs."""
    name = str(inputs.get("name") or inputs.get("bucket") or physical_name(logical, seed))
    prefix = ID_PREFIXES.get(type_token)
    resource_id = f"{prefix}-{_digest(seed)}" if prefix else name
    service = type_token.split(":")[1].split("/", maxsplit=1)[0] if ":" in type_token else "resource"
    state: Outputs = {
        **inputs,
        "id": resource_id,
        "arn": f"arn:aws:{service}:{region}:{account}:{type_token.rsplit(':', 1)[-1].lower()}/{name}",
    }
    if type_token.startswith("aws:"):
        state.setdefault("name", name)
    extra = EXTRA_OUTPUTS.get(type_token)
    if extra is not None:
        for key, value in extra(name, seed, account, region).items():
            current = state.get(key)
            # Nested blocks (e.g. an EKS cluster's vpcConfig) keep their inputs and gain the computed fields.
            state[key] = {**current, **value} if isinstance(current, dict) and isinstance(value, dict) else value
    arn_format = ARN_FORMATS.get(type_token)
    if arn_format is not None:
        state["arn"] = arn_format.format(region=region, account=account, name=name)
    if type_token == "aws:iam/openIdConnectProvider:OpenIdConnectProvider" and isinstance(inputs.get("url"), str):
        # IAM names an OIDC provider after its issuer URL without the scheme, so IRSA trust policies line up.
        state["arn"] = f"arn:aws:iam::{account}:oidc-provider/{inputs['url'].removeprefix('https://')}"
    if type_token in ARN_IS_ID:
        resource_id = state["id"] = state["arn"]
    elif type_token == "aws:sqs/queue:Queue":
        resource_id = state["id"] = state["url"] = f"https://sqs.{region}.amazonaws.com/{account}/{name}"
    return resource_id, state

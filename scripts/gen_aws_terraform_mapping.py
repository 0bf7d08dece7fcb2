#!/usr/bin/env python3
"""Generate platform/platformkit/policy/aws_terraform_mapping.json: pulumi-aws -> Terraform names.

The policy gate shows the resource graph to Checkov as a Terraform plan, so it needs, for every
pulumi-aws type it meets, the Terraform resource type and the Terraform name of every property,
nested ones included (``rules`` of an S3 lifecycle configuration is Terraform's ``rule`` block;
``noncurrentVersionTransitions`` inside it is ``noncurrent_version_transition``). Nothing here is
guessed: the names come from two sources.

1. pulumi-aws's bridge metadata (``provider/cmd/pulumi-resource-aws/bridge-metadata.json`` in
   pulumi/pulumi-aws). ``renames.resources`` maps each resource token to its Terraform type;
   ``renames.renamedProperties`` maps, for each resource token AND each nested object type token
   (``aws:ec2/SecurityGroupIngress:SecurityGroupIngress``), the Pulumi property names whose Terraform
   name differs from the Pulumi name (every multi-word name, every pluralised block). A property of
   a known type that is absent there has the same name in Terraform.
2. The installed SDK (``pulumi_aws``), for what the metadata does not say: which resource class a
   token is, its ``<Class>Args`` input class, each property's Pulumi name (``pulumi.getter(name=...)``)
   and type annotation, hence which nested input type (recursively) a property holds, whether it is a
   list (transparent in paths) or a free-form map (opaque: keys are data), and the resource's aliases
   (a resource renamed in pulumi-aws 7, such as ``aws:s3/bucketLifecycleConfiguration``, keeps its old
   token, ``...V2``, as an alias; nested type tokens follow the same rename).

The output keeps only exceptions to the default rule (camelCase -> snake_case,
``platformkit.policy.mapping.default_name``), for the AWS types the four environments use plus a
curated list of common types (``CURATED``), sorted, so it is small and reviewable.

Re-run after upgrading pulumi-aws (``uv lock --upgrade-package pulumi-aws``):

1. Fetch bridge-metadata.json of the new pulumi-aws tag into /tmp, NOT into the repository (it is
   upstream data, ~3.7 MB): ``https://raw.githubusercontent.com/pulumi/pulumi-aws/v<X.Y.Z>/provider/cmd/pulumi-resource-aws/bridge-metadata.json``.
2. ``uv run python scripts/gen_aws_terraform_mapping.py --bridge-metadata PATH --commit <sha of the tag>``
   (``--commit`` may be left out when re-generating from the very file recorded, by its sha256).
3. Read the report it prints: types that could not be mapped, and properties the metadata does not
   know (SDK properties newer than the metadata: the default rule is used for them; for a list of
   objects with a plural name, check the Terraform docs). Review the JSON diff, run
   ``uv run pytest tests/platform/policy``.

``--only TOKEN`` (repeatable) maps just those tokens without evaluating the environments (tests).
"""

from __future__ import annotations

import argparse
import collections.abc
import hashlib
import importlib
import importlib.util
import inspect
import json
import re
import sys
import types
import typing
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, ForwardRef

import pulumi

from platformkit.policy.mapping import FORMAT, MAPPING_FILE, default_name

ROOT = Path(__file__).resolve().parents[1]
UPSTREAM_REPOSITORY = "pulumi/pulumi-aws"
UPSTREAM_PATH = "provider/cmd/pulumi-resource-aws/bridge-metadata.json"

CURATED: tuple[str, ...] = (
    # S3 and its split resources
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketAcl:BucketAcl",
    "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLogging:BucketLogging",
    "aws:s3/bucketNotification:BucketNotification",
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration",
    # KMS
    "aws:kms/alias:Alias",
    "aws:kms/key:Key",
    # IAM
    "aws:iam/accessKey:AccessKey",
    "aws:iam/group:Group",
    "aws:iam/groupPolicy:GroupPolicy",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
    "aws:iam/instanceProfile:InstanceProfile",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    "aws:iam/policy:Policy",
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/user:User",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    # networking
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "aws:ec2/eip:Eip",
    "aws:ec2/flowLog:FlowLog",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/networkAcl:NetworkAcl",
    "aws:ec2/networkAclRule:NetworkAclRule",
    "aws:ec2/route:Route",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/securityGroupRule:SecurityGroupRule",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/vpc:Vpc",
    "aws:ec2/vpcEndpoint:VpcEndpoint",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    # compute
    "aws:autoscaling/group:Group",
    "aws:ebs/encryptionByDefault:EncryptionByDefault",
    "aws:ebs/volume:Volume",
    "aws:ec2/instance:Instance",
    "aws:ec2/launchTemplate:LaunchTemplate",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    "aws:ecr/repository:Repository",
    "aws:ecr/repositoryPolicy:RepositoryPolicy",
    "aws:lambda/function:Function",
    "aws:lambda/permission:Permission",
    # EKS
    "aws:eks/accessEntry:AccessEntry",
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    "aws:eks/addon:Addon",
    "aws:eks/cluster:Cluster",
    "aws:eks/fargateProfile:FargateProfile",
    "aws:eks/nodeGroup:NodeGroup",
    # databases and caches
    "aws:dynamodb/table:Table",
    "aws:elasticache/cluster:Cluster",
    "aws:elasticache/replicationGroup:ReplicationGroup",
    "aws:elasticache/subnetGroup:SubnetGroup",
    "aws:rds/cluster:Cluster",
    "aws:rds/clusterInstance:ClusterInstance",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup",
    "aws:rds/instance:Instance",
    "aws:rds/parameterGroup:ParameterGroup",
    "aws:rds/subnetGroup:SubnetGroup",
    "aws:redshift/cluster:Cluster",
    "aws:opensearch/domain:Domain",
    # load balancing, edge, DNS, certificates
    "aws:alb/listener:Listener",
    "aws:alb/loadBalancer:LoadBalancer",
    "aws:alb/targetGroup:TargetGroup",
    "aws:lb/listener:Listener",
    "aws:lb/listenerRule:ListenerRule",
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:lb/targetGroup:TargetGroup",
    "aws:acm/certificate:Certificate",
    "aws:apigateway/restApi:RestApi",
    "aws:apigateway/stage:Stage",
    "aws:cloudfront/distribution:Distribution",
    "aws:route53/record:Record",
    "aws:route53/zone:Zone",
    "aws:wafv2/webAcl:WebAcl",
    # logging, messaging, secrets, backup, analytics
    "aws:backup/plan:Plan",
    "aws:backup/selection:Selection",
    "aws:backup/vault:Vault",
    "aws:cloudtrail/trail:Trail",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:efs/fileSystem:FileSystem",
    "aws:glue/catalogTable:CatalogTable",
    "aws:kinesis/stream:Stream",
    "aws:secretsmanager/secret:Secret",
    "aws:secretsmanager/secretRotation:SecretRotation",
    "aws:secretsmanager/secretVersion:SecretVersion",
    "aws:sns/topic:Topic",
    "aws:sns/topicPolicy:TopicPolicy",
    "aws:sns/topicSubscription:TopicSubscription",
    "aws:sqs/queue:Queue",
    "aws:sqs/queuePolicy:QueuePolicy",
    "aws:ssm/parameter:Parameter",
)
"""Common AWS types mapped even when no environment uses them yet (the issue's corpus and neighbours)."""

SUPPLEMENT: Mapping[str, str] = {
    "aws:eks/accessEntry:AccessEntry": "aws_eks_access_entry",
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": "aws_eks_access_policy_association",
}
"""Terraform types of tokens newer than the bridge metadata used (pulumi-aws 6.x, before EKS access
entries), from the Terraform AWS provider's resource names. Used only when the metadata lacks the token."""

PROPERTY_SUPPLEMENT: Mapping[str, Mapping[str, str]] = {
    # pulumi-aws 7 added GSI key schemas (Terraform `key_schema` blocks, replacing hash_key/range_key);
    # the SDK's own deprecation text says "Use `key_schema` instead". Found by the fidelity corpus
    # (tests/platform/policy/corpus/dynamodb): the default rule gave `key_schemas`.
    "aws:dynamodb/table:Table": {"globalSecondaryIndexes.keySchemas": "key_schema"},
}
"""Terraform names of properties newer than the bridge metadata used, per resource token and property
path, each with its evidence. Used only where the metadata does not rename the property itself."""

LEGACY_SUFFIX = "_legacy"
"""pulumi-aws-internal shim types (``aws_s3_bucket_legacy``): never a real Terraform type."""

_ALIAS = re.compile(r'pulumi\.Alias\(type_="([^"]+)"\)')
_REGISTER = re.compile(r'resource_modules="""(.*?)"""', re.DOTALL)
_LOWER_CAMEL = re.compile(r"[a-z][A-Za-z0-9]*")


@dataclass(frozen=True)
class BridgeMetadata:
    """What the generator reads from bridge-metadata.json."""

    resources: Mapping[str, str]
    """Resource token -> Terraform type."""
    renamed: Mapping[str, Mapping[str, str]]
    """Resource or nested type token -> Pulumi name -> Terraform name (only names that differ)."""
    sha256: str


def load_bridge_metadata(path: Path) -> BridgeMetadata:
    """``renames.resources`` and ``renames.renamedProperties`` of a bridge-metadata.json."""
    raw = path.read_bytes()
    document = json.loads(raw)
    renames = document["renames"]
    return BridgeMetadata(
        resources=dict(renames["resources"]),
        renamed={token: dict(names) for token, names in renames["renamedProperties"].items()},
        sha256=hashlib.sha256(raw).hexdigest(),
    )


# --- the installed SDK -------------------------------------------------------------------------------


def sdk_resource_classes() -> dict[str, tuple[str, str]]:
    """Every pulumi-aws resource token -> (Python module, class name), from the package's registration."""
    spec = importlib.util.find_spec("pulumi_aws")
    if spec is None or spec.origin is None:
        raise SystemExit("pulumi_aws is not installed")
    found = _REGISTER.search(Path(spec.origin).read_text(encoding="utf-8"))
    if found is None:
        raise SystemExit("cannot find the resource registration in pulumi_aws/__init__.py")
    classes: dict[str, tuple[str, str]] = {}
    for module in json.loads(found.group(1)):
        for token, name in module["classes"].items():
            classes[token] = (module["fqn"], name)
    return classes


def sdk_resource_class(token: str, registry: Mapping[str, tuple[str, str]]) -> type[Any] | None:
    """The SDK class of a resource token, or None when the installed pulumi-aws has no such type."""
    if token not in registry:
        return None
    module_name, class_name = registry[token]
    cls = getattr(importlib.import_module(module_name), class_name, None)
    return cls if inspect.isclass(cls) else None


def resource_aliases(cls: type[Any]) -> list[str]:
    """The type tokens a resource class declares as aliases (its former names)."""
    init = getattr(cls, "_internal_init", None)
    if init is None:
        return []
    return _ALIAS.findall(inspect.getsource(init))


def args_class(cls: type[Any]) -> type[Any] | None:
    """The ``@pulumi.input_type`` class of a resource's inputs, defined in the resource's own module.

    It is ``<Class>Args``, or ``<Class>InitArgs`` when a nested input type already has that name
    (``BucketServerSideEncryptionConfigurationArgs`` is the legacy bucket's nested type, imported into
    the resource's module from ``_inputs``: it must not be taken for the resource's inputs).
    """
    module = sys.modules[cls.__module__]
    for name in (f"{cls.__name__}InitArgs", f"{cls.__name__}Args"):
        candidate = getattr(module, name, None)
        if (
            inspect.isclass(candidate)
            and getattr(candidate, "_pulumi_input_type", False)
            and candidate.__module__ == cls.__module__
        ):
            return candidate
    return None


@dataclass(frozen=True)
class Property:
    """One input property of an SDK input type, from its getter."""

    pulumi_name: str
    nested: tuple[type[Any], ...]
    """Input types the property holds (directly, in a list, or as map values)."""
    is_list: bool
    is_map: bool
    is_any: bool
    """Typed ``Any``, or a ``pulumi.Asset``/``pulumi.Archive``: copied unchanged."""
    is_document: bool
    """``Union[str, <input type>]``: a JSON document given as a string or typed (``policy`` of an ECR
    lifecycle policy, ``assumeRolePolicy`` of a role); Terraform takes the string."""


_PROPERTIES: dict[type[Any], tuple[Property, ...]] = {}


def input_properties(cls: type[Any]) -> tuple[Property, ...]:
    """The properties of an ``@pulumi.input_type`` class, sorted by Pulumi name (cached)."""
    if cls not in _PROPERTIES:
        _PROPERTIES[cls] = _read_properties(cls)
    return _PROPERTIES[cls]


def _read_properties(cls: type[Any]) -> tuple[Property, ...]:
    module_globals = vars(sys.modules[cls.__module__])
    found: list[Property] = []
    for _, member in inspect.getmembers(cls, lambda m: isinstance(m, property)):
        getter = member.fget
        name = getattr(getter, "_pulumi_name", None)
        if not isinstance(name, str):
            continue
        annotation = getattr(getter, "__annotations__", {}).get("return", Any)
        shape = _Shape()
        _describe(annotation, module_globals, shape)
        nested = tuple(sorted(shape.nested, key=_qualname))
        is_document = shape.has_str and bool(nested)
        found.append(Property(name, nested, shape.is_list, shape.is_map, shape.is_any, is_document))
    return tuple(sorted(found, key=lambda p: p.pulumi_name))


@dataclass
class _Shape:
    nested: set[type[Any]] = field(default_factory=set)
    is_list: bool = False
    is_map: bool = False
    is_any: bool = False
    has_str: bool = False


def _describe(annotation: Any, module_globals: Mapping[str, Any], shape: _Shape) -> None:
    """Walk a getter's return annotation: ``Input[...]`` = Union[T, Awaitable[T], Output[T]], ``Optional``, etc.

    The annotations are typing objects with ``ForwardRef``s (``'BucketLifecycleConfigurationRuleArgs'``,
    ``'Output[T]'``) that ``typing.get_type_hints`` cannot evaluate, so they are walked here.
    """
    if isinstance(annotation, ForwardRef | str):
        name = annotation.__forward_arg__ if isinstance(annotation, ForwardRef) else annotation
        if name.startswith("Output["):
            return
        resolved = module_globals.get(name)
        if inspect.isclass(resolved) and getattr(resolved, "_pulumi_input_type", False):
            shape.nested.add(resolved)
        return
    if annotation is Any or (inspect.isclass(annotation) and issubclass(annotation, pulumi.Asset | pulumi.Archive)):
        shape.is_any = True  # free-form data, or an asset/archive (``code`` of a Lambda function)
        return
    if annotation is str:
        shape.has_str = True
        return
    if inspect.isclass(annotation) and getattr(annotation, "_pulumi_input_type", False):
        shape.nested.add(annotation)
        return
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType, collections.abc.Awaitable):
        for arg in args:
            _describe(arg, module_globals, shape)
    elif origin in (collections.abc.Sequence, list, tuple):
        shape.is_list = True
        for arg in args:
            _describe(arg, module_globals, shape)
    elif origin in (collections.abc.Mapping, dict):
        shape.is_map = True
        for arg in args[1:]:
            _describe(arg, module_globals, shape)


def _qualname(cls: type[Any]) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def is_document_type(cls: type[Any]) -> bool:
    """An input type whose Pulumi names are not camelCase (``PolicyDocumentArgs``: ``Version``, ``Statement``):
    a JSON document the bridge must not rename."""
    return any(not _LOWER_CAMEL.fullmatch(p.pulumi_name) for p in input_properties(cls))


# --- building one resource's entry -------------------------------------------------------------------


@dataclass
class Unverified:
    """SDK properties whose Terraform name the bridge metadata does not confirm (the default rule is used)."""

    missing_types: set[str] = field(default_factory=set)
    """Nested type tokens absent from the metadata: all their properties use the default rule."""
    new_properties: set[str] = field(default_factory=set)
    """Multi-word properties absent from their (known) type's renames: newer than the metadata."""
    plural_blocks: set[str] = field(default_factory=set)
    """Lists of objects with a plural name, of a type the metadata does not know, that it does not rename:
    Terraform may use a singular block name (check the Terraform docs)."""


@dataclass
class Entry:
    """The generated table entry of one resource token."""

    terraform_type: str
    source_token: str
    """The metadata token the names come from (the token itself, or the alias it was renamed from)."""
    renames: dict[str, str] = field(default_factory=dict)
    opaque: list[str] = field(default_factory=list)
    unverified: Unverified = field(default_factory=Unverified)

    def document(self) -> dict[str, Any]:
        """The JSON form (sorted; ``renames``/``opaque`` only when not empty)."""
        out: dict[str, Any] = {"terraformType": self.terraform_type}
        if self.renames:
            out["renames"] = dict(sorted(self.renames.items()))
        if self.opaque:
            out["opaque"] = sorted(set(self.opaque))
        return out


def split_token(token: str) -> tuple[str, str, str]:
    """``aws:s3/bucketV2:BucketV2`` -> (``aws``, ``s3``, ``BucketV2``)."""
    package, rest = token.split(":", 1)
    module = rest.split("/", 1)[0].split(":", 1)[0]
    return package, module, token.rsplit(":", 1)[1]


def resolve_resource_token(token: str, aliases: Iterable[str], bridge: BridgeMetadata) -> tuple[str, str] | None:
    """(metadata token, Terraform type) for an SDK resource: its own token unless that is missing from the
    metadata or a pulumi-internal ``*_legacy`` shim, then the first alias the metadata maps to a real type."""
    own = bridge.resources.get(token)
    if own is not None and not own.endswith(LEGACY_SUFFIX):
        return token, own
    for alias in aliases:
        mapped = bridge.resources.get(alias)
        if mapped is not None and not mapped.endswith(LEGACY_SUFFIX):
            return alias, mapped
    if token in SUPPLEMENT:
        return token, SUPPLEMENT[token]
    return None


def token_module(cls: type[Any], default: str) -> str:
    """The token module of an SDK input type: ``pulumi_aws.s3._inputs`` -> ``s3``, ``pulumi_aws._inputs`` -> ``index``."""
    parts = cls.__module__.split(".")
    if parts[0] != "pulumi_aws":
        return default
    package = [p for p in parts[1:] if not p.startswith("_")]
    return package[0] if package else "index"


def nested_type_tokens(cls: type[Any], module: str, renamed_prefixes: list[tuple[str, str]]) -> list[str]:
    """Candidate metadata tokens of a nested input type, most specific first.

    ``BucketLifecycleConfigurationRuleArgs`` of a resource renamed from ``BucketLifecycleConfigurationV2``
    -> ``aws:s3/BucketLifecycleConfigurationV2Rule:...`` then ``aws:s3/BucketLifecycleConfigurationRule:...``.
    """
    name = cls.__name__.removesuffix("Args")
    candidates = []
    for current, former in renamed_prefixes:
        if name.startswith(current) and current != former:
            old = former + name[len(current) :]
            candidates.append(f"aws:{module}/{old}:{old}")
    candidates.append(f"aws:{module}/{name}:{name}")
    return list(dict.fromkeys(candidates))


def build_entry(token: str, registry: Mapping[str, tuple[str, str]], bridge: BridgeMetadata) -> Entry | str:
    """The table entry of ``token``, or the reason it cannot be mapped."""
    cls = sdk_resource_class(token, registry)
    if cls is None:
        return "not a resource of the installed pulumi-aws"
    aliases = resource_aliases(cls)
    resolved = resolve_resource_token(token, aliases, bridge)
    if resolved is None:
        return "not in the bridge metadata (nor in SUPPLEMENT)"
    source, terraform_type = resolved
    inputs = args_class(cls)
    if inputs is None:
        return "the SDK class has no input type"
    entry = Entry(terraform_type, source)
    _, module, own_name = split_token(token)
    renamed_prefixes = [(own_name, split_token(source)[2])] if source != token else []
    known_type = source in bridge.renamed or source in bridge.resources
    _walk(inputs, "", bridge.renamed.get(source, {}), known_type, module, renamed_prefixes, bridge, entry, (inputs,))
    for path, name in PROPERTY_SUPPLEMENT.get(token, {}).items():
        entry.renames.setdefault(path, name)
        entry.unverified.plural_blocks.discard(path)
    return entry


def _walk(
    cls: type[Any],
    prefix: str,
    renames: Mapping[str, str],
    known_type: bool,
    module: str,
    renamed_prefixes: list[tuple[str, str]],
    bridge: BridgeMetadata,
    entry: Entry,
    stack: tuple[type[Any], ...],
) -> None:
    for prop in input_properties(cls):
        path = prefix + prop.pulumi_name
        terraform = renames.get(prop.pulumi_name) or default_name(prop.pulumi_name)
        if terraform != default_name(prop.pulumi_name):
            entry.renames[path] = terraform
        if known_type and prop.pulumi_name not in renames and default_name(prop.pulumi_name) != prop.pulumi_name:
            entry.unverified.new_properties.add(path)
        if prop.is_map or prop.is_any or prop.is_document or any(is_document_type(n) for n in prop.nested):
            entry.opaque.append(path)
            continue
        for nested in prop.nested:
            if nested in stack:
                continue
            candidates = nested_type_tokens(nested, token_module(nested, module), renamed_prefixes)
            found = next((c for c in candidates if c in bridge.renamed), None)
            if found is None and prop.is_list and prop.pulumi_name.endswith("s") and prop.pulumi_name not in renames:
                entry.unverified.plural_blocks.add(path)
            if (
                found is None
                and input_properties(nested)
                and any(default_name(p.pulumi_name) != p.pulumi_name for p in input_properties(nested))
            ):
                entry.unverified.missing_types.add(f"{path} ({candidates[-1]})")
            nested_renames = bridge.renamed.get(found, {}) if found else {}
            _walk(
                nested, path + ".", nested_renames, found is not None, module, renamed_prefixes, bridge, entry, (*stack, nested)
            )


# --- the table ---------------------------------------------------------------------------------------


def environment_tokens(root: Path) -> set[str]:
    """The AWS custom resource types the repository's environments use (evaluated with mocks)."""
    from platformkit.environment.loader import known_environments
    from platformkit.graph.runner import evaluate_environments

    graphs = evaluate_environments(known_environments(root), root)
    return {r.type for g in graphs.values() for r in g.resources if r.custom and r.type.startswith("aws:") and not r.is_provider}


def generate(
    bridge: BridgeMetadata, tokens: Iterable[str], *, commit: str, pulumi_aws: str
) -> tuple[dict[str, Any], dict[str, str], dict[str, Entry]]:
    """(the JSON document, unmappable token -> reason, token -> entry) for ``tokens``."""
    registry = sdk_resource_classes()
    entries: dict[str, Entry] = {}
    failed: dict[str, str] = {}
    for token in sorted(set(tokens)):
        built = build_entry(token, registry, bridge)
        if isinstance(built, str):
            failed[token] = built
        else:
            entries[token] = built
    document = {
        "format": FORMAT,
        "pulumiAws": pulumi_aws,
        "bridgeMetadata": {
            "repository": UPSTREAM_REPOSITORY,
            "path": UPSTREAM_PATH,
            "commit": commit,
            "sha256": bridge.sha256,
        },
        "resources": {token: entry.document() for token, entry in entries.items()},
    }
    return document, failed, entries


def render(document: Mapping[str, Any]) -> str:
    """The file's text: stable key order (as built, all sorted), two-space indent, final newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def report(failed: Mapping[str, str], entries: Mapping[str, Entry]) -> Iterator[str]:
    """Human-readable lines about what the table could not confirm."""
    renames = sum(len(e.renames) for e in entries.values())
    yield f"{len(entries)} types mapped, {renames} renames, {sum(len(set(e.opaque)) for e in entries.values())} opaque paths"
    for token, reason in failed.items():
        yield f"NOT MAPPED {token}: {reason}"
    for token, entry in entries.items():
        if entry.source_token != token:
            yield f"{token}: names from {entry.source_token}"
        if token in SUPPLEMENT and entry.terraform_type == SUPPLEMENT[token]:
            yield f"{token}: Terraform type from SUPPLEMENT ({entry.terraform_type})"
        unverified = entry.unverified
        for label, paths in (
            ("nested type not in metadata", unverified.missing_types),
            ("property not in metadata (default rule)", unverified.new_properties),
            ("plural list of objects, not renamed by metadata", unverified.plural_blocks),
        ):
            if paths:
                yield f"{token}: {label}: {', '.join(sorted(paths))}"


def main(argv: list[str] | None = None) -> int:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--bridge-metadata", type=Path, required=True, help="pulumi-aws bridge-metadata.json (keep it outside the repo)"
    )
    parser.add_argument("--commit", help="pulumi/pulumi-aws commit the metadata file is from")
    parser.add_argument("--output", type=Path, default=MAPPING_FILE, help="default: %(default)s")
    parser.add_argument(
        "--only", action="append", metavar="TOKEN", help="map just these tokens (no environments, no curated list)"
    )
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root whose environments are evaluated")
    parser.add_argument("--quiet", action="store_true", help="do not print the report")
    args = parser.parse_args(argv)

    bridge = load_bridge_metadata(args.bridge_metadata)
    commit = args.commit or _recorded_commit(args.output, bridge.sha256)
    if not commit:
        parser.error("--commit is required (the metadata file differs from the one recorded in --output)")
    tokens = set(args.only) if args.only else environment_tokens(args.root) | set(CURATED)
    document, failed, entries = generate(bridge, tokens, commit=commit, pulumi_aws=metadata.version("pulumi_aws"))
    args.output.write_text(render(document), encoding="utf-8")
    if not args.quiet:
        print(f"wrote {args.output}")
        for line in report(failed, entries):
            print(line)
    return 1 if failed else 0


def _recorded_commit(output: Path, sha256: str) -> str | None:
    try:
        recorded = json.loads(output.read_text(encoding="utf-8"))["bridgeMetadata"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return recorded.get("commit") if recorded.get("sha256") == sha256 else None


if __name__ == "__main__":
    sys.exit(main())

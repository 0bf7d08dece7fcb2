"""Parity comparison on small synthetic graphs: what is caught, what the allow-list allows, and how."""

from __future__ import annotations

import json
from typing import Any

import pytest

from platformkit.environment.model import EnvironmentConfig
from platformkit.errors import ConfigErrors, PlatformError
from platformkit.graph.model import SECRET, GraphResource, ResourceGraph
from platformkit.parity import AllowList, ParityReport, compare, render_text
from platformkit.parity.normalise import Tokens

SUBNET = "aws:ec2/subnet:Subnet"
RDS = "aws:rds/instance:Instance"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
ACCESS_ENTRY = "aws:eks/accessEntry:AccessEntry"

ACCOUNTS = {"dev": "111111111111", "staging": "222222222222", "prod": "333333333333", "perf": "444444444444"}


# --- helpers -----------------------------------------------------------------------------


def environment(name: str, *, region: str = "eu-west-1", shape_of: str | None = None) -> EnvironmentConfig:
    """A minimal valid environment with its own account."""
    return EnvironmentConfig.model_validate(
        {
            "name": name,
            "shapeOf": shape_of,
            "account": {"id": ACCOUNTS[name], "region": region},
            "tags": {"owner": "platform-team", "costCentre": "CC-1"},
            "network": {"cidr": f"10.{10 * (list(ACCOUNTS).index(name) + 1)}.0.0/16"},
            "cluster": {"nodeGroups": {"system": {"instanceTypes": ["m7i.large"], "minSize": 1, "desiredSize": 1, "maxSize": 2}}},
        }
    )


def environments(*names: str, region: str = "eu-west-1") -> dict[str, EnvironmentConfig]:
    return {n: environment(n, region=region, shape_of="prod" if n == "perf" else None) for n in names}


def resource(env: str, qualified_type: str, name: str, inputs: dict[str, Any] | None = None) -> GraphResource:
    """One custom resource of stack ``env`` (the type is the last segment of the qualified type)."""
    return GraphResource(
        urn=f"urn:pulumi:{env}::platform::{qualified_type}::{name}",
        type=qualified_type.rsplit("$", 1)[-1],
        name=name,
        parent=None,
        custom=True,
        inputs=inputs or {},
    )


def platform_graph(
    env: str,
    *,
    region: str = "eu-west-1",
    azs: int = 2,
    storage_encrypted: bool = True,
    engine_version: str = "16.8",
    instance_types: list[str] | None = None,
    admins: int = 0,
    extra: list[GraphResource] | None = None,
) -> ResourceGraph:
    """A small platform: stack, provider, per-AZ subnets, a database, a node group, admin access entries."""
    account = ACCOUNTS[env]
    tags = {"environment": env, "owner": "platform-team", "Name": f"acme-{env}-thing"}
    resources = [
        GraphResource(
            urn=f"urn:pulumi:{env}::platform::pulumi:pulumi:Stack::platform-{env}",
            type="pulumi:pulumi:Stack",
            name=f"platform-{env}",
            parent=None,
            custom=False,
            inputs={},
        ),
        resource(env, "pulumi:providers:aws", "aws", {"region": region, "allowedAccountIds": json.dumps([account])}),
        GraphResource(
            urn=f"urn:pulumi:{env}::platform::platform:network:Network::network",
            type="platform:network:Network",
            name="network",
            parent=None,
            custom=False,
            inputs={},
        ),
    ]
    for i in range(azs):
        zone = f"{region}{'abc'[i]}"
        resources.append(
            resource(
                env,
                f"platform:network:Network${SUBNET}",
                f"network-private-{i}",
                {
                    "availabilityZone": zone,
                    "mapPublicIpOnLaunch": False,
                    "tags": {**tags, "Name": f"acme-{env}-private-{zone}"},
                },
            )
        )
    resources.append(
        resource(
            env,
            f"platform:database:Database${RDS}",
            "database-instance",
            {
                "engine": "postgres",
                "engineVersion": engine_version,
                "instanceClass": "db.r7g.large",
                "storageEncrypted": storage_encrypted,
                "kmsKeyId": f"arn:aws:kms:{region}:{account}:key/0000",
                "identifier": f"acme-{env}-postgres",
                "password": SECRET,
                "tags": tags,
            },
        )
    )
    resources.append(
        resource(
            env,
            f"platform:cluster:Cluster${NODE_GROUP}",
            "cluster-system",
            {
                "instanceTypes": instance_types or ["m7i.large"],
                "scalingConfig": {"minSize": 1, "desiredSize": 1, "maxSize": 2},
                "nodeRoleArn": f"arn:aws:iam::{account}:role/acme-{env}-eks-node",
            },
        )
    )
    for i in range(admins):
        resources.append(
            resource(
                env,
                f"platform:cluster:Cluster${ACCESS_ENTRY}",
                f"cluster-admin-{i}",
                {"principalArn": f"arn:aws:iam::{account}:role/breakglass"},
            )
        )
    resources.extend(extra or [])
    return ResourceGraph(project="platform", stack=env, source="mocks", resources=resources)


def allow(**entries: Any) -> AllowList:
    """An allow-list with baseline dev and the given entries (camelCase keys, as in the file)."""
    return AllowList.model_validate({"baseline": "dev", **entries})


def run(graphs: dict[str, ResourceGraph], allowlist: AllowList | None = None, envs: dict[str, EnvironmentConfig] | None = None):
    return compare(graphs, envs if envs is not None else environments(*graphs), allowlist or allow())


def only(report: ParityReport, **match: Any) -> list[Any]:
    """Differences whose fields equal ``match``."""
    return [d for d in report.differences if all(getattr(d, k) == v for k, v in match.items())]


# --- behaviour -----------------------------------------------------------------------------


def test_identical_platforms_pass_with_names_accounts_and_regions_normalised() -> None:
    report = run({"dev": platform_graph("dev"), "staging": platform_graph("staging"), "prod": platform_graph("prod")})
    assert report.differences == []
    assert report.ok
    assert [(p.environment, p.reference, p.mode) for p in report.pairs] == [
        ("prod", "dev", "baseline"),
        ("staging", "dev", "baseline"),
    ]


def test_encryption_turned_off_in_one_environment_is_a_violation() -> None:
    report = run({"dev": platform_graph("dev"), "staging": platform_graph("staging", storage_encrypted=False)})
    assert not report.ok
    [violation] = report.violations
    assert violation.environment == "staging" and violation.reference == "dev"
    assert violation.path == "storageEncrypted"
    assert (violation.reference_value, violation.environment_value) == (True, False)
    assert violation.resource == f"platform::platform:database:Database${RDS}::database-instance"
    assert violation.type == RDS


def test_a_resource_only_in_staging_is_a_violation_even_with_counts_allowed() -> None:
    debug = resource("staging", "aws:ec2/instance:Instance", "debug-box", {"instanceType": "t3.micro"})
    graphs = {"dev": platform_graph("dev"), "staging": platform_graph("staging", extra=[debug])}
    report = run(graphs, allow(counts=[{"type": "aws:ec2/instance:Instance", "reason": "numbers may differ"}]))
    [violation] = report.violations
    assert violation.change == "only-in-environment"
    assert violation.resource == "platform::aws:ec2/instance:Instance::debug-box"
    assert (violation.reference_value, violation.environment_value) == (0, 1)
    assert "resource only in staging" in render_text(report)


def test_a_resource_missing_in_an_environment_is_a_violation() -> None:
    debug = resource("dev", "aws:ec2/instance:Instance", "debug-box")
    report = run({"dev": platform_graph("dev", extra=[debug]), "staging": platform_graph("staging")})
    [violation] = report.violations
    assert violation.change == "only-in-reference"
    assert "resource missing in staging" in render_text(report)


def test_engine_version_difference_is_caught_unless_allow_listed() -> None:
    graphs = {"dev": platform_graph("dev"), "staging": platform_graph("staging", engine_version="17.2")}
    [violation] = run(graphs).violations
    assert violation.path == "engineVersion"
    assert (violation.reference_value, violation.environment_value) == ("16.8", "17.2")

    listed = run(graphs, allow(properties=[{"type": RDS, "paths": ["engineVersion"], "reason": "staging tries 17 first"}]))
    assert listed.ok
    [allowed] = listed.allowed
    assert allowed.path == "engineVersion"
    assert allowed.reason == "staging tries 17 first"
    assert allowed.entry == "properties[0]"


def test_an_allowance_for_one_type_does_not_cover_another() -> None:
    graphs = {"dev": platform_graph("dev"), "staging": platform_graph("staging", engine_version="17.2")}
    report = run(graphs, allow(properties=[{"type": "aws:rds/cluster:Cluster", "paths": ["engineVersion"], "reason": "x"}]))
    assert [v.path for v in report.violations] == ["engineVersion"]


def test_perf_must_keep_prods_node_sizes_although_the_global_list_lets_sizes_differ() -> None:
    graphs = {
        "dev": platform_graph("dev", instance_types=["t3.large"]),
        "prod": platform_graph("prod", instance_types=["m7i.xlarge"]),
        "perf": platform_graph("perf", instance_types=["m7i.large"]),
    }
    allowlist = allow(
        properties=[{"type": NODE_GROUP, "paths": ["instanceTypes"], "reason": "sizes per environment"}],
        shapes=[{"environment": "perf", "reference": "prod"}],
    )
    report = run(graphs, allowlist)
    assert not report.ok
    [violation] = report.violations
    assert (violation.environment, violation.reference, violation.mode) == ("perf", "prod", "shape")
    assert violation.path == "instanceTypes"
    assert (violation.reference_value, violation.environment_value) == (["m7i.xlarge"], ["m7i.large"])
    # against the baseline the same difference is allowed
    assert {(d.environment, d.allowed) for d in only(report, mode="baseline", path="instanceTypes")} == {
        ("perf", True),
        ("prod", True),
    }

    same = dict(graphs, perf=platform_graph("perf", instance_types=["m7i.xlarge"]))
    assert run(same, allowlist).ok


def test_shape_entries_allow_only_their_own_properties() -> None:
    graphs = {
        "dev": platform_graph("dev"),
        "prod": platform_graph("prod"),
        "perf": platform_graph("perf", engine_version="17.2"),
    }
    shape = {
        "environment": "perf",
        "reference": "prod",
        "properties": [{"type": RDS, "paths": ["engineVersion"], "reason": "perf benchmarks the next major"}],
    }
    report = run(graphs, allow(shapes=[shape]))
    [violation] = report.violations
    assert violation.mode == "baseline"  # perf vs dev: the shape's allowance does not apply there
    [allowed] = report.allowed
    assert (allowed.mode, allowed.entry) == ("shape", "shapes[0].properties[0]")


def test_per_az_count_differences_pass_only_when_the_type_is_in_counts() -> None:
    graphs = {"dev": platform_graph("dev", azs=2), "staging": platform_graph("staging", azs=3)}
    [violation] = run(graphs).violations
    assert violation.change == "count"
    assert violation.resource == f"platform::platform:network:Network${SUBNET}::network-private-*"
    assert (violation.reference_value, violation.environment_value) == (2, 3)

    listed = run(graphs, allow(counts=[{"type": SUBNET, "reason": "one per AZ"}]))
    assert listed.ok
    [allowed] = listed.allowed
    assert (allowed.change, allowed.entry) == ("count", "counts[0]")


def test_count_allowances_do_not_apply_to_shape_pairs() -> None:
    graphs = {"dev": platform_graph("dev", azs=2), "prod": platform_graph("prod", azs=3), "perf": platform_graph("perf", azs=2)}
    report = run(
        graphs, allow(counts=[{"type": SUBNET, "reason": "one per AZ"}], shapes=[{"environment": "perf", "reference": "prod"}])
    )
    [violation] = report.violations
    assert (violation.environment, violation.reference, violation.mode, violation.change) == ("perf", "prod", "shape", "count")


def test_a_type_missing_entirely_needs_allow_absent() -> None:
    graphs = {"dev": platform_graph("dev"), "prod": platform_graph("prod", admins=1)}
    counted = run(graphs, allow(counts=[{"type": ACCESS_ENTRY, "reason": "prod has a break-glass role"}]))
    [violation] = counted.violations
    assert violation.change == "only-in-environment"
    absent = run(graphs, allow(counts=[{"type": ACCESS_ENTRY, "reason": "prod has a break-glass role", "allowAbsent": True}]))
    assert absent.ok
    assert [d.entry for d in absent.allowed] == ["counts[0]"]


def test_environment_name_account_and_region_are_replaced_only_as_whole_tokens() -> None:
    tokens = Tokens("dev", "111111111111", "eu-west-1")
    assert tokens.replace("acme-dev-data") == "acme-<env>-data"
    assert tokens.replace("device") == "device"
    assert tokens.replace("devdev dev_x") == "devdev <env>_x"  # "_" is not alphanumeric: a delimiter
    assert tokens.replace("arn:aws:kms:eu-west-1:111111111111:key/1") == "arn:aws:kms:<region>:<account>:key/1"
    assert tokens.replace("eu-west-1b") == "<region>b"
    assert tokens.replace("eu-west-10 1111111111112") == "eu-west-10 1111111111112"


def test_dev_inside_device_is_not_normalised_in_a_comparison() -> None:
    dev = platform_graph("dev", extra=[resource("dev", "aws:ec2/instance:Instance", "box", {"note": "device"})])
    staging = platform_graph("staging", extra=[resource("staging", "aws:ec2/instance:Instance", "box", {"note": "stagingice"})])
    [violation] = run({"dev": dev, "staging": staging}).violations
    assert violation.path == "note"
    assert (violation.reference_value, violation.environment_value) == ("device", "stagingice")


def test_equal_raw_values_never_differ_even_when_they_contain_an_environment_name() -> None:
    # "/dev/xvda" is a device path in every environment; only dev's copy would be normalised.
    extra = {"blockDeviceMappings": [{"deviceName": "/dev/xvda"}]}
    graphs = {
        "dev": platform_graph("dev", extra=[resource("dev", "aws:ec2/launchTemplate:LaunchTemplate", "lt", extra)]),
        "staging": platform_graph("staging", extra=[resource("staging", "aws:ec2/launchTemplate:LaunchTemplate", "lt", extra)]),
    }
    assert run(graphs).differences == []


def test_availability_zones_of_different_regions_compare_equal() -> None:
    envs = {"dev": environment("dev", region="eu-west-1"), "staging": environment("staging", region="eu-central-1")}
    graphs = {"dev": platform_graph("dev", region="eu-west-1"), "staging": platform_graph("staging", region="eu-central-1")}
    assert run(graphs, envs=envs).differences == []


def test_nested_list_and_json_string_paths() -> None:
    def doc(effect: str, action: str) -> str:
        return json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": effect, "Action": action, "Principal": {"AWS": "*"}}]}
        )

    def bucket(env: str, *, effect: str, days: int, public: bool, cidrs: list[str]) -> GraphResource:
        return resource(
            env,
            "aws:s3/bucketPolicy:BucketPolicy",
            "b",
            {
                "policy": doc(effect, "s3:GetObject"),
                "rules": [{"id": "retention", "expiration": {"days": days}}],
                "vpcConfig": {"endpointPublicAccess": public, "publicAccessCidrs": cidrs},
            },
        )

    graphs = {
        "dev": platform_graph("dev", extra=[bucket("dev", effect="Deny", days=30, public=True, cidrs=["203.0.113.0/24"])]),
        "staging": platform_graph("staging", extra=[bucket("staging", effect="Allow", days=365, public=False, cidrs=[])]),
    }
    report = run(graphs)
    assert {v.path for v in report.violations} == {
        "policy.Statement[0].Effect",
        "rules[0].expiration.days",
        "vpcConfig.endpointPublicAccess",
        "vpcConfig.publicAccessCidrs",
    }
    cidrs = only(report, path="vpcConfig.publicAccessCidrs")[0]
    assert (cidrs.reference_value, cidrs.environment_value) == (["203.0.113.0/24"], [])

    listed = run(
        graphs,
        allow(
            properties=[
                {"type": "aws:s3/*", "paths": ["rules[*].expiration.days", "vpcConfig"], "reason": "retention and endpoint"}
            ]
        ),
    )
    assert [v.path for v in listed.violations] == ["policy.Statement[0].Effect"]


def test_json_documents_compare_parsed_so_key_order_and_spacing_do_not_matter() -> None:
    a = resource("dev", "aws:iam/role:Role", "r", {"assumeRolePolicy": '{"Version": "2012-10-17", "Statement": []}'})
    b = resource("staging", "aws:iam/role:Role", "r", {"assumeRolePolicy": '{"Statement":[],"Version":"2012-10-17"}'})
    assert run({"dev": platform_graph("dev", extra=[a]), "staging": platform_graph("staging", extra=[b])}).differences == []


def test_a_path_present_on_one_side_only_is_a_difference() -> None:
    a = resource("dev", "aws:s3/bucket:Bucket", "b", {"bucket": "acme-dev-b"})
    b = resource("staging", "aws:s3/bucket:Bucket", "b", {"bucket": "acme-staging-b", "forceDestroy": True})
    [violation] = run({"dev": platform_graph("dev", extra=[a]), "staging": platform_graph("staging", extra=[b])}).violations
    assert violation.path == "forceDestroy"
    assert (violation.in_reference, violation.in_environment, violation.environment_value) == (False, True, True)
    assert "forceDestroy: dev=(absent) staging=true" in render_text(
        run({"dev": platform_graph("dev", extra=[a]), "staging": platform_graph("staging", extra=[b])})
    )


def test_booleans_and_numbers_are_not_confused() -> None:
    a = resource("dev", "aws:s3/bucket:Bucket", "b", {"flag": True})
    b = resource("staging", "aws:s3/bucket:Bucket", "b", {"flag": 1})
    assert [
        v.path for v in run({"dev": platform_graph("dev", extra=[a]), "staging": platform_graph("staging", extra=[b])}).violations
    ] == ["flag"]


def test_unused_entries_are_reported_without_failing() -> None:
    graphs = {"dev": platform_graph("dev"), "staging": platform_graph("staging", engine_version="17.2")}
    allowlist = allow(
        counts=[{"type": "aws:ec2/natGateway:NatGateway", "reason": "per AZ"}],
        properties=[
            {"type": RDS, "paths": ["engineVersion", "allocatedStorage"], "reason": "sizes"},
            {"type": "aws:elasticache/cluster:Cluster", "paths": ["nodeType"], "reason": "never used"},
        ],
        shapes=[{"environment": "perf", "reference": "prod", "properties": [{"type": RDS, "paths": ["x"], "reason": "y"}]}],
    )
    report = run(graphs, allowlist, envs=environments("dev", "staging", "prod", "perf"))
    assert report.ok
    assert [(u.key, u.path) for u in report.unused_entries] == [
        ("counts[0]", None),
        ("properties[0].paths[1]", "allocatedStorage"),
        ("properties[1]", None),
    ]
    # the shape pair was not compared (no graphs), so its entries are not called unused
    assert any("shapes[0]" in note for note in report.notes)
    text = render_text(report)
    assert "unused allow-list entr" in text and "properties[0].paths[1]" in text


def test_shape_of_without_a_shapes_entry_is_compared_with_nothing_allowed() -> None:
    graphs = {"dev": platform_graph("dev"), "prod": platform_graph("prod", azs=3), "perf": platform_graph("perf", azs=3)}
    report = run(graphs)
    assert ("perf", "prod", "shape") in [(p.environment, p.reference, p.mode) for p in report.pairs]
    assert any("no shapes entry" in n for n in report.notes)


def test_shapes_entry_must_agree_with_the_environments_shape_of() -> None:
    graphs = {"dev": platform_graph("dev"), "staging": platform_graph("staging"), "perf": platform_graph("perf")}
    with pytest.raises(ConfigErrors) as err:
        run(
            graphs,
            allow(shapes=[{"environment": "perf", "reference": "staging"}]),
            envs=environments("dev", "staging", "prod", "perf"),
        )
    assert "shapes[0].reference" in str(err.value) and "shapeOf: prod" in str(err.value)


def test_unknown_environment_names_in_the_allow_list_are_config_errors() -> None:
    graphs = {"dev": platform_graph("dev"), "staging": platform_graph("staging")}
    with pytest.raises(ConfigErrors) as err:
        run(graphs, allow(shapes=[{"environment": "perff", "reference": "prod"}]))
    assert "environments/parity.yaml: shapes[0].environment: 'perff' is not an environment" in str(err.value)
    with pytest.raises(ConfigErrors, match="baseline: 'qa' is not an environment"):
        run(graphs, AllowList.model_validate({"baseline": "qa"}))


def test_the_baseline_graph_is_required() -> None:
    with pytest.raises(PlatformError, match="baseline environment 'dev'"):
        compare({"staging": platform_graph("staging")}, environments("dev", "staging"), allow())


def test_render_groups_by_pair_then_resource_and_keeps_secrets_masked() -> None:
    dev = platform_graph("dev")
    changed = dict(dev.resources[-2].inputs, password="hunter2", storageEncrypted=False)
    staging = platform_graph("staging")
    staging.resources[-2] = GraphResource(
        **{**staging.resources[-2].__dict__, "inputs": {**changed, "identifier": "acme-staging-postgres"}}
    )
    report = run({"dev": dev, "staging": staging, "prod": platform_graph("prod", engine_version="17.2")})
    text = render_text(report)
    lines = text.splitlines()
    assert lines[0].startswith("parity FAILED: 3 violation(s)")
    prod_at = lines.index("prod vs dev: 1 violation(s), 0 allowed")
    staging_at = lines.index("staging vs dev: 2 violation(s), 0 allowed")
    assert prod_at < staging_at
    assert lines[staging_at + 1] == f"  platform:database:Database${RDS}::database-instance"
    assert '    x password: dev=[secret] staging="hunter2"' in lines
    assert "    x storageEncrypted: dev=true staging=false" in lines


def test_long_values_are_shown_short() -> None:
    a = resource("dev", "aws:s3/bucket:Bucket", "b", {"note": "a" * 200})
    b = resource("staging", "aws:s3/bucket:Bucket", "b", {"note": "b" * 200})
    text = render_text(run({"dev": platform_graph("dev", extra=[a]), "staging": platform_graph("staging", extra=[b])}))
    line = next(ln for ln in text.splitlines() if "note:" in ln)
    assert len(line) < 160 and "..." in line


def test_allowed_differences_are_listed_only_on_request() -> None:
    graphs = {"dev": platform_graph("dev"), "staging": platform_graph("staging", engine_version="17.2")}
    report = run(graphs, allow(properties=[{"type": RDS, "paths": ["engineVersion"], "reason": "trial"}]))
    assert "engineVersion" not in render_text(report)
    shown = render_text(report, show_allowed=True)
    assert '~ engineVersion: dev="16.8" staging="17.2"   [allowed by properties[0]: trial]' in shown


def test_report_json() -> None:
    graphs = {"dev": platform_graph("dev"), "staging": platform_graph("staging", storage_encrypted=False)}
    data = json.loads(json.dumps(run(graphs).to_json()))
    assert data["format"] == "platformkit.parity-report/v1"
    assert data["ok"] is False and data["violations"] == 1
    [diff] = data["differences"]
    assert diff["path"] == "storageEncrypted"
    assert diff["referenceValue"] is True and diff["environmentValue"] is False
    assert diff["allowed"] is False and diff["environment"] == "staging"

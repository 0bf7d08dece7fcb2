"""Reading ``pulumi preview --json --show-sames`` output as a resource graph."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from platformkit.errors import PlatformError
from platformkit.graph.model import SECRET, UNKNOWN, GraphResource, ResourceGraph
from platformkit.graph.normalise import UNKNOWN_VALUE
from platformkit.graph.preview import graph_from_preview, read_preview

FIXTURES = Path(__file__).parent / "fixtures"
DEV = FIXTURES / "preview-dev.json"

P = "urn:pulumi:dev::platform::"
STACK = P + "pulumi:pulumi:Stack::platform-dev"
AWS = P + "pulumi:providers:aws::aws"
KEYS = P + "platform:keys:Keys::keys"
CLUSTER = P + "platform:cluster:Cluster::cluster"
EKS = P + "platform:cluster:Cluster$aws:eks/cluster:Cluster::cluster-eks"
LAUNCH_TEMPLATE = P + "platform:cluster:Cluster$aws:ec2/launchTemplate:LaunchTemplate::cluster-system-launch-template"
ENTRY = P + "platform:cluster:Cluster$aws:eks/accessEntry:AccessEntry::cluster-admin-0"
ASSOCIATION = P + "platform:cluster:Cluster$aws:eks/accessPolicyAssociation:AccessPolicyAssociation::cluster-admin-0-policy"
KUBERNETES = P + "platform:cluster:Cluster$pulumi:providers:kubernetes::cluster-kubernetes"
NODE_GROUP = P + "platform:cluster:Cluster$aws:eks/nodeGroup:NodeGroup::cluster-system"
KEYS_COMPONENT = "project:///platform/platformkit/keys/component.py"
CLUSTER_COMPONENT = "project:///platform/platformkit/cluster/component.py"
TAGS = {
    "cost-centre": "CC-1001",
    "environment": "dev",
    "managed-by": "pulumi",
    "owner": "platform-team",
    "repository": "github.com/acme/platform",
}


def key(role: str) -> str:
    return P + f"platform:keys:Keys$aws:kms/key:Key::keys-{role}"


def alias(role: str) -> str:
    return P + f"platform:keys:Keys$aws:kms/alias:Alias::keys-{role}-alias"


@pytest.fixture(scope="module")
def dev() -> ResourceGraph:
    return read_preview(DEV)


@pytest.fixture(scope="module")
def raw_dev() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEV.read_text(encoding="utf-8"))
    return data


# --- synthetic previews ----------------------------------------------------------------------


def state(urn: str, type_token: str, **fields: Any) -> dict[str, Any]:
    """A ``newState`` as Pulumi writes it (``custom`` true unless told)."""
    return {"urn": urn, "custom": fields.pop("custom", True), "type": type_token, **fields}


def step(op: str, urn: str, new: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {"op": op, "urn": urn, **fields}
    if new is not None:
        raw["newState"] = new
    raw.setdefault("detailedDiff", None)
    return raw


def stack_step(op: str = "same") -> dict[str, Any]:
    return step(op, STACK, state(STACK, "pulumi:pulumi:Stack", custom=False))


def bucket(op: str = "create", **fields: Any) -> dict[str, Any]:
    urn = P + "aws:s3/bucket:Bucket::b"
    return step(op, urn, state(urn, "aws:s3/bucket:Bucket", parent=STACK, **fields))


def doc(*steps: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"steps": [stack_step(), *steps], **top}


def one(data: dict[str, Any], urn: str) -> GraphResource:
    return graph_from_preview(data, origin="preview.json").by_urn()[urn]


def refusal(data: Any) -> str:
    with pytest.raises(PlatformError) as caught:
        graph_from_preview(data, origin="preview.json")
    return str(caught.value)


# --- the dev fixture -------------------------------------------------------------------------


def test_graph_names_the_stack_of_the_urns_and_is_marked_as_a_preview(dev: ResourceGraph) -> None:
    assert (dev.project, dev.stack, dev.source, dev.warnings) == ("platform", "dev", "preview", [])


def test_one_record_per_resource_left_after_the_preview_in_step_order(dev: ResourceGraph) -> None:
    assert [r.urn for r in dev.resources] == [
        STACK,
        AWS,
        KEYS,
        key("data"),
        alias("data"),
        key("logs"),
        alias("logs"),
        key("secrets"),
        alias("secrets"),
        CLUSTER,
        EKS,
        LAUNCH_TEMPLATE,
        ENTRY,
        ASSOCIATION,
        KUBERNETES,
    ]


def test_deleted_resources_and_the_replaced_original_leave_no_record(dev: ResourceGraph, raw_dev: dict[str, Any]) -> None:
    ops = {s["op"] for s in raw_dev["steps"]}
    assert {"delete", "delete-replaced", "create-replacement", "replace", "create", "update", "same"} <= ops
    urns = [r.urn for r in dev.resources]
    assert key("backups") not in urns
    assert alias("backups") not in urns
    assert urns.count(key("data")) == 1
    assert len(urns) == len(set(urns))


def test_root_stack_record(dev: ResourceGraph) -> None:
    # Its position is in the installed SDK (pulumi/runtime/stack.py): not our code.
    assert dev.by_urn()[STACK] == GraphResource(
        urn=STACK, type="pulumi:pulumi:Stack", name="platform-dev", parent=None, custom=False, inputs={}
    )


def test_provider_record_keeps_its_inputs_and_drops_a_position_inside_the_virtualenv(dev: ResourceGraph) -> None:
    assert dev.by_urn()[AWS] == GraphResource(
        urn=AWS,
        type="pulumi:providers:aws",
        name="aws",
        parent=STACK,
        custom=True,
        inputs={
            "allowedAccountIds": '["111111111111"]',
            "region": "eu-west-1",
            "skipCredentialsValidation": "false",
            "skipRegionValidation": "true",
            "version": "7.51.1",
        },
        dependencies=[],
        property_dependencies={
            "allowedAccountIds": [],
            "skipRegionValidation": [],
            "skipCredentialsValidation": [],
            "region": [],
        },
        provider=None,
        source_position=None,
    )


def test_component_record(dev: ResourceGraph) -> None:
    assert dev.by_urn()[KEYS] == GraphResource(
        urn=KEYS,
        type="platform:keys:Keys",
        name="keys",
        parent=STACK,
        custom=False,
        inputs={},
        source_position="project:///stacks/program.py#58",
    )
    assert dev.by_urn()[KEYS].is_component


def test_replaced_key_is_one_record_from_the_replacement_new_state(dev: ResourceGraph) -> None:
    data = dev.by_urn()[key("data")]
    # The old state had multiRegion (the reason for the replacement); the new one does not.
    assert "multiRegion" not in data.inputs
    without_policy = {k: v for k, v in data.inputs.items() if k != "policy"}
    assert without_policy == {
        "customerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "deletionWindowInDays": 7,
        "description": "acme-dev-data: data encryption key (dev)",
        "enableKeyRotation": True,
        "keyUsage": "ENCRYPT_DECRYPT",
        "rotationPeriodInDays": 365,
        "tags": {**TAGS, "Name": "acme-dev-data", "purpose": "data"},
    }
    assert json.loads(data.inputs["policy"])["Statement"][0]["Sid"] == "AccountAdministersKeyThroughIam"
    assert (data.type, data.name, data.parent, data.custom) == ("aws:kms/key:Key", "keys-data", KEYS, True)
    assert data.provider == AWS
    assert data.dependencies == []
    assert data.property_dependencies == {k: [] for k in data.inputs}
    assert data.source_position == f"{KEYS_COMPONENT}#43"


def test_an_input_unknown_until_its_dependency_is_replaced_is_unknown(dev: ResourceGraph) -> None:
    assert dev.by_urn()[alias("data")] == GraphResource(
        urn=alias("data"),
        type="aws:kms/alias:Alias",
        name="keys-data-alias",
        parent=KEYS,
        custom=True,
        inputs={"name": "alias/acme-dev-data", "targetKeyId": UNKNOWN},
        dependencies=[key("data")],
        property_dependencies={"name": [], "targetKeyId": [key("data")]},
        provider=AWS,
        source_position=f"{KEYS_COMPONENT}#55",
    )
    # An unchanged alias keeps its known target.
    assert dev.by_urn()[alias("logs")].inputs["targetKeyId"] == "3a9e2f41-6c7d-4e08-b1f5-92d4c8a7e315"


def test_integral_float_becomes_an_int(dev: ResourceGraph, raw_dev: dict[str, Any]) -> None:
    raw = next(s for s in raw_dev["steps"] if s["urn"] == key("logs"))
    assert raw["newState"]["inputs"]["deletionWindowInDays"] == 7.0
    assert isinstance(raw["newState"]["inputs"]["deletionWindowInDays"], float)
    window = dev.by_urn()[key("logs")].inputs["deletionWindowInDays"]
    assert window == 7
    assert type(window) is int


def test_nested_unknown_in_a_list_of_maps(dev: ResourceGraph) -> None:
    template = dev.by_urn()[LAUNCH_TEMPLATE]
    assert template.inputs["blockDeviceMappings"] == [
        {
            "deviceName": "/dev/xvda",
            "ebs": {
                "deleteOnTermination": "true",
                "encrypted": "true",
                "kmsKeyId": UNKNOWN,
                "volumeSize": 50,
                "volumeType": "gp3",
            },
        }
    ]
    assert type(template.inputs["blockDeviceMappings"][0]["ebs"]["volumeSize"]) is int
    assert template.dependencies == [key("data")]
    assert template.property_dependencies["blockDeviceMappings"] == [key("data")]
    assert template.parent == CLUSTER
    assert template.source_position == f"{CLUSTER_COMPONENT}#292"


def test_secret_input_stays_masked(dev: ResourceGraph) -> None:
    assert dev.by_urn()[KUBERNETES] == GraphResource(
        urn=KUBERNETES,
        type="pulumi:providers:kubernetes",
        name="cluster-kubernetes",
        parent=CLUSTER,
        custom=True,
        inputs={"enableServerSideApply": "true", "kubeconfig": SECRET, "version": "4.34.2"},
        dependencies=[NODE_GROUP, EKS],
        property_dependencies={"enableServerSideApply": [], "kubeconfig": [EKS]},
        provider=None,
        source_position=f"{CLUSTER_COMPONENT}#245",
    )


def test_created_resource_with_an_input_unknown_until_its_sibling_exists(dev: ResourceGraph) -> None:
    assert dev.by_urn()[ASSOCIATION] == GraphResource(
        urn=ASSOCIATION,
        type="aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
        name="cluster-admin-0-policy",
        parent=CLUSTER,
        custom=True,
        inputs={
            "accessScope": {"type": "cluster"},
            "clusterName": "acme-dev-eks",
            "policyArn": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
            "principalArn": UNKNOWN,
        },
        dependencies=[EKS, ENTRY],
        property_dependencies={"accessScope": [], "clusterName": [EKS], "policyArn": [], "principalArn": [ENTRY]},
        provider=AWS,
        source_position=f"{CLUSTER_COMPONENT}#231",
    )
    assert dev.by_urn()[ENTRY].inputs == {
        "clusterName": "acme-dev-eks",
        "principalArn": "arn:aws:iam::111111111111:role/platform-admins",
        "tags": {**TAGS, "Name": "acme-dev-eks-admin-0"},
        "type": "STANDARD",
    }


def test_every_aws_resource_names_the_provider_urn_without_its_id(dev: ResourceGraph, raw_dev: dict[str, Any]) -> None:
    references = {s["newState"]["provider"] for s in raw_dev["steps"] if "provider" in s.get("newState", {})}
    assert references == {AWS + "::6d0e3c1a-35f4-4b7e-9f0e-3c2b8f1d9a47"}
    aws_resources = [r for r in dev.resources if r.custom and r.package == "aws" and not r.is_provider]
    assert len(aws_resources) == 10
    assert {r.provider for r in aws_resources} == {AWS}


def test_no_value_keeps_pulumis_unknown_placeholder(dev: ResourceGraph) -> None:
    assert UNKNOWN_VALUE not in json.dumps(dev.to_json())


def test_graph_round_trips_through_its_json(dev: ResourceGraph, tmp_path: Path) -> None:
    assert ResourceGraph.from_json(dev.to_json()) == dev
    path = tmp_path / "graph.json"
    dev.write(path)
    assert ResourceGraph.read(path) == dev


# --- steps and ops ---------------------------------------------------------------------------


def test_replacement_steps_in_delete_before_replace_order_give_one_record_at_the_first_step() -> None:
    urn = P + "aws:s3/bucket:Bucket::b"
    first = state(urn, "aws:s3/bucket:Bucket", parent=STACK, inputs={"bucket": "from-create-replacement"})
    logical = state(urn, "aws:s3/bucket:Bucket", parent=STACK, inputs={"bucket": "from-replace"})
    after = bucket("create", inputs={"bucket": "x"})
    after["urn"] = after["newState"]["urn"] = P + "aws:s3/bucket:Bucket::after"
    graph = graph_from_preview(
        doc(
            step("delete-replaced", urn, oldState=first),
            step("replace", urn, logical),
            step("create-replacement", urn, first),
            after,
        ),
        origin="preview.json",
    )
    assert [r.name for r in graph.resources] == ["platform-dev", "b", "after"]
    assert graph.by_urn()[urn].inputs == {"bucket": "from-replace"}


def test_plain_json_output_shows_a_replacement_as_one_replace_step() -> None:
    resource = one(doc(bucket("replace", inputs={"bucket": "b"})), P + "aws:s3/bucket:Bucket::b")
    assert resource.inputs == {"bucket": "b"}


@pytest.mark.parametrize("op", ["delete", "delete-replaced", "discard", "discard-replaced", "remove-pending-replace"])
def test_ops_that_leave_nothing_are_skipped(op: str) -> None:
    urn = P + "aws:s3/bucket:Bucket::gone"
    old = state(urn, "aws:s3/bucket:Bucket", parent=STACK)
    graph = graph_from_preview(doc(step(op, urn, oldState=old)), origin="preview.json")
    assert [r.urn for r in graph.resources] == [STACK]


@pytest.mark.parametrize("op", ["read", "read-replacement"])
def test_reads_of_resources_the_stack_does_not_manage_are_dropped(op: str) -> None:
    urn = P + "aws:ec2/vpc:Vpc::shared"
    graph = graph_from_preview(
        doc(step(op, urn, state(urn, "aws:ec2/vpc:Vpc", parent=STACK, external=True, id="vpc-1"))), origin="preview.json"
    )
    assert [r.urn for r in graph.resources] == [STACK]


def test_refresh_steps_do_not_decide_the_record() -> None:
    urn = P + "aws:s3/bucket:Bucket::b"
    refreshed = state(urn, "aws:s3/bucket:Bucket", parent=STACK, inputs={"bucket": "refreshed"})
    graph = graph_from_preview(doc(step("refresh", urn, refreshed), bucket("update", inputs={"bucket": "wanted"})), origin="p")
    assert graph.by_urn()[urn].inputs == {"bucket": "wanted"}


@pytest.mark.parametrize("op", ["import", "import-replacement"])
def test_imported_resources_are_kept(op: str) -> None:
    assert one(doc(bucket(op, inputs={"bucket": "b"})), P + "aws:s3/bucket:Bucket::b").inputs == {"bucket": "b"}


def test_an_unknown_op_is_refused_rather_than_guessed() -> None:
    message = refusal(doc(bucket("teleport")))
    assert message.startswith("preview.json: steps[1] has op 'teleport', which this reader does not know")
    assert "hint: a newer Pulumi CLI may have added it" in message


def test_two_non_replacement_steps_for_one_urn_are_refused() -> None:
    message = refusal(doc(bucket("create"), bucket("update")))
    assert message.startswith(
        "preview.json: steps[1] (op 'create') and steps[2] (op 'update') both declare "
        "urn:pulumi:dev::platform::aws:s3/bucket:Bucket::b"
    )


# --- values ----------------------------------------------------------------------------------


def test_secrets_and_unknowns_are_masked_at_any_depth() -> None:
    inputs = {
        "password": "[secret]",
        "rules": [{"id": UNKNOWN_VALUE, "tokens": ["plain", "[secret]"]}],
        "nested": {"deeper": {"value": UNKNOWN_VALUE, "count": 3.0, "ratio": 0.5}},
        "wire": {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "v1:abc"},
    }
    resource = one(doc(bucket(inputs=inputs)), P + "aws:s3/bucket:Bucket::b")
    assert resource.inputs == {
        "password": SECRET,
        "rules": [{"id": UNKNOWN, "tokens": ["plain", SECRET]}],
        "nested": {"deeper": {"value": UNKNOWN, "count": 3, "ratio": 0.5}},
        "wire": SECRET,
    }


def test_provider_reference_with_an_id_unknown_during_preview_keeps_the_urn() -> None:
    provider = P + "pulumi:providers:aws::default_7_51_1"
    resource = one(doc(bucket(provider=f"{provider}::{UNKNOWN_VALUE}")), P + "aws:s3/bucket:Bucket::b")
    assert resource.provider == provider


def test_empty_dependency_lists_written_as_null_become_empty_lists() -> None:
    resource = one(
        doc(bucket(inputs={"bucket": "b"}, dependencies=None, propertyDependencies={"bucket": None})),
        P + "aws:s3/bucket:Bucket::b",
    )
    assert (resource.dependencies, resource.property_dependencies) == ([], {"bucket": []})


def test_missing_optional_fields_give_empty_values() -> None:
    resource = one(doc(bucket()), P + "aws:s3/bucket:Bucket::b")
    assert (resource.inputs, resource.dependencies, resource.property_dependencies) == ({}, [], {})
    assert (resource.provider, resource.source_position) == (None, None)


@pytest.mark.parametrize(
    ("position", "expected"),
    [
        ("project:///stacks/program.py#42", "project:///stacks/program.py#42"),
        ("project:///stacks/program.py#42,7", "project:///stacks/program.py#42"),
        ("project:///stacks/program.py", "project:///stacks/program.py"),
        ("project:///stacks/my%20program.py#3", "project:///stacks/my program.py#3"),
        ("project:///stacks/./lib/../program.py#9", "project:///stacks/program.py#9"),
        ("project:///.venv/lib/python3.11/site-packages/pulumi_aws/provider.py#805", None),
        ("project:///usr/lib/python3/site-packages/pulumi/stack.py#10", None),
        ("project:///../shared/lib.py#5", None),
        ("file:///work/stacks/program.py#42", None),
        ("", None),
    ],
)
def test_source_positions_are_normalised(position: str, expected: str | None) -> None:
    resource = one(doc(bucket(sourcePosition=position)), P + "aws:s3/bucket:Bucket::b")
    assert resource.source_position == expected


def test_urn_with_a_name_containing_the_separator_keeps_the_whole_name() -> None:
    urn = P + "aws:s3/bucket:Bucket::odd::name"
    resource = one(doc(step("create", urn, state(urn, "aws:s3/bucket:Bucket", parent=STACK))), urn)
    assert resource.name == "odd::name"


def test_warning_diagnostics_become_graph_warnings() -> None:
    diagnostics = [
        {"urn": STACK, "message": "warning: the old tag scheme is deprecated\n", "severity": "warning"},
        {"message": "hello from the program\n", "severity": "info"},
        {"urn": P + "aws:s3/bucket:Bucket::b", "message": "warning: bucket b is public\n", "severity": "warning"},
    ]
    graph = graph_from_preview(doc(bucket(), diagnostics=diagnostics), origin="preview.json")
    assert graph.warnings == ["the old tag scheme is deprecated", "bucket b is public"]


# --- refusals --------------------------------------------------------------------------------


def test_preview_without_show_sames_is_refused(tmp_path: Path) -> None:
    path = FIXTURES / "preview-dev-no-show-sames.json"
    with pytest.raises(PlatformError) as caught:
        read_preview(path)
    assert caught.value.message == (
        f"{path}: the preview leaves out unchanged resources (changeSummary counts 9 'same', the steps show 1): "
        "it was written without --show-sames"
    )
    assert caught.value.hint == "re-run `pulumi preview --json --show-sames > FILE` (and without --changes-only)"


def test_preview_with_no_same_step_at_all_but_sames_counted_is_refused() -> None:
    data = {"steps": [bucket()], "changeSummary": {"create": 1, "same": 4}}
    assert "changeSummary counts 4 'same', the steps show 0" in refusal(data)


def test_preview_of_a_new_stack_has_no_sames_to_show() -> None:
    data = {"steps": [stack_step("create"), bucket()], "changeSummary": {"create": 2}}
    assert len(graph_from_preview(data, origin="p").resources) == 2


def test_mixed_stacks_are_refused() -> None:
    path = FIXTURES / "preview-mixed-stacks.json"
    with pytest.raises(PlatformError) as caught:
        read_preview(path)
    assert caught.value.message == (
        f"{path}: the steps belong to more than one stack: platform/dev (from steps[0]), platform/prod (from steps[3])"
    )


def test_malformed_json_is_refused_naming_the_file_and_position() -> None:
    path = FIXTURES / "preview-malformed.json"
    with pytest.raises(PlatformError) as caught:
        read_preview(path)
    assert caught.value.message == f"{path}: not JSON (Expecting property name enclosed in double quotes at line 29 column 1)"


def test_missing_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "absent.json"
    with pytest.raises(PlatformError) as caught:
        read_preview(path)
    assert caught.value.message == f"{path}: cannot read (No such file or directory)"


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "preview.json"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(PlatformError) as caught:
        read_preview(path)
    assert caught.value.message == f"{path}: not a text file (expected the JSON of `pulumi preview --json --show-sames`)"


def test_a_resource_graph_is_not_a_preview(dev: ResourceGraph) -> None:
    assert refusal(dev.to_json()) == (
        "preview.json: the preview has no steps\n"
        "  hint: write the file with `pulumi preview --json --show-sames > FILE`; even an empty program has its stack"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([1, 2], "preview.json: not a Pulumi preview (expected a JSON object with 'steps', got a list)"),
        ("steps", "preview.json: not a Pulumi preview (expected a JSON object with 'steps', got a string)"),
        ({"steps": []}, "preview.json: the preview has no steps"),
        ({"steps": {"op": "same"}}, "preview.json: 'steps' is an object, not a list"),
        ({"steps": ["same"]}, "preview.json: steps[0] is a string, not an object"),
        ({"steps": [{"urn": STACK}]}, "preview.json: steps[0] has no 'op'"),
        (
            {"steps": [{"op": "same", "urn": "platform-dev"}]},
            "preview.json: steps[0] (op 'same') has no Pulumi URN (got 'platform-dev')",
        ),
        ({"steps": [{"op": "same"}]}, "preview.json: steps[0] (op 'same') has no Pulumi URN (got None)"),
        ({"steps": [stack_step()], "changeSummary": [1]}, "preview.json: 'changeSummary' is a list, not an object"),
        (
            {"steps": [stack_step()], "changeSummary": {"same": "1"}},
            "preview.json: 'changeSummary.same' is a string, not a number",
        ),
        ({"steps": [stack_step()], "diagnostics": {"message": "x"}}, "preview.json: 'diagnostics' is not a list of objects"),
    ],
)
def test_bad_documents_are_refused_with_one_clear_message(data: Any, message: str) -> None:
    assert refusal(data).split("\n")[0] == message


def test_a_step_that_needs_a_new_state_but_has_none_is_refused() -> None:
    urn = P + "aws:s3/bucket:Bucket::b"
    message = refusal(doc(step("create", urn)))
    assert message.split("\n")[0] == f"preview.json: steps[1] (op 'create', {urn}) has no newState"


@pytest.mark.parametrize(
    ("new_state", "problem"),
    [
        ({"urn": "u", "custom": True}, "newState has no 'type'"),
        ({"urn": "u", "type": "aws:s3/bucket:Bucket"}, "newState has no boolean 'custom'"),
        ({"custom": True, "type": "aws:s3/bucket:Bucket", "inputs": ["x"]}, "newState 'inputs' is a list, not an object"),
        ({"custom": True, "type": "aws:s3/bucket:Bucket", "parent": 3}, "newState 'parent' is a number, not a URN"),
        ({"custom": True, "type": "aws:s3/bucket:Bucket", "dependencies": "x"}, "newState 'dependencies' is not a list of URNs"),
        (
            {"custom": True, "type": "aws:s3/bucket:Bucket", "propertyDependencies": {"a": [1]}},
            "newState 'propertyDependencies.a' is not a list of URNs",
        ),
        (
            {"custom": True, "type": "aws:s3/bucket:Bucket", "provider": "aws"},
            "newState 'provider' is not a provider reference (got 'aws')",
        ),
    ],
)
def test_malformed_new_states_are_refused(new_state: dict[str, Any], problem: str) -> None:
    urn = P + "aws:s3/bucket:Bucket::b"
    assert refusal(doc(step("create", urn, new_state))) == f"preview.json: steps[1] (op 'create', {urn}): {problem}"


def test_a_failed_preview_is_refused_with_its_error() -> None:
    diagnostics = [
        {"urn": STACK, "message": "error: Program failed with an unhandled exception:\n  boom\n", "severity": "error"},
        {"urn": STACK, "message": "error: update failed\n", "severity": "error"},
    ]
    message = refusal(doc(diagnostics=diagnostics))
    assert message == (
        "preview.json: the preview failed, so its steps are incomplete: "
        "Program failed with an unhandled exception:\n  boom (and 1 more errors)\n"
        "  hint: fix the error, then re-run `pulumi preview --json --show-sames > FILE`"
    )

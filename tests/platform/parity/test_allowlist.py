"""The allow-list file: strict validation with the file, line and key in every message; the real file."""

from __future__ import annotations

from pathlib import Path

import pytest

from platformkit.environment.model import EnvironmentConfig
from platformkit.errors import ConfigErrors
from platformkit.parity import load_allowlist
from platformkit.parity.allowlist import path_matches, type_matches

REPO_ROOT = Path(__file__).resolve().parents[3]
REAL = REPO_ROOT / "environments" / "parity.yaml"

VALID = """\
baseline: dev
counts:
  - type: aws:ec2/subnet:Subnet
    reason: one per AZ
properties:
  - type: aws:rds/instance:Instance
    paths: [instanceClass]
    reason: sizes
shapes:
  - environment: perf
    reference: prod
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "parity.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def errors_of(path: Path) -> str:
    with pytest.raises(ConfigErrors) as err:
        load_allowlist(path)
    return str(err.value)


def test_valid_file_loads(tmp_path: Path) -> None:
    allowlist = load_allowlist(write(tmp_path, VALID))
    assert allowlist.baseline == "dev"
    assert allowlist.counts[0].type == "aws:ec2/subnet:Subnet"
    assert allowlist.counts[0].allow_absent is False
    assert allowlist.properties[0].paths == ["instanceClass"]
    assert allowlist.shapes[0].properties == []
    assert allowlist.source.endswith("parity.yaml")


def test_missing_reason(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("    reason: sizes\n", ""))
    message = errors_of(path)
    assert f"{path}:6: properties[0].reason: is required but missing" in message


def test_empty_reason(tmp_path: Path) -> None:
    message = errors_of(write(tmp_path, VALID.replace("reason: one per AZ", 'reason: "  "')))
    assert "parity.yaml:4: counts[0].reason: must say why" in message


def test_unknown_key_names_the_key_and_suggests(tmp_path: Path) -> None:
    message = errors_of(write(tmp_path, VALID.replace("    paths: [instanceClass]", "    path: [instanceClass]")))
    assert "parity.yaml:7: properties[0].path: unknown key; did you mean 'paths'?" in message
    message = errors_of(write(tmp_path, VALID + "extra: 1\n"))
    assert "parity.yaml:12: extra: unknown key" in message


def test_unknown_key_in_a_shape(tmp_path: Path) -> None:
    message = errors_of(write(tmp_path, VALID + "    propertes: []\n"))
    assert "shapes[0].propertes: unknown key; did you mean 'properties'?" in message


def test_bad_type(tmp_path: Path) -> None:
    message = errors_of(write(tmp_path, VALID.replace("type: aws:rds/instance:Instance", "type: 42")))
    assert "parity.yaml:6: properties[0].type: input should be a valid string (got 42)" in message
    message = errors_of(write(tmp_path, VALID.replace("type: aws:rds/instance:Instance", "type: rds instance")))
    assert "properties[0].type: 'rds instance' is not a resource type token" in message


def test_bad_path_and_empty_paths(tmp_path: Path) -> None:
    message = errors_of(write(tmp_path, VALID.replace("[instanceClass]", "['.instanceClass']")))
    assert "properties[0].paths: '.instanceClass' is not a property path glob" in message
    message = errors_of(write(tmp_path, VALID.replace("[instanceClass]", "[]")))
    assert "properties[0].paths: list should have at least 1 item" in message


def test_all_problems_reported_together(tmp_path: Path) -> None:
    text = VALID.replace("    reason: sizes\n", "").replace("reason: one per AZ", "reasons: one per AZ")
    message = errors_of(write(tmp_path, text))
    assert "properties[0].reason: is required" in message
    assert "counts[0].reason: is required" in message
    assert "counts[0].reasons: unknown key" in message


def test_missing_baseline_and_bad_shape(tmp_path: Path) -> None:
    message = errors_of(write(tmp_path, VALID.replace("baseline: dev\n", "").replace("reference: prod", "reference: perf")))
    assert "parity.yaml: baseline: is required but missing" in message
    assert "shapes[0]: environment and reference are both 'perf'" in message


def test_duplicate_shape_environment(tmp_path: Path) -> None:
    message = errors_of(write(tmp_path, VALID + "  - environment: perf\n    reference: staging\n"))
    assert "has two shapes entries" in message


def test_not_yaml_not_a_mapping_missing_file(tmp_path: Path) -> None:
    assert "parity.yaml:3: is not valid YAML" in errors_of(write(tmp_path, "baseline: dev\ncounts: [\n"))
    assert "must be a mapping" in errors_of(write(tmp_path, "- dev\n"))
    assert "cannot read" in errors_of(tmp_path / "absent.yaml")


def test_globs() -> None:
    assert type_matches("aws:rds/*", "aws:rds/instance:Instance")
    assert not type_matches("aws:rds/instance:Instance", "aws:rds/instance:InstanceX")
    assert path_matches("rules[*].expiration.days", "rules[0].expiration.days")
    assert path_matches("rules[0].expiration", "rules[0].expiration.days")  # a property covers what is inside it
    assert path_matches("vpcConfig", "vpcConfig.publicAccessCidrs")
    assert not path_matches("vpcConfig", "vpcConfigX")
    assert not path_matches("tags.owner", "tags.owners")
    assert path_matches("metadata.labels.*/owner", "metadata.labels.acme.platform/owner")


# --- the repository's own allow-list -----------------------------------------------------------


def test_real_allow_list_is_valid_and_specific(environments: dict[str, EnvironmentConfig]) -> None:
    allowlist = load_allowlist(REAL)
    assert allowlist.baseline in environments
    entries = [*allowlist.properties, *(p for s in allowlist.shapes for p in s.properties)]
    for entry in entries:
        if entry.type in ("*", "kubernetes:*"):
            # only tags and labels may be allowed across every type
            assert all(p.startswith(("tags.", "metadata.labels.")) for p in entry.paths), entry
        else:
            assert "*" not in entry.type, entry
    for shape in allowlist.shapes:
        assert shape.environment in environments and shape.reference in environments
        assert environments[shape.environment].shape_of == shape.reference
    for name, env in environments.items():
        if env.shape_of is not None:
            assert allowlist.shape_for(name) is not None, f"{name} declares shapeOf but has no shapes entry"


def test_real_allow_list_keeps_sizes_strict_for_shapes() -> None:
    allowlist = load_allowlist(REAL)
    perf = allowlist.shape_for("perf")
    assert perf is not None
    _, shape = perf
    strict = {"instanceTypes", "instanceClass", "multiAz", "scalingConfig.minSize", "capacityType", "allocatedStorage"}
    for entry in shape.properties:
        assert not strict & set(entry.paths), entry
    assert {c.type for c in shape.counts} <= {
        "aws:eks/accessEntry:AccessEntry",
        "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
    }

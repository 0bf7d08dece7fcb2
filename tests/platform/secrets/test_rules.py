""".sops.yaml is generated from the environment model, and the committed one is current."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from platformkit.environment import EnvironmentConfig, load_all
from platformkit.secrets import kms_key_arn, prescribed_recipients, render_rules, rules_are_fresh, write_rules
from platformkit.secrets.rules import RulesError, load_rules, parse_rules, partition, rule_for


def test_committed_sops_config_is_what_the_environments_generate(
    repo_root: Path, environments: dict[str, EnvironmentConfig]
) -> None:
    committed = (repo_root / ".sops.yaml").read_text()
    assert committed == render_rules(environments), "'.sops.yaml' is stale: run 'platform secrets sync-rules'"


def test_each_environment_gets_its_kms_key_with_context_and_its_age_recipients(
    environments: dict[str, EnvironmentConfig],
) -> None:
    rules = parse_rules(render_rules(environments))
    assert len(rules) == len(environments)
    for name, env in environments.items():
        rule = rule_for(rules, f"environments/secrets/{name}.enc.yaml")
        assert rule is not None
        assert rule.recipients == prescribed_recipients(env)
        (kms,) = rule.recipients.kms
        assert kms.arn == f"arn:aws:kms:{env.account.region}:{env.account.id}:alias/{env.org}-{name}-secrets"
        assert dict(kms.context) == {"environment": name, "purpose": "platform-secrets"}
        assert rule.recipients.age == set(env.secrets.break_glass_age_recipients)
        assert rule.unencrypted_suffix == "_unencrypted"


def test_no_environment_can_read_another_ones_file(environments: dict[str, EnvironmentConfig]) -> None:
    rules = parse_rules(render_rules(environments))
    for name in environments:
        rule = rule_for(rules, f"environments/secrets/{name}.enc.yaml")
        assert rule is not None
        for other, other_env in environments.items():
            if other == name:
                continue
            assert kms_key_arn(other_env) not in {k.arn for k in rule.recipients.kms}
            assert not rule.recipients.age & set(other_env.secrets.break_glass_age_recipients)


@pytest.mark.parametrize(
    ("path", "env"),
    [
        ("environments/secrets/dev.enc.yaml", "dev"),
        ("/abs/checkout/environments/secrets/prod.enc.yaml", "prod"),
        ("environments/secrets/devx.enc.yaml", None),
        ("environments/secrets/dev.enc.yaml.bak", None),
        ("environments/secrets/unknown.enc.yaml", None),
        ("other/dev.enc.yaml", None),
    ],
)
def test_rules_match_only_their_environments_file(path: str, env: str | None, environments: dict[str, EnvironmentConfig]) -> None:
    rule = rule_for(parse_rules(render_rules(environments)), path)
    if env is None:
        assert rule is None
    else:
        assert rule is not None and rule.recipients == prescribed_recipients(environments[env])


def test_rendered_rules_are_valid_yaml_with_the_sops_schema(environments: dict[str, EnvironmentConfig]) -> None:
    document = yaml.safe_load(render_rules(environments))
    assert set(document) == {"creation_rules"}
    for rule in document["creation_rules"]:
        assert set(rule) == {"path_regex", "unencrypted_suffix", "key_groups"}
        re.compile(rule["path_regex"])
        (group,) = rule["key_groups"]
        assert set(group) <= {"kms", "age"}


def test_sync_writes_then_is_idempotent_and_staleness_is_detected(tmp_path: Path, repo_root: Path) -> None:
    envs = load_all(repo_root)
    assert not rules_are_fresh(tmp_path, envs)
    assert write_rules(tmp_path, envs) is True
    assert rules_are_fresh(tmp_path, envs)
    assert write_rules(tmp_path, envs) is False
    changed = {
        **envs,
        "dev": envs["dev"].model_copy(update={"account": envs["dev"].account.model_copy(update={"id": "999999999999"})}),
    }
    assert not rules_are_fresh(tmp_path, changed)
    assert "arn:aws:kms:eu-west-1:999999999999:alias/acme-dev-secrets" in render_rules(changed)


def test_partition_follows_the_region() -> None:
    assert partition("eu-west-1") == "aws"
    assert partition("us-gov-west-1") == "aws-us-gov"
    assert partition("cn-north-1") == "aws-cn"


def test_unreadable_or_malformed_config_is_reported(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="missing"):
        load_rules(tmp_path / ".sops.yaml")
    (tmp_path / ".sops.yaml").write_text("creation_rules: [\n")
    with pytest.raises(RulesError, match="not valid YAML"):
        load_rules(tmp_path / ".sops.yaml")
    (tmp_path / ".sops.yaml").write_text("other: 1\n")
    with pytest.raises(RulesError, match="no 'creation_rules'"):
        load_rules(tmp_path / ".sops.yaml")

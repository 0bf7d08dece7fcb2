"""Keys: three rotated keys with explicit policies and aliases."""

from __future__ import annotations

import json

from platformkit.context import Context
from platformkit.environment.model import KeySettings
from platformkit.keys import Keys, KeysArgs

KEY = "aws:kms/key:Key"


def test_three_keys_with_rotation_and_deletion_window(record, ctx: Context) -> None:
    graph = record(lambda: Keys("keys", KeysArgs(context=ctx, settings=KeySettings(deletion_window_days=10))))
    keys = graph.of_type(KEY)
    assert sorted(k.name for k in keys) == ["keys-data", "keys-logs", "keys-secrets"]
    for key in keys:
        assert key.inputs["enableKeyRotation"] is True
        assert key.inputs["rotationPeriodInDays"] == 365
        assert key.inputs["deletionWindowInDays"] == 10
        assert key.inputs["tags"]["environment"] == "test"
        assert key.parent is not None and key.parent.endswith("platform:keys:Keys::keys")


def test_aliases_point_at_their_keys(record, ctx: Context) -> None:
    graph = record(lambda: Keys("keys", KeysArgs(context=ctx)))
    aliases = {a.inputs["name"]: a for a in graph.of_type("aws:kms/alias:Alias")}
    assert set(aliases) == {"alias/acme-test-data", "alias/acme-test-logs", "alias/acme-test-secrets"}
    data_key = graph.named("keys-data")
    assert aliases["alias/acme-test-data"].property_dependencies["targetKeyId"] == [data_key.urn]


def test_logs_key_only_serves_this_accounts_log_groups(record, ctx: Context) -> None:
    graph = record(lambda: Keys("keys", KeysArgs(context=ctx)))
    policy = json.loads(graph.named("keys-logs").inputs["policy"])
    logs = next(s for s in policy["Statement"] if s.get("Principal", {}).get("Service") == "logs.eu-west-1.amazonaws.com")
    assert logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"] == "arn:aws:logs:eu-west-1:123456789012:log-group:*"
    data_policy = json.loads(graph.named("keys-data").inputs["policy"])
    assert not any(s.get("Principal", {}).get("Service") for s in data_policy["Statement"])


def test_no_key_policy_grants_a_wildcard_principal(record, ctx: Context) -> None:
    graph = record(lambda: Keys("keys", KeysArgs(context=ctx)))
    for key in graph.of_type(KEY):
        for statement in json.loads(key.inputs["policy"])["Statement"]:
            assert statement["Principal"] != "*"
            assert statement["Principal"].get("AWS") != "*"

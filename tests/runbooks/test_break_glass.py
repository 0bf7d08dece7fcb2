"""break-glass against moto over HTTP, through the real CLI in a subprocess."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

import pytest

RUNBOOK = "break-glass"
ADMIN = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "BreakGlassAdministrator", "Effect": "Allow", "Action": "*", "Resource": "*"}],
}


def glass(env: str, engineer: str, *extra: str) -> list[str]:
    return ["run", RUNBOOK, "--env", env, "-p", f"engineer={engineer}", *extra]


def grant(env: str, engineer: str, *extra: str, reason: str = "inc42 fix the database by hand") -> list[str]:
    return glass(env, engineer, "-p", f"reason={reason}", *extra)


def document(value: Any) -> Any:
    return json.loads(unquote(value)) if isinstance(value, str) else value


def roles(account: Any) -> dict[str, dict[str, Any]]:
    """Break-glass roles: name -> trust policy, tags, attached policies, max session."""
    iam = account.client("iam")
    found = {}
    for role in iam.list_roles(PathPrefix="/break-glass/")["Roles"]:
        name = role["RoleName"]
        detail = iam.get_role(RoleName=name)["Role"]
        trust = detail["AssumeRolePolicyDocument"]
        found[name] = {
            "trust": document(trust),
            "tags": {t["Key"]: t["Value"] for t in detail.get("Tags", [])},
            "managed": [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]],
            "inline": {
                policy: document(iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"])
                for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]
            },
            "max_session": detail["MaxSessionDuration"],
            "arn": detail["Arn"],
        }
    return found


def with_engineers(account: Any, *names: str) -> Any:
    for name in names:
        account.client("iam").create_user(UserName=name)
    return account


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_grant_dry_run_then_a_lost_reply_then_resume_then_again(cloud: Any, runbook_cli: Any, fault_proxy: Any) -> None:
    dev = with_engineers(cloud.seed("dev"), "alice")
    role = "acme-dev-break-glass-alice"
    before = roles(dev)

    dry = runbook_cli(grant("dev", "alice", "-p", "hours=3"), dev)
    assert dry.code == 0, dry.stdout + dry.stderr
    assert roles(dev) == before == {}
    out = " ".join(dry.stdout.split())
    assert "BREAK-GLASS: alice (arn:aws:iam::111111111111:user/alice) gets AdministratorAccess in dev" in out
    assert "(3 h from now)" in out and "BREAK-GLASS: reason: inc42 fix the database by hand; granted by" in out
    assert f"--role-arn arn:aws:iam::111111111111:role/break-glass/{role}" in out
    assert dry.line("Grant the elevated role").startswith("would change")

    fault_proxy.lose_reply("CreateRole", protocol="query")
    started = datetime.now(UTC)
    first = runbook_cli(grant("dev", "alice", "-p", "hours=3", "--execute"), dev, endpoint=fault_proxy.url)
    assert first.code == 1, first.stdout + first.stderr
    assert first.line("Grant the elevated role").startswith("FAILED")
    assert list(roles(dev)) == [role] and roles(dev)[role]["inline"] == {}  # created, not finished
    resume = first.resume_args()
    assert resume[-2:] == ["--from-step", "Find the break-glass grants"]

    second = runbook_cli(resume, dev, endpoint=fault_proxy.url)
    assert second.code == 0, second.stdout + second.stderr
    assert fault_proxy.count("CreateRole") == 1
    assert "the existing grant is kept, not extended" in second.stdout
    granted = roles(dev)[role]
    expires = granted["tags"]["break-glass-expires"]
    expected = started + timedelta(hours=3)
    assert abs(datetime.strptime(expires, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) - expected) < timedelta(minutes=2)
    assert granted["inline"] == {"break-glass-admin": ADMIN} and granted["managed"] == [] and granted["max_session"] == 3600
    assert granted["trust"]["Statement"] == [
        {
            "Sid": "BreakGlassUntilExpiry",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111111111111:user/alice"},
            "Action": "sts:AssumeRole",
            "Condition": {"DateLessThan": {"aws:CurrentTime": expires}, "Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }
    ]
    tags = granted["tags"]
    assert tags["break-glass-engineer"] == "alice" and tags["break-glass-reason"] == "inc42 fix the database by hand"
    assert tags["break-glass-run"] == first.audit[-1].run_id  # the grant is the first run's, completed by the resume
    assert tags["managed-by"] == "runbook/break-glass" and tags["environment"] == "dev"
    record = second.audit[-1]
    assert record.status == "succeeded"
    assert record.outputs == {
        "action": "grant",
        "engineer": "alice",
        "role": granted["arn"],
        "expires": expires,
        "reason": "inc42 fix the database by hand",
        "granted_by": tags["break-glass-granted-by"],
        "expired_grants_revoked": [],
    }

    again = runbook_cli(grant("dev", "alice", "-p", "hours=12", "--execute"), dev)
    assert again.code == 0, again.stdout + again.stderr
    assert not any(s.changed for s in again.audit[-1].steps)
    assert roles(dev)[role] == granted  # not extended to 12 hours


def test_expired_grants_are_revoked_by_any_run_and_revoke_deletes_a_grant(cloud: Any, runbook_cli: Any) -> None:
    dev = with_engineers(cloud.seed("dev"), "bob", "carol")
    iam = dev.client("iam")
    iam.create_role(
        RoleName="acme-dev-break-glass-carol",
        Path="/break-glass/",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
        Tags=[
            {"Key": "break-glass-engineer", "Value": "carol"},
            {"Key": "break-glass-expires", "Value": stamp(datetime.now(UTC) - timedelta(minutes=5))},
        ],
    )
    iam.put_role_policy(RoleName="acme-dev-break-glass-carol", PolicyName="break-glass-admin", PolicyDocument=json.dumps(ADMIN))

    granted = runbook_cli(grant("dev", "bob", "-p", "hours=1", "--execute"), dev)
    assert granted.code == 0, granted.stdout + granted.stderr
    assert list(roles(dev)) == ["acme-dev-break-glass-bob"]
    assert granted.audit[-1].outputs["expired_grants_revoked"] == ["acme-dev-break-glass-carol"]
    assert granted.line("Revoke expired grants").startswith("changed")

    revoked = runbook_cli(glass("dev", "bob", "-p", "action=revoke", "--execute"), dev)
    assert revoked.code == 0, revoked.stdout + revoked.stderr
    assert "BREAK-GLASS REVOKE: acme-dev-break-glass-bob of bob (valid until" in " ".join(revoked.stdout.split())
    assert roles(dev) == {}
    assert revoked.audit[-1].outputs["action"] == "revoke"
    assert [s.name for s in revoked.audit[-1].steps if s.changed] == ["Revoke the elevated role"]


def test_an_unknown_engineer_is_refused_and_nothing_is_created(cloud: Any, runbook_cli: Any) -> None:
    dev = cloud.seed("dev")
    result = runbook_cli(grant("dev", "mallory", "--execute"), dev)
    assert result.code == 1
    assert result.line("Check the grant").startswith("FAILED")
    assert "no IAM user mallory in account 111111111111" in result.stdout and "nothing was changed" in result.stdout
    assert roles(dev) == {}


def test_prod_without_confirmation_refuses_and_grants_nothing(cloud: Any, runbook_cli: Any) -> None:
    prod = with_engineers(cloud.seed("prod"), "alice")
    result = runbook_cli(grant("prod", "alice", "--execute"), prod)
    assert result.code == 2
    assert "needs confirmation" in result.stderr and "--confirm prod" in result.stderr
    assert result.stderr.count("error:") == 1 and "Traceback" not in result.stderr
    assert roles(prod) == {}
    assert result.audit[-1].status == "refused"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (glass("dev", "alice"), ["parameter 'reason' is required"]),
        (grant("dev", "Alice.Smith"), ["parameter 'engineer' must match"]),
        (grant("dev", "alice", "-p", "hours=24"), ["parameter 'hours' must be at most 12; got 24"]),
        (glass("dev", "alice", "-p", "action=revoke", "-p", "hours=2"), ["'hours' applies only when action=grant"]),
        (grant("dev", "alice", reason="x"), ["parameter 'reason' must match"]),
        (glass("dev", "alice", "-p", "action=extend"), ["must be one of grant, revoke"]),
    ],
    ids=["missing-reason", "bad-engineer", "too-long", "hours-with-revoke", "short-reason", "bad-action"],
)
def test_bad_input_is_one_clear_error(runbook_cli: Any, args: list[str], words: list[str]) -> None:
    result = runbook_cli(args)  # no AWS credentials: refused before any AWS call
    assert result.code == 2, result.stdout + result.stderr
    assert result.stderr.count("error:") == 1 and "Traceback" not in result.stderr
    flat = " ".join(result.stderr.split())
    for word in words:
        assert word in flat
    assert result.audit == []

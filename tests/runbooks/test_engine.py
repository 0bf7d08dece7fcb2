"""The engine without Ansible: confirmation, refusals, resume rules, the vars file, events, diffs and the audit file."""

from __future__ import annotations

import json
import os
import shutil
import stat
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from platformkit.errors import PlatformError
from platformkit.runbooks import audit
from platformkit.runbooks.engine import Refused, RunRequest, prepare, resume_command, run
from platformkit.runbooks.playbook import VarsFile, failure_message, playbook_command, render_diff, step_result

REPO = Path(__file__).resolve().parents[2]


class Silent:
    """A reporter that records what it was told."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def started(self, plan: Any) -> None:
        self.events.append("started")

    def step_started(self, plan: Any, event: Any) -> None:
        self.events.append(f"step-started {event.name}")

    def step_finished(self, plan: Any, result: Any) -> None:
        self.events.append(f"step {result.name}")

    def finished(self, plan: Any, record: Any, resume: Any, path: Any) -> None:
        self.events.append("finished")


def request(env: str, *params: str, **options: Any) -> RunRequest:
    return RunRequest(runbook="capacity-scale", environment=env, assignments=params, **options)


SCALE = ("group=workloads", "desired=4")


@pytest.fixture
def no_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No usable AWS: any AWS call would fail, so a test passing with it proves none was made."""
    for key in list(os.environ):
        if key.startswith("AWS_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "none")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "none")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    return tmp_path / "audit"


def test_execute_on_an_environment_that_requires_confirmation_refuses_without_a_prompt(no_aws: Path) -> None:
    reporter = Silent()
    with pytest.raises(Refused) as caught:
        run(request("staging", *SCALE, execute=True, audit_dir=no_aws), reporter, prompt=None, root=REPO)
    assert "needs confirmation" in str(caught.value) and "--confirm staging" in str(caught.value)
    assert reporter.events == []
    [record] = audit.read_records(no_aws / audit.AUDIT_FILE)
    assert (record.status, record.mode, record.environment, record.who.aws) == ("refused", "execute", "staging", None)
    assert {s.status for s in record.steps} == {"not-run"}
    assert record.parameters == {"group": "workloads", "desired": 4, "wait_minutes": 20}


def test_a_wrong_typed_answer_refuses(no_aws: Path) -> None:
    asked: list[str] = []

    def prompt(question: str) -> str:
        asked.append(question)
        return "prod"

    with pytest.raises(Refused, match="does not match the environment 'staging'"):
        run(request("staging", *SCALE, execute=True, audit_dir=no_aws), Silent(), prompt=prompt, root=REPO)
    assert "Type the environment name" in asked[0] and "222222222222" in asked[0]


def test_the_right_typed_answer_passes_on_to_the_account_check(no_aws: Path) -> None:
    # Confirmation passes; the next gate (who is calling AWS?) then fails: no AWS is reachable here.
    with pytest.raises(Refused, match="cannot identify the AWS caller"):
        run(request("staging", *SCALE, execute=True, audit_dir=no_aws), Silent(), prompt=lambda q: "staging", root=REPO)
    assert audit.read_records(no_aws / audit.AUDIT_FILE)[-1].status == "refused"


def test_an_environment_without_confirmation_is_not_asked(no_aws: Path) -> None:
    def prompt(question: str) -> str:
        raise AssertionError("dev does not ask")

    with pytest.raises(Refused, match="cannot identify the AWS caller"):
        run(request("dev", "group=workloads", "desired=2", execute=True, audit_dir=no_aws), Silent(), prompt=prompt, root=REPO)


def test_a_given_confirm_must_match_even_where_none_is_required(no_aws: Path) -> None:
    with pytest.raises(Refused, match="--confirm 'prod' does not match the environment 'dev'"):
        run(request("dev", "group=workloads", "desired=2", execute=True, confirm="prod", audit_dir=no_aws), Silent(), prompt=None)


def test_a_runbook_that_refuses_production_never_runs_there(tmp_path: Path, no_aws: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(REPO / "environments", root / "environments")
    (root / "Pulumi.yaml").write_text((REPO / "Pulumi.yaml").read_text())
    shutil.copytree(REPO / "runbooks" / "capacity-scale", root / "runbooks" / "sleepy")
    spec = yaml.safe_load((root / "runbooks" / "sleepy" / "runbook.yaml").read_text())
    spec.update(name="sleepy", refuses_production=True)
    (root / "runbooks" / "sleepy" / "runbook.yaml").write_text(yaml.safe_dump(spec))
    with pytest.raises(Refused, match="refuses production-tier environments, and 'prod' is tier 'production'"):
        run(
            RunRequest("sleepy", "prod", SCALE, execute=True, confirm="prod", audit_dir=no_aws),
            Silent(),
            prompt=None,
            root=root,
        )
    with pytest.raises(Refused, match="refuses production-tier"):  # a dry run too
        run(RunRequest("sleepy", "prod", SCALE, audit_dir=no_aws), Silent(), prompt=None, root=root)


def test_from_step_must_be_a_resume_point() -> None:
    with pytest.raises(PlatformError) as caught:
        prepare(request("dev", *SCALE, from_step="Record the new capacity in the audit record"), REPO)
    assert "reads 'scaled', which step 'Wait until the node group is active' sets" in str(caught.value)
    assert "resume from step 'Wait until the node group is active' instead" in str(caught.value)
    assert prepare(request("dev", *SCALE, from_step="Scale the node group"), REPO).request.from_step == "Scale the node group"


def test_confirm_without_execute_is_a_usage_error() -> None:
    with pytest.raises(PlatformError, match="--confirm applies only with --execute"):
        prepare(request("dev", *SCALE, confirm="dev"), REPO)


def test_the_resume_command_repeats_the_request_from_the_nearest_resume_point() -> None:
    plan = prepare(request("prod", "group=workloads", "desired=9", execute=True, confirm="prod"), REPO)
    assert resume_command(plan, "Verify the desired size") == (
        "platform runbook run capacity-scale --env prod -p group=workloads -p desired=9 --execute --confirm prod "
        "--from-step 'Wait until the node group is active'"
    )
    dry = prepare(request("dev", "group=workloads", "desired=2"), REPO)
    assert resume_command(dry, "Check the node group against the environment model").endswith(
        "-p desired=2 --from-step 'Read the scaling of the node group'"
    )


def test_the_resume_command_never_shows_a_secret() -> None:
    plan = prepare(request("dev", "group=workloads", "desired=2"), REPO)
    secret = replace(plan, params=replace(plan.params, secret_names=frozenset({"desired"})))
    command = resume_command(secret, "Scale the node group")
    assert "-p 'desired=<secret>'" in command and "desired=2" not in command


def test_the_vars_file_is_private_memory_backed_and_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    vars_file = VarsFile({"params": {"password": "s3cret"}})
    assert vars_file.path.parent.parent == runtime
    assert stat.S_IMODE(vars_file.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(vars_file.path.parent.stat().st_mode) == 0o700
    assert json.loads(vars_file.path.read_text()) == {"params": {"password": "s3cret"}}
    vars_file.remove()
    vars_file.remove()
    assert list(runtime.iterdir()) == []


def test_the_playbook_command_is_a_dry_run_unless_executing(tmp_path: Path) -> None:
    dry = playbook_command(Path("p.yml"), Path("/run/v.json"), check=True, start_at=None, executable=Path("ap"))
    assert dry == ["ap", "-i", "localhost,", "-e", "@/run/v.json", "--check", "--diff", "p.yml"]
    real = playbook_command(Path("p.yml"), Path("/run/v.json"), check=False, start_at="Scale it", executable=Path("ap"))
    assert real == ["ap", "-i", "localhost,", "-e", "@/run/v.json", "--start-at-task", "Scale it", "p.yml"]


def event(kind: str, host: dict[str, Any], name: str = "Step") -> dict[str, Any]:
    return {"_event": kind, "hosts": {"localhost": host}, "task": {"name": name, "duration": {"start": "t0", "end": "t1"}}}


def test_events_become_step_results() -> None:
    skipped = step_result(event("v2_runner_on_skipped", {"false_condition": "not ansible_check_mode"}), {"Step": "t0"})
    assert (skipped.status, skipped.message) == ("skipped", "dry run: acts only with --execute")
    changed = step_result(event("v2_runner_on_ok", {"changed": True, "diff": {"before": "a\n", "after": "b\n"}}), {})
    assert changed.status == "changed" and changed.diff[-2:] == ("-a", "+b")
    note = step_result(event("v2_runner_on_ok", {"action": "ansible.builtin.debug", "msg": ["one", "two"]}), {})
    assert note.notes == ("one", "two")
    failed = step_result(event("v2_runner_on_failed", {"msg": "boom", "failed": True}), {})
    assert (failed.status, failed.message) == ("failed", "boom")


def test_failure_messages() -> None:
    assert "hidden" in failure_message({"censored": "x", "msg": "secret!"})
    assert failure_message({"attempts": 2, "failed": True}) == "the step's until-condition was still false after 2 attempt(s)"
    assert failure_message({"module_stderr": "Traceback\nKeyError: 'x'\n"}) == "KeyError: 'x'"
    assert failure_message({"msg": "m", "error": {"code": "Throttling", "message": "slow down"}}) == "m Throttling: slow down"


def test_diffs_of_structures_are_yaml() -> None:
    lines = render_diff(
        [{"before": {"desired_size": 1}, "after": {"desired_size": 3}, "before_header": "g", "after_header": "g"}]
    )
    assert lines == ["--- g", "+++ g", "@@ -1 +1 @@", "-desired_size: 1", "+desired_size: 3"]
    assert render_diff({"prepared": "x\ny"}) == ["x", "y"]
    assert render_diff(None) == []


def test_audit_file_location(tmp_path: Path) -> None:
    assert audit.audit_file(tmp_path / "a", {}) == tmp_path / "a" / audit.AUDIT_FILE
    assert audit.audit_file(None, {audit.AUDIT_DIR_ENV: str(tmp_path / "b")}) == tmp_path / "b" / audit.AUDIT_FILE
    assert audit.audit_file(None, {"XDG_STATE_HOME": str(tmp_path / "c")}) == tmp_path / "c" / "platform" / audit.AUDIT_FILE


def test_audit_records_are_appended_to_a_private_file(tmp_path: Path) -> None:
    path = tmp_path / "state" / audit.AUDIT_FILE
    who = audit.Who(os_user="alice", host="laptop")
    record = audit.AuditRecord(
        run_id="r1",
        runbook="capacity-scale",
        environment="dev",
        account="111111111111",
        region="eu-west-1",
        mode="dry-run",
        who=who,
        started_at="2026-03-10T12:00:00.000Z",
        finished_at="2026-03-10T12:00:05.000Z",
        duration_seconds=5.0,
        parameters={"desired": 2},
        status="succeeded",
    )
    audit.append_record(path, record)
    audit.append_record(path, record.model_copy(update={"run_id": "r2"}))
    assert [r.run_id for r in audit.read_records(path)] == ["r1", "r2"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert len(path.read_text().splitlines()) == 2
    assert audit.object_key(record) == "runbook-audit/dev/capacity-scale/2026/03/10/20260310T120000Z-r1.json"

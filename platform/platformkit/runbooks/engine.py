"""One runbook run, from the command line's request to the audit record.

Order of a run (nothing reaches AWS before step 5, nothing changes before step 7):

1. load the runbook (runbook.yaml + playbook.yml) and the environment (``environments/``);
2. check the parameters against the runbook and the environment model, and ``--from-step``
   against the runbook's resume points;
3. refuse production-tier environments when the runbook says so;
4. with ``--execute``: confirmation, when the environment's ``operations.confirmExecute`` is
   true (type the environment's name, or ``--confirm ENV``); a given ``--confirm`` must always match;
5. identify the AWS caller (STS) and refuse credentials of any other account than the environment's;
6. build the variables in memory and run ansible-playbook (``--check --diff`` unless ``--execute``);
7. write the audit record (every run, refused ones included) and, for executed runs, upload it.

Exit codes: 0 succeeded, 1 a step failed, 2 bad input or refused (nothing ran), 130 interrupted.
"""

from __future__ import annotations

import logging
import os
import shlex
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn, Protocol

from ..environment import find_root, load_environment, stack_file
from ..environment.loader import display_path
from ..environment.model import EnvironmentConfig
from ..errors import PlatformError
from . import audit
from .logs import log
from .lookups import utc_now
from .parameters import Parameters, parse_assignments, resolve
from .playbook import (
    Event,
    PlaybookOutcome,
    StepResult,
    StepStarted,
    VarsFile,
    ansible_playbook_executable,
    playbook_command,
    playbook_environment,
    run_playbook,
)
from .registry import ANSIBLE_CONFIG, Runbook, load_runbook, runbooks_dir

EXIT_OK = 0
EXIT_STEP_FAILED = 1
EXIT_INTERRUPTED = 130

Prompt = Callable[[str], str]
"""Asks the operator a question and returns the typed answer."""


class Refused(PlatformError):
    """The run was refused before anything ran (exit 2); an audit record says so."""


@dataclass(frozen=True)
class RunRequest:
    """What the operator asked for on the command line."""

    runbook: str
    environment: str
    assignments: tuple[str, ...] = ()
    execute: bool = False
    confirm: str | None = None
    from_step: str | None = None
    audit_dir: Path | None = None


@dataclass(frozen=True)
class RunPlan:
    """A request checked against the runbook and the environment, ready to run."""

    request: RunRequest
    runbook: Runbook
    env: EnvironmentConfig
    params: Parameters
    env_file: str
    run_id: str

    @property
    def check(self) -> bool:
        return not self.request.execute


class Reporter(Protocol):
    """Shows the run to the operator as it happens."""

    def started(self, plan: RunPlan) -> None: ...

    def step_started(self, plan: RunPlan, event: StepStarted) -> None: ...

    def step_finished(self, plan: RunPlan, result: StepResult) -> None: ...

    def finished(self, plan: RunPlan, record: audit.AuditRecord, resume_command: str | None, audit_path: Path) -> None: ...


def prepare(request: RunRequest, root: Path | None = None) -> RunPlan:
    """Steps 1-2: load and check everything that needs no AWS call; PlatformError (exit 2) on bad input."""
    root = root or find_root()
    runbook = load_runbook(root, request.runbook)
    env = load_environment(request.environment, root)
    env_file = display_path(stack_file(root, env.name), root)
    params = resolve(runbook.spec, env, parse_assignments(request.assignments), now=utc_now(), env_file=env_file)
    if request.from_step is not None:
        step = runbook.step(request.from_step)
        if not step.resume_point:
            nearest = runbook.resume_point_at_or_before(step.name)
            raise PlatformError(
                f"cannot resume runbook '{runbook.name}' at step '{step.name}': {step.resume_blocker}",
                hint=f"resume from step '{nearest.name}' instead; the steps from there on are safe to repeat",
            )
    if request.confirm is not None and not request.execute:
        raise PlatformError("--confirm applies only with --execute (a dry run changes nothing)")
    return RunPlan(request=request, runbook=runbook, env=env, params=params, env_file=env_file, run_id=str(uuid.uuid4()))


def run(
    request: RunRequest,
    reporter: Reporter,
    *,
    prompt: Prompt | None,
    root: Path | None = None,
    environ: dict[str, str] | None = None,
) -> int:
    """Run a runbook; returns the exit code. ``prompt`` is None when no one can answer (not a terminal)."""
    root = root or find_root()
    environ = dict(os.environ) if environ is None else environ
    plan = prepare(request, root)
    return _Run(plan, reporter, prompt, root, environ).go()


class _Run:
    def __init__(self, plan: RunPlan, reporter: Reporter, prompt: Prompt | None, root: Path, environ: dict[str, str]) -> None:
        self.plan = plan
        self.reporter = reporter
        self.prompt = prompt
        self.root = root
        self.environ = environ
        self.started = _now()
        self.clock = time.monotonic()
        self.who = audit.operator()
        self.audit_path = audit.audit_file(plan.request.audit_dir, environ)
        self.fields: dict[str, Any] = {
            "run_id": plan.run_id,
            "runbook": plan.runbook.name,
            "environment": plan.env.name,
            "mode": "dry-run" if plan.check else "execute",
        }

    def go(self) -> int:
        plan = self.plan
        env = plan.env
        log("run.requested", **self.fields, parameters=plan.params.masked(), from_step=plan.request.from_step)
        if plan.runbook.spec.refuses_production and env.tier == "production":
            self.refuse(
                f"runbook '{plan.runbook.name}' refuses production-tier environments, and '{env.name}' is tier 'production'",
                hint="it is meant for non-production environments only (see 'platform runbook show')",
            )
        if plan.request.execute:
            self.confirm()
        try:
            identity = audit.caller_identity(env.account.region)
        except PlatformError as exc:
            self.refuse(exc.message, hint=exc.hint)
        self.who = self.who.model_copy(update={"aws": identity})
        if identity.account != env.account.id:
            self.refuse(
                f"the AWS credentials are for account {identity.account} ({identity.arn}), but environment '{env.name}' "
                f"lives in account {env.account.id}",
                hint=f"use credentials for account {env.account.id}; nothing was run",
            )
        return self.play()

    def confirm(self) -> None:
        plan = self.plan
        env = plan.env
        given = plan.request.confirm
        if given is not None:
            if given != env.name:
                self.refuse(f"--confirm '{given}' does not match the environment '{env.name}'; nothing was run")
            return
        if not env.operations.confirm_execute:
            return
        if self.prompt is None:
            self.refuse(
                f"--execute on '{env.name}' needs confirmation and no one can be asked (not a terminal)",
                hint=f"pass --confirm {env.name} to confirm non-interactively",
            )
        answer = self.prompt(
            f"Runbook '{plan.runbook.name}' will change '{env.name}' (account {env.account.id}). "
            f"Type the environment name to continue"
        )
        if answer.strip() != env.name:
            self.refuse(f"confirmation {answer.strip()!r} does not match the environment '{env.name}'; nothing was run")

    def refuse(self, message: str, *, hint: str | None = None) -> NoReturn:
        record = self.record(status="refused", steps=self.not_run("refused before running"), error=message)
        audit.append_record(self.audit_path, record)
        log("run.refused", **self.fields, reason=message, audit_file=str(self.audit_path))
        raise Refused(message, hint=hint)

    def play(self) -> int:
        plan = self.plan
        env = plan.env
        from .inventory import extra_vars  # imports the components (Pulumi SDK): only when a playbook runs

        document = extra_vars(plan.runbook.spec, env, plan.params, run_id=plan.run_id, operator=self.who.os_user)
        try:
            executable = ansible_playbook_executable()
        except PlatformError as exc:
            self.refuse(exc.message, hint=exc.hint)
        vars_file = VarsFile(document)
        command = playbook_command(
            plan.runbook.playbook, vars_file.path, check=plan.check, start_at=plan.request.from_step, executable=executable
        )
        process_env = playbook_environment(
            self.environ, config=runbooks_dir(self.root) / ANSIBLE_CONFIG, region=env.account.region
        )
        self.reporter.started(plan)
        log("run.started", **self.fields, aws_caller=self.who.aws.arn if self.who.aws else None)

        def on_event(event: Event) -> None:
            if isinstance(event, StepStarted):
                self.reporter.step_started(plan, event)
            else:
                log("step.finished", **self.fields, step=event.name, status=event.status, changed=event.changed)
                self.reporter.step_finished(plan, event)

        try:
            outcome = run_playbook(command, process_env, vars_file, on_event)
        finally:
            vars_file.remove()
        return self.finish(outcome)

    def finish(self, outcome: PlaybookOutcome) -> int:
        plan = self.plan
        failed = next((r for r in outcome.results if r.status == "failed"), None)
        if outcome.interrupted:
            status: audit.RunStatus = "interrupted"
            error: str | None = "interrupted by the operator"
        elif failed is None and outcome.return_code == 0:
            status, error = "succeeded", None
        else:
            status = "failed"
            error = f"step '{failed.name}' failed: {failed.message}" if failed else _process_failure(outcome)
        record = self.record(status=status, steps=self.step_records(outcome), error=error, outputs=outcome.outputs)
        if not plan.check:
            record = self.upload(record)
        audit.append_record(self.audit_path, record)
        resume = resume_command(plan, failed.name) if failed is not None else None
        if outcome.interrupted:
            done = {r.name for r in outcome.results}
            pending = [s for s in plan.runbook.steps if s.name not in done and s.index >= self.first_index()]
            resume = resume_command(plan, pending[0].name) if pending else None
        log(
            "run.finished",
            **self.fields,
            status=status,
            error=error,
            audit_file=str(self.audit_path),
            uploaded_to=record.uploaded_to,
        )
        self.reporter.finished(plan, record, resume, self.audit_path)
        if status == "interrupted":
            return EXIT_INTERRUPTED
        return EXIT_OK if status == "succeeded" else EXIT_STEP_FAILED

    def first_index(self) -> int:
        """Index of the first step this run was to run (the --from-step, else 0)."""
        start = self.plan.request.from_step
        return self.plan.runbook.step(start).index if start else 0

    def upload(self, record: audit.AuditRecord) -> audit.AuditRecord:
        from .inventory import resource_names

        bucket = resource_names(self.plan.env)["buckets"][audit.AUDIT_BUCKET_ROLE]
        try:
            uri = audit.upload_record(record, bucket, self.plan.env.account.region)
        except PlatformError as exc:
            log("audit.upload_failed", logging.WARNING, **self.fields, error=exc.message)
            return record.model_copy(update={"upload_error": exc.message})
        log("audit.uploaded", **self.fields, uri=uri)
        return record.model_copy(update={"uploaded_to": uri})

    def step_records(self, outcome: PlaybookOutcome) -> list[audit.StepRecord]:
        by_name = {r.name: r for r in outcome.results}
        records: list[audit.StepRecord] = []
        for step in self.plan.runbook.steps:
            result = by_name.get(step.name)
            if result is None:
                records.append(audit.StepRecord(name=step.name, status="not-run", changed=False))
            else:
                records.append(
                    audit.StepRecord(
                        name=step.name,
                        status=result.status,
                        changed=result.changed,
                        message=result.message,
                        started_at=result.started_at,
                        finished_at=result.finished_at,
                    )
                )
        return records

    def not_run(self, reason: str) -> list[audit.StepRecord]:
        return [audit.StepRecord(name=s.name, status="not-run", changed=False, message=reason) for s in self.plan.runbook.steps]

    def record(
        self,
        *,
        status: audit.RunStatus,
        steps: list[audit.StepRecord],
        error: str | None,
        outputs: dict[str, object] | None = None,
    ) -> audit.AuditRecord:
        plan = self.plan
        return audit.AuditRecord(
            run_id=plan.run_id,
            runbook=plan.runbook.name,
            environment=plan.env.name,
            account=plan.env.account.id,
            region=plan.env.account.region,
            mode="dry-run" if plan.check else "execute",
            from_step=plan.request.from_step,
            who=self.who,
            started_at=self.started,
            finished_at=_now(),
            duration_seconds=round(time.monotonic() - self.clock, 3),
            parameters=plan.params.masked(),
            steps=steps,
            outputs=dict(outputs or {}),
            status=status,
            error=error,
        )


def resume_command(plan: RunPlan, failed_step: str) -> str:
    """The command that resumes ``plan`` after ``failed_step`` failed: the same request, from the nearest resume point.

    Secret parameters are shown as ``<secret>`` for the operator to fill in.
    """
    start = plan.runbook.resume_point_at_or_before(failed_step)
    words = ["platform", "runbook", "run", plan.runbook.name, "--env", plan.env.name]
    for key, value in parse_assignments(plan.request.assignments).items():
        words += ["-p", f"{key}={'<secret>' if key in plan.params.secret_names else value}"]
    if plan.request.execute:
        words.append("--execute")
        if plan.request.confirm is not None:
            words += ["--confirm", plan.request.confirm]
    words += ["--from-step", start.name]
    return shlex.join(words)


def _process_failure(outcome: PlaybookOutcome) -> str:
    lines = [line for line in outcome.stderr.strip().splitlines() if line.strip()] + outcome.stray_output
    detail = " ".join(lines[-6:]) if lines else "no output"
    return f"ansible-playbook exited with {outcome.return_code}: {detail}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

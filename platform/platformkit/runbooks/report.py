"""The human report of a run: one line per step, diffs, the playbook's notes, failure guidance and the resume command."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from . import audit
from .engine import RunPlan
from .playbook import StepResult, StepStarted

Echo = Callable[[str], None]

_LABEL_WIDTH = 13


class TextReporter:
    """Writes the report through ``echo`` (plain text, no colour codes, readable in a terminal and in a log)."""

    def __init__(self, echo: Echo, *, live: bool = False) -> None:
        self.echo = echo
        self.live = live
        """On a terminal, show each step's name while it runs."""

    def started(self, plan: RunPlan) -> None:
        env = plan.env
        mode = "DRY RUN (check mode): nothing is changed; add --execute to act" if plan.check else "EXECUTE: changes are made"
        self.echo(
            f"{plan.runbook.spec.title} ({plan.runbook.name}) on {env.name} (account {env.account.id}, {env.account.region})"
        )
        self.echo(f"{mode}")
        shown = {k: v for k, v in plan.params.masked().items() if v is not None}
        if shown:
            self.echo("parameters: " + " ".join(f"{k}={v}" for k, v in shown.items()))
        if plan.request.from_step:
            self.echo(f"resuming at step '{plan.request.from_step}' (earlier steps are not run)")
        self.echo("")

    def step_started(self, plan: RunPlan, event: StepStarted) -> None:
        if self.live:
            self.echo(f"{'...':<{_LABEL_WIDTH}} {event.name}")

    def step_finished(self, plan: RunPlan, result: StepResult) -> None:
        label = {
            "ok": "ok",
            "changed": "would change" if plan.check else "changed",
            "skipped": "skipped",
            "failed": "FAILED",
        }[result.status]
        line = f"{label:<{_LABEL_WIDTH}} {result.name}"
        if result.status == "skipped" and result.message:
            line += f"  ({result.message})"
        self.echo(line)
        indent = " " * (_LABEL_WIDTH + 1)
        for diff_line in result.diff:
            self.echo(f"{indent}{diff_line}")
        for note in result.notes:
            self.echo(f"{indent}{note}")
        if result.status == "failed":
            self.echo(f"{indent}{result.message}")
            guidance = plan.runbook.step(result.name).spec.on_failure
            if guidance:
                self.echo(f"{indent}what to do: {guidance.strip()}")

    def finished(self, plan: RunPlan, record: audit.AuditRecord, resume_command: str | None, audit_path: Path) -> None:
        self.echo("")
        changed = sum(1 for s in record.steps if s.changed)
        verb = "would change" if plan.check else "changed"
        summary = {
            "succeeded": f"{'Dry run' if plan.check else 'Run'} succeeded: {changed} step(s) {verb} something.",
            "failed": f"{'Dry run' if plan.check else 'Run'} FAILED: {record.error}",
            "interrupted": "Run INTERRUPTED by the operator; steps already done stay done.",
            "refused": f"Run refused: {record.error}",
        }[record.status]
        self.echo(summary)
        if resume_command:
            self.echo("To continue, resume with:" if record.status == "interrupted" else "After fixing the cause, resume with:")
            self.echo(f"  {resume_command}")
        for key, value in record.outputs.items():
            self.echo(f"output {key}: {value}")
        self.echo(f"Audit record: {audit_path} (run {record.run_id})")
        if record.uploaded_to:
            self.echo(f"Uploaded to: {record.uploaded_to}")
        if record.upload_error:
            self.echo(f"WARNING: the audit record was NOT uploaded: {record.upload_error}")

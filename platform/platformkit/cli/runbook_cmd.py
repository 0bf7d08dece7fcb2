"""``platform runbook``: list, show and run the executable runbooks under ``runbooks/``; regenerate their pages."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..environment import find_root
from ..runbooks import docs, logs
from ..runbooks.audit import AUDIT_DIR_ENV
from ..runbooks.engine import RunRequest, run
from ..runbooks.registry import load_all, load_runbook
from ..runbooks.report import TextReporter


@click.group()
def runbook() -> None:
    """Executable runbooks for on-call: dry run by default, resumable at a named step, audited."""


@runbook.command("list")
def list_runbooks() -> None:
    """Every runbook: name, title, severity and when to use it."""
    runbooks = load_all(find_root())
    if not runbooks:
        click.echo("no runbooks")
        return
    width = max(len(r.name) for r in runbooks)
    for item in runbooks:
        spec = item.spec
        click.echo(f"{spec.name:<{width}}  {spec.severity:<8}  {spec.title}")
        click.echo(f"{'':<{width}}  {'':<8}  when: {' '.join(spec.when_to_use.split())}")


@runbook.command("show")
@click.argument("name")
def show(name: str) -> None:
    """The page of runbook NAME: symptoms, impact, investigation, resolution, rollback, escalation, parameters, steps."""
    click.echo(docs.render_page(load_runbook(find_root(), name)), nl=False)


@runbook.command("run")
@click.argument("name")
@click.option("--env", "environment", required=True, help="Environment to act on (a file environments/Pulumi.<env>.yaml).")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE", help="A runbook parameter; repeat for several.")
@click.option("--execute", is_flag=True, help="Act. Without it the playbook runs in check + diff mode and changes nothing.")
@click.option("--confirm", metavar="ENV", help="Confirm --execute without a prompt; must equal --env.")
@click.option("--from-step", metavar="STEP", help="Resume at this step (a task name); earlier steps are not run.")
@click.option(
    "--audit-dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar=AUDIT_DIR_ENV,
    help=f"Folder of the local audit file runbook-audit.jsonl (default ${AUDIT_DIR_ENV}, else ~/.local/state/platform).",
)
@click.option(
    "--log-level",
    type=click.Choice(logs.LEVELS),
    envvar=logs.LEVEL_ENV,
    default="warning",
    show_default=True,
    help="Level of the engine's JSON-lines logs on standard error.",
)
def run_runbook(
    name: str,
    environment: str,
    params: tuple[str, ...],
    execute: bool,
    confirm: str | None,
    from_step: str | None,
    audit_dir: Path | None,
    log_level: str,
) -> None:
    """Run runbook NAME on environment ENV: a dry run unless --execute is given.

    Exit codes: 0 succeeded, 1 a step failed (the command that resumes is printed), 2 bad input or
    refused (nothing ran), 130 interrupted.
    """
    logs.configure(log_level)
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    reporter = TextReporter(click.echo, live=interactive)
    request = RunRequest(
        runbook=name,
        environment=environment,
        assignments=params,
        execute=execute,
        confirm=confirm,
        from_step=from_step,
        audit_dir=audit_dir,
    )
    code = run(request, reporter, prompt=_ask if interactive else None)
    if code:
        raise click.exceptions.Exit(code)


@runbook.command("docs")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when a page differs from its runbook.yaml.")
def generate_docs(check: bool) -> None:
    """Regenerate runbooks/README.md and each runbooks/<name>/README.md from the runbooks' metadata."""
    root = find_root()
    if check:
        stale = docs.stale_pages(root)
        for path in stale:
            click.echo(f"stale: {path.relative_to(root)}")
        if stale:
            click.echo("regenerate with: platform runbook docs")
            raise click.exceptions.Exit(1)
        click.echo("runbook pages are up to date")
        return
    for path in docs.write_pages(root):
        click.echo(f"wrote {path.relative_to(root)}")


def _ask(question: str) -> str:
    """The operator's answer; Ctrl-C or end of input count as no answer (the run is then refused and audited)."""
    try:
        return str(click.prompt(question, default="", show_default=False))
    except click.exceptions.Abort:
        return ""

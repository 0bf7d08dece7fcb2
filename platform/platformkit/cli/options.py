"""Options and helpers shared by the ``platform`` subcommands."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from ..environment import find_root, known_environments
from ..environment.loader import require_known
from ..errors import PlatformError

jobs_option = click.option(
    "--jobs", type=click.IntRange(min=1), default=None, help="Environments evaluated at once (default: CPU count)."
)


def console() -> Console:
    """Standard-output console; colour only on a terminal (rich detects it, NO_COLOR is honoured)."""
    return Console(highlight=False)


def resolve_environments(names: tuple[str, ...], all_envs: bool) -> tuple[Path, list[str]]:
    """The repository root and the environments a command acts on, each checked to exist."""
    root = find_root()
    if all_envs and names:
        raise click.UsageError("give environment names or --all, not both")
    if all_envs:
        chosen = known_environments(root)
    elif names:
        chosen = list(dict.fromkeys(names))
    else:
        known = ", ".join(known_environments(root))
        raise click.UsageError(f"name an environment ({known}) or use --all")
    for name in chosen:
        require_known(root, name)
    return root, chosen


def write_json(document: Any, target: Path) -> None:
    """Write ``document`` as JSON to ``target`` (``-`` is standard output)."""
    text = json.dumps(document, indent=1) + "\n"
    if str(target) == "-":
        sys.stdout.write(text)
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise PlatformError(f"{target}: cannot write ({exc.strerror})") from None

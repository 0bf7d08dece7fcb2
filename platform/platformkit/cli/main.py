"""``platform``: plan and check environments offline.

Exit codes: 0 success; 1 a check found problems (e.g. parity violations); 2 bad input
(configuration, arguments, files); 70 an internal error (a bug: please report it).
"""

from __future__ import annotations

import sys

import click
from rich.console import Console

from ..errors import PlatformError
from .parity_cmd import parity
from .plan_cmd import plan
from .policy_cmd import policy
from .runbook_cmd import runbook
from .secrets_cmd import secrets

EXIT_INTERNAL = 70


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="platformkit", prog_name="platform")
def cli() -> None:
    """Plan and check the platform's environments, with no cloud account needed."""


cli.add_command(plan)
cli.add_command(parity)
cli.add_command(policy)
cli.add_command(secrets)
cli.add_command(runbook)


def main() -> None:
    """Console-script entry point: user errors print one message and exit 2, never a traceback."""
    try:
        # Outside standalone mode click *returns* the code of ``click.exceptions.Exit``
        # (e.g. exit 1 when a check fails) instead of exiting: pass it on.
        code = cli.main(standalone_mode=False)
        if isinstance(code, int) and code != 0:
            sys.exit(code)
    except PlatformError as exc:
        Console(stderr=True).print(f"[red bold]error:[/red bold] {_escape(str(exc))}", highlight=False)
        sys.exit(exc.exit_code)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        Console(stderr=True).print(f"[red bold]error:[/red bold] {_escape(where + (exc.strerror or str(exc)))}", highlight=False)
        sys.exit(2)
    except click.exceptions.Abort:
        Console(stderr=True).print("aborted")
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except SystemExit:
        raise
    except BaseException as exc:  # a bug: show it, with a distinct exit code
        if isinstance(exc, KeyboardInterrupt):
            sys.exit(130)
        import traceback

        traceback.print_exc()
        Console(stderr=True).print(
            "[red bold]internal error[/red bold]: this is a bug in platformkit, not in your input", highlight=False
        )
        sys.exit(EXIT_INTERNAL)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)

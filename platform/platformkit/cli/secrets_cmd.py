"""``platform secrets``: each environment's SOPS-encrypted secrets, through the real sops binary.

Values are printed only to standard output and only when asked for: ``show`` masks every
encrypted value as ``[secret]`` unless ``--reveal`` is given; ``get`` prints the one value it
is asked for. Errors never contain a value. Decryption happens in memory only.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
import yaml

from ..environment import find_root, known_environments, load_all
from ..environment.loader import display_path, require_known
from ..errors import PlatformError
from ..secrets import SOPS_CONFIG_FILE, Sops, check_repository, parse_key_path, rules_are_fresh, secrets_file, write_rules
from ..secrets.keypath import KeyPath
from ..secrets.sops import SecretValue

identity_option = click.option(
    "--age-identity",
    "age_identities",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="age identity file to decrypt with (repeatable). Default: sops' own lookup (SOPS_AGE_KEY_FILE, "
    "~/.config/sops/age/keys.txt) and AWS credentials for the KMS key.",
)


@click.group()
def secrets() -> None:
    """Each environment's secrets (environments/secrets/<env>.enc.yaml), encrypted with sops."""


def _runner(root: Path, age_identities: Sequence[Path]) -> Sops:
    return Sops.locate(config=root / SOPS_CONFIG_FILE, age_identities=tuple(age_identities))


def _environment_file(root: Path, environment: str) -> tuple[Path, str]:
    require_known(root, environment)
    path = secrets_file(root, environment)
    return path, display_path(path, root)


def _require_existing(path: Path, shown: str, environment: str) -> None:
    if not path.is_file():
        raise PlatformError(
            f"{shown}: no such file", hint=f"create it with 'platform secrets set {environment} KEY' (value on standard input)"
        )


def _require_fresh_rules(root: Path) -> None:
    if not rules_are_fresh(root, load_all(root)):
        raise PlatformError(
            f"{SOPS_CONFIG_FILE} is stale: it does not name the recipients the environment model prescribes",
            hint="run 'platform secrets sync-rules' first",
        )


def _json_default(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _render(tree: Any, output: str) -> str:
    if output == "json":
        return json.dumps(tree, indent=2, ensure_ascii=False, default=_json_default) + "\n"
    return yaml.safe_dump(tree, sort_keys=False, allow_unicode=True, default_flow_style=False)


@secrets.command()
@click.argument("environment", required=False)
@click.option("--file", "file_", type=click.Path(path_type=Path, dir_okay=False), help="Any sops-encrypted YAML/JSON file.")
@click.option("--output", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True, help="Output format.")
@click.option("--reveal", is_flag=True, help="Print the decrypted values; without it every encrypted value shows as [secret].")
@identity_option
def show(environment: str | None, file_: Path | None, output: str, reveal: bool, age_identities: tuple[Path, ...]) -> None:
    """Show an environment's secrets (masked unless --reveal), or any sops file with --file."""
    root = find_root()
    if (environment is None) == (file_ is None):
        known = ", ".join(known_environments(root))
        raise click.UsageError(f"name an environment ({known}) or give --file PATH, not both")
    if file_ is not None:
        path, shown = file_, str(file_)
    else:
        assert environment is not None
        path, shown = _environment_file(root, environment)
        _require_existing(path, shown, environment)
    document = _runner(root, age_identities).decrypt(path, shown=shown)
    click.echo(_render(document.data if reveal else document.masked(), output), nl=False)
    if not reveal:
        click.echo(f"# {shown}: {len(document.encrypted_paths)} encrypted values masked; --reveal prints them", err=True)


@secrets.command()
@click.argument("environment")
@click.argument("key")
@click.option(
    "--output", type=click.Choice(["raw", "json"]), default="raw", show_default=True, help="raw prints strings as they are."
)
@identity_option
def get(environment: str, key: str, output: str, age_identities: tuple[Path, ...]) -> None:
    """Print the value of KEY (e.g. db.admin_email) of an environment's secrets."""
    root = find_root()
    key_path = parse_key_path(key)
    path, shown = _environment_file(root, environment)
    _require_existing(path, shown, environment)
    document = _runner(root, age_identities).decrypt(path, shown=shown)
    value = document.get(key_path)
    if output == "raw" and isinstance(value, str):
        click.echo(value)
    else:
        click.echo(json.dumps(value, ensure_ascii=False, default=_json_default))


@secrets.command(name="set")
@click.argument("environment")
@click.argument("key")
@click.argument("value", required=False)
@click.option("--json", "as_json", is_flag=True, help="VALUE is JSON (a number, boolean, null, list or map); default: a string.")
@identity_option
def set_(environment: str, key: str, value: str | None, as_json: bool, age_identities: tuple[Path, ...]) -> None:
    """Set KEY to VALUE in an environment's secrets (creates the file when missing).

    Without VALUE (or with '-') the value is read from standard input (one trailing newline
    dropped), or prompted for without echo on a terminal. Prefer that: a VALUE argument lands in
    your shell history and the process list.
    """
    root = find_root()
    key_path = parse_key_path(key)
    path, shown = _environment_file(root, environment)
    text = _read_value(value)
    stored: SecretValue = text
    if as_json:
        try:
            stored = json.loads(text)
        except ValueError:
            raise click.UsageError("--json: the value is not valid JSON") from None
    runner = _runner(root, age_identities)
    if path.exists():
        runner.set(path, key_path, stored, shown=shown)
        click.echo(f"{shown}: set {key}")
    else:
        _require_fresh_rules(root)
        runner.encrypt_new(path, _nested(key_path, stored), shown=shown)
        click.echo(f"{shown}: created with {key}")


def _read_value(value: str | None) -> str:
    if value is not None and value != "-":
        return value
    if sys.stdin.isatty():
        return str(click.prompt("value", hide_input=True, confirmation_prompt=True, err=True))
    text = sys.stdin.read()
    return text[:-1] if text.endswith("\n") else text


def _nested(key_path: KeyPath, value: SecretValue) -> dict[str, Any]:
    tree: Any = value
    for segment in reversed(key_path):
        tree = {segment: tree}
    result: dict[str, Any] = tree
    return result


@secrets.command()
@click.argument("environment")
@identity_option
def edit(environment: str, age_identities: tuple[Path, ...]) -> None:
    """Open an environment's secrets in $EDITOR through sops (interactive terminals only)."""
    root = find_root()
    path, shown = _environment_file(root, environment)
    _require_existing(path, shown, environment)
    changed = _runner(root, age_identities).edit(path, shown=shown, interactive=sys.stdin.isatty() and sys.stdout.isatty())
    click.echo(f"{shown}: {'saved' if changed else 'not changed'}")


@secrets.command()
@click.argument("environment")
@identity_option
def rotate(environment: str, age_identities: tuple[Path, ...]) -> None:
    """Give an environment's secrets a new data key (every recipient must be reachable)."""
    root = find_root()
    path, shown = _environment_file(root, environment)
    _require_existing(path, shown, environment)
    _runner(root, age_identities).rotate(path, shown=shown)
    click.echo(f"{shown}: new data key; every value re-encrypted")


@secrets.command()
@click.argument("environments", nargs=-1)
@identity_option
def updatekeys(environments: tuple[str, ...], age_identities: tuple[Path, ...]) -> None:
    """Re-encrypt secrets to the recipients .sops.yaml now names (all environments when none given)."""
    root = find_root()
    names = list(dict.fromkeys(environments)) or known_environments(root)
    targets = [_environment_file(root, name) for name in names]
    for (path, shown), name in zip(targets, names, strict=True):
        _require_existing(path, shown, name)
    _require_fresh_rules(root)
    runner = _runner(root, age_identities)
    for path, shown in targets:
        changed = runner.updatekeys(path, shown=shown)
        click.echo(f"{shown}: {'recipients updated' if changed else 'already up to date'}")


@secrets.command()
@identity_option
def check(age_identities: tuple[Path, ...]) -> None:
    """Check every secrets file (decrypts, MAC, recipients, nothing in clear) and scan the repository for plaintext secrets.

    Exits 1 when a problem is found.
    """
    root = find_root()
    report = check_repository(root, _runner(root, age_identities))
    click.echo(report.render())
    if not report.ok:
        raise click.exceptions.Exit(1)


@secrets.command(name="sync-rules")
@click.option("--check", "check_only", is_flag=True, help="Only verify .sops.yaml is current; exit 1 when it is stale.")
def sync_rules(check_only: bool) -> None:
    """Generate .sops.yaml from the environments (KMS secrets key + break-glass age recipients of each)."""
    root = find_root()
    envs = load_all(root)
    if check_only:
        if rules_are_fresh(root, envs):
            click.echo(f"{SOPS_CONFIG_FILE}: up to date")
            return
        click.echo(f"{SOPS_CONFIG_FILE}: stale; run 'platform secrets sync-rules'")
        raise click.exceptions.Exit(1)
    if write_rules(root, envs):
        click.echo(f"{SOPS_CONFIG_FILE}: written; run 'platform secrets updatekeys' to re-encrypt the files to it")
    else:
        click.echo(f"{SOPS_CONFIG_FILE}: already up to date")

"""Re-create the SAMPLE secrets files environments/secrets/<env>.enc.yaml (fake values, test-only keys).

    .venv/bin/python scripts/make_sample_secrets.py [ENV ...] [--force] [--root PATH]

For each environment (default: all), the real sops encrypts freshly generated FAKE values to exactly
the recipients .sops.yaml prescribes: the environment's KMS secrets key (alias ARN, encryption
context) and its break-glass age recipient. To encrypt to a KMS key offline, a moto server on
127.0.0.1 plays AWS KMS: in the environment's own account and region it gets a key with the alias
alias/<org>-<env>-secrets (see platformkit.secrets.emulator). That key vanishes with the server, so
the committed files decrypt only with the environment's TEST-ONLY age identity
(tests/fixtures/age/<env>.agekey), never with KMS. Real deployments replace the recipients.

Values are generated at run time, reach sops on standard input and are never written in clear:
this script contains no sample value, so the plaintext leak scan of 'platform secrets check' has
nothing to find here. Existing files are kept unless --force is given.
"""

from __future__ import annotations

import argparse
import secrets
import string
import sys
from pathlib import Path
from typing import Any

from platformkit.environment import EnvironmentConfig, load_all
from platformkit.environment.loader import display_path
from platformkit.errors import PlatformError
from platformkit.secrets import SOPS_CONFIG_FILE, Sops, kms_key_arn, rules_are_fresh, secrets_file
from platformkit.secrets.emulator import KmsEmulator

ROOT = Path(__file__).resolve().parents[1]


def sample_values(env: EnvironmentConfig) -> dict[str, Any]:
    """Plausible but fake secrets of one environment, random on every run."""

    def token(length: int, alphabet: str = string.ascii_letters + string.digits) -> str:
        return "".join(secrets.choice(alphabet) for _ in range(length))

    upper = string.ascii_uppercase + string.digits
    return {
        "notice_unencrypted": f"FAKE sample values of '{env.name}', encrypted to a TEST-ONLY age key "
        f"(tests/fixtures/age/{env.name}.agekey): replace the recipients and values before real use",
        "db": {
            "admin_email": f"dba+{env.name}@{env.org}.example",
            "app_password": token(32),
        },
        "grafana": {
            "admin_user": "admin",
            "admin_password": token(24),
        },
        "alerting": {
            "slack_webhook_url": f"https://hooks.slack.com/services/T{token(10, upper)}/B{token(10, upper)}/{token(24)}",
            "pagerduty_routing_key": secrets.token_hex(16),
        },
        "vault": {
            "oidc_client_secret": token(40),
        },
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("environments", nargs="*", help="environments to write (default: all)")
    parser.add_argument("--force", action="store_true", help="replace existing files")
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root (default: this script's repository)")
    args = parser.parse_args(argv)
    root: Path = args.root.resolve()

    envs = load_all(root)
    names = args.environments or sorted(envs)
    unknown = sorted(set(names) - set(envs))
    if unknown:
        print(f"unknown environment(s): {', '.join(unknown)}; known: {', '.join(sorted(envs))}", file=sys.stderr)
        return 2
    if not rules_are_fresh(root, envs):
        print(f"{SOPS_CONFIG_FILE} is stale: run 'platform secrets sync-rules' first", file=sys.stderr)
        return 2

    with KmsEmulator() as kms:
        for name in names:
            env = envs[name]
            path = secrets_file(root, name)
            shown = display_path(path, root)
            if path.exists() and not args.force:
                print(f"{shown}: exists, kept (--force replaces it)")
                continue
            alias = "alias/" + kms_key_arn(env).split(":alias/", 1)[1]
            kms.create_key(env.account.id, env.account.region, alias)
            sops = Sops.locate(config=root / SOPS_CONFIG_FILE, env=kms.sops_env(env.account.id, env.account.region))
            sops.encrypt_new(path, sample_values(env), shown=shown, replace=True)
            identity = root / "tests" / "fixtures" / "age" / f"{name}.agekey"
            check = Sops.locate(env={"AWS_EC2_METADATA_DISABLED": "true"}, age_identities=(identity,))
            document = check.decrypt(path, shown=shown)
            print(
                f"{shown}: written ({len(document.encrypted_paths)} encrypted values; decrypts with {display_path(identity, root)})"
            )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except PlatformError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)

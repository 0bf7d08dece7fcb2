"""An AWS KMS emulator for encrypting to KMS keys offline: moto's server, one process, many accounts.

Development and test aid only (needs the dev dependencies ``moto[server]`` and ``boto3``); used
by ``scripts/make_sample_secrets.py`` and the tests. The real sops talks to it through
``AWS_ENDPOINT_URL`` (``sops_env``). The server listens on 127.0.0.1 only, on a free port, and is
stopped by its PID.

Accounts: moto picks the account of a request from its access key, so ``credentials(account)``
creates an IAM user with an access key *in that account* (one request carrying moto's
``x-moto-account-id`` header); every sops call made with those credentials then acts in that
account, exactly as a real caller of that account would. Keys created for one account cannot be
used with another account's credentials.
"""

from __future__ import annotations

import importlib
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from ..errors import PlatformError

STARTUP_TIMEOUT_SECONDS = 20.0


class EmulatorError(PlatformError):
    """The KMS emulator could not be started or used."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def moto_server_binary() -> Path:
    """``moto_server`` next to this Python (the project's virtualenv), else on PATH."""
    beside = Path(sys.executable).parent / "moto_server"
    if beside.is_file():
        return beside
    found = shutil.which("moto_server")
    if found is None:
        raise EmulatorError("moto_server not found", hint="install the dev dependencies: uv sync (moto[server] is one)")
    return Path(found)


class KmsEmulator:
    """``with KmsEmulator() as kms:`` a running moto server; ``kms.sops_env(account, region)`` for sops."""

    def __init__(self, *, binary: Path | None = None) -> None:
        self._binary = binary or moto_server_binary()
        self._process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self._credentials: dict[str, tuple[str, str]] = {}
        self._aliased: dict[tuple[str, str, str], str] = {}

    @property
    def endpoint(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        """PID of the server process while it runs."""
        return self._process.pid if self._process is not None else None

    def start(self) -> KmsEmulator:
        """Start the server on a free port and wait until it accepts connections."""
        for _ in range(3):
            self.port = free_port()
            self._process = subprocess.Popen(
                [str(self._binary), "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            if self._wait_ready():
                return self
            self.stop()
        raise EmulatorError("moto_server did not start (three free ports tried)")

    def stop(self) -> None:
        """Stop the server (by its PID): terminate, then kill after 5 seconds."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)

    def __enter__(self) -> KmsEmulator:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return True
            except OSError:
                time.sleep(0.05)
        return False

    # --- AWS side ----------------------------------------------------------------------------

    def _client(self, service: str, region: str, credentials: tuple[str, str], account: str | None = None) -> Any:
        boto3 = importlib.import_module("boto3")
        client = boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id=credentials[0],
            aws_secret_access_key=credentials[1],
        )
        if account is not None:

            def add_account_header(request: Any, **_: Any) -> None:
                request.headers["x-moto-account-id"] = account

            client.meta.events.register("before-sign.*.*", add_account_header)
        return client

    def credentials(self, account_id: str) -> tuple[str, str]:
        """An access key ID and secret of an IAM user in ``account_id`` (created once)."""
        if account_id not in self._credentials:
            iam = self._client("iam", "us-east-1", ("bootstrap", "bootstrap"), account=account_id)
            iam.create_user(UserName="sops")
            key = iam.create_access_key(UserName="sops")["AccessKey"]
            self._credentials[account_id] = (key["AccessKeyId"], key["SecretAccessKey"])
        return self._credentials[account_id]

    def create_key(self, account_id: str, region: str, alias: str | None = None) -> str:
        """A symmetric KMS key in ``account_id``/``region``; its key ARN. With ``alias`` (``alias/x``) the key
        that alias names, created on first use."""
        if alias is not None and (account_id, region, alias) in self._aliased:
            return self._aliased[(account_id, region, alias)]
        kms = self._client("kms", region, self.credentials(account_id))
        arn = str(kms.create_key(Description="sops test key", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["Arn"])
        if alias is not None:
            kms.create_alias(AliasName=alias, TargetKeyId=arn)
            self._aliased[(account_id, region, alias)] = arn
        return arn

    def sops_env(self, account_id: str, region: str) -> dict[str, str | None]:
        """Environment for sops acting as a caller in ``account_id`` (no shared AWS config, no instance metadata)."""
        key_id, secret = self.credentials(account_id)
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": key_id,
            "AWS_SECRET_ACCESS_KEY": secret,
            "AWS_SESSION_TOKEN": None,
            "AWS_PROFILE": None,
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "AWS_EC2_METADATA_DISABLED": "true",
        }

"""The audit trail: one JSON-lines record per run, kept locally and, for executed runs, in S3.

- Local: appended to ``<audit dir>/runbook-audit.jsonl`` (folder 0700, file 0600, one locked
  ``write`` per record). The folder is ``--audit-dir``, else ``$PLATFORM_RUNBOOK_AUDIT_DIR``,
  else ``$XDG_STATE_HOME/platform`` (``~/.local/state/platform``).
- S3: executed runs also put the record to the environment's logs bucket under
  ``runbook-audit/<env>/<runbook>/<yyyy>/<mm>/<dd>/<started>-<run id>.json``. The logs bucket is
  the environment's place for operational records: private, versioned, encrypted, and kept
  for ``storage.logs.expireAfterDays``. A failed upload never hides the run's own outcome: it is
  reported, and written into the local record.
- Who: the OS user and host, and the AWS caller identity (STS ``GetCallerIdentity``), which
  the engine also uses to refuse credentials for an account other than the environment's.
"""

from __future__ import annotations

import fcntl
import getpass
import os
import socket
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..errors import PlatformError
from .lookups import ParameterValue

AUDIT_FILE = "runbook-audit.jsonl"
AUDIT_DIR_ENV = "PLATFORM_RUNBOOK_AUDIT_DIR"
AUDIT_PREFIX = "runbook-audit"
AUDIT_BUCKET_ROLE = "logs"
"""Which of the environment's buckets (platformkit.storage ROLES) receives executed runs' records."""

RunStatus = Literal["succeeded", "failed", "refused", "interrupted"]
StepOutcome = Literal["ok", "changed", "failed", "skipped", "not-run"]


class Record(BaseModel):
    """Base of the audit record's parts: immutable, no unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class CallerIdentity(Record):
    """The AWS principal the run used (STS GetCallerIdentity)."""

    account: str = Field(description="AWS account ID of the credentials.")
    arn: str = Field(description="ARN of the calling principal (user or assumed role session).")
    user_id: str = Field(description="Unique ID of the principal.")


class Who(Record):
    """Who ran it."""

    os_user: str = Field(description="Login name on the machine the runbook ran on.")
    host: str = Field(description="That machine's host name.")
    aws: CallerIdentity | None = Field(default=None, description="AWS caller identity; none when refused before any AWS call.")


class StepRecord(Record):
    """One step's outcome."""

    name: str = Field(description="Step (= task) name.")
    status: StepOutcome = Field(description="ok, changed (or would change, in a dry run), failed, skipped, or not-run.")
    changed: bool = Field(description="The step changed (or, in a dry run, would change) something.")
    message: str | None = Field(default=None, description="Failure or skip reason.")
    started_at: str | None = Field(default=None, description="When the step started (UTC, ISO 8601).")
    finished_at: str | None = Field(default=None, description="When the step ended (UTC, ISO 8601).")


class AuditRecord(Record):
    """One run of one runbook."""

    schema_version: int = Field(default=1, description="Version of this record's shape.")
    run_id: str = Field(description="Unique ID of the run (UUID4).")
    runbook: str = Field(description="Runbook name.")
    environment: str = Field(description="Environment name.")
    account: str = Field(description="The environment's AWS account ID (from the environment model).")
    region: str = Field(description="The environment's AWS region.")
    mode: Literal["dry-run", "execute"] = Field(description="dry-run (check mode) or execute.")
    from_step: str | None = Field(default=None, description="--from-step, when the run resumed at a step.")
    who: Who = Field(description="OS user, host and AWS caller identity.")
    started_at: str = Field(description="Start (UTC, ISO 8601).")
    finished_at: str = Field(description="End (UTC, ISO 8601).")
    duration_seconds: float = Field(description="Wall-clock duration.")
    parameters: dict[str, ParameterValue] = Field(description="Parameters, secrets masked as ***.")
    steps: list[StepRecord] = Field(default_factory=list, description="Every step of the runbook, in order.")
    outputs: dict[str, Any] = Field(default_factory=dict, description="Values the playbook reported with set_stats.")
    status: RunStatus = Field(description="succeeded, failed, refused (nothing was run) or interrupted.")
    error: str | None = Field(default=None, description="Why the run failed or was refused.")
    uploaded_to: str | None = Field(default=None, description="s3:// URI of the uploaded copy (executed runs).")
    upload_error: str | None = Field(default=None, description="Why the upload failed, when it did.")


def audit_file(explicit: Path | None = None, environ: dict[str, str] | None = None) -> Path:
    """Where local records go: ``--audit-dir``, ``$PLATFORM_RUNBOOK_AUDIT_DIR``, else ``$XDG_STATE_HOME/platform``."""
    environ = dict(os.environ) if environ is None else environ
    if explicit is not None:
        folder = explicit
    elif environ.get(AUDIT_DIR_ENV):
        folder = Path(environ[AUDIT_DIR_ENV])
    else:
        state = environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
        folder = Path(state) / "platform"
    return folder.expanduser() / AUDIT_FILE


def append_record(path: Path, record: AuditRecord) -> None:
    """Append ``record`` as one line; the folder is created 0700 and the file 0600."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    except OSError as exc:
        raise PlatformError(f"{path}: cannot write the audit record ({exc.strerror})", hint="set --audit-dir") from None
    line = (record.model_dump_json() + "\n").encode("utf-8")
    with os.fdopen(fd, "ab") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            handle.write(line)
            handle.flush()
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_records(path: Path) -> list[AuditRecord]:
    """Every record of a local audit file (oldest first)."""
    if not path.exists():
        return []
    return [AuditRecord.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def operator() -> Who:
    """The OS user and host (the AWS identity is added once known)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = f"uid-{os.getuid()}"
    return Who(os_user=user, host=socket.gethostname())


def caller_identity(region: str) -> CallerIdentity:
    """STS GetCallerIdentity with the ambient credentials (AWS_ENDPOINT_URL is honoured by botocore)."""
    try:
        reply = _client("sts", region).get_caller_identity()
    except _errors() as exc:
        raise PlatformError(
            f"cannot identify the AWS caller (STS GetCallerIdentity): {exc}",
            hint="configure credentials for the environment's account (AWS_PROFILE or AWS_ACCESS_KEY_ID/...)",
        ) from None
    return CallerIdentity(account=reply["Account"], arn=reply["Arn"], user_id=reply["UserId"])


def object_key(record: AuditRecord) -> str:
    """The record's S3 key: by environment, runbook and day, so a prefix lists one runbook's history."""
    started = datetime.fromisoformat(record.started_at.replace("Z", "+00:00"))
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    return f"{AUDIT_PREFIX}/{record.environment}/{record.runbook}/{started:%Y/%m/%d}/{stamp}-{record.run_id}.json"


def upload_record(record: AuditRecord, bucket: str, region: str) -> str:
    """Put the record in the bucket; returns its s3:// URI. Raises PlatformError on failure."""
    key = object_key(record)
    try:
        _client("s3", region).put_object(
            Bucket=bucket,
            Key=key,
            Body=record.model_dump_json().encode("utf-8"),
            ContentType="application/json",
            ServerSideEncryption="AES256",
        )
    except _errors() as exc:
        raise PlatformError(f"cannot upload the audit record to s3://{bucket}/{key}: {exc}") from None
    return f"s3://{bucket}/{key}"


def _client(service: str, region: str) -> Any:
    """A boto3 client (imported on first use: the CLI's other commands do not pay for boto3)."""
    import boto3

    return boto3.client(service, region_name=region)


def _errors() -> tuple[type[Exception], ...]:
    """The exceptions a failed AWS call raises."""
    from botocore.exceptions import BotoCoreError, ClientError

    return (BotoCoreError, ClientError)

"""Fixtures of the runbook tests: a real moto server over HTTP, one emulated AWS account per environment,
resources seeded under the names the stack gives them, the real CLI as a subprocess, and a fault-injecting proxy.

- ``moto_endpoint`` (session): ``moto_server -H 127.0.0.1 -p <free port>``, stopped by its PID.
- ``cloud`` (function): resets moto, then ``cloud.seed("dev")`` creates dev's database, snapshots,
  cluster, node groups and logs bucket in dev's account and returns an ``Account`` (clients, ``state()``).
  Each environment gets its own account: moto maps an IAM user's access key to the account it was
  created in (created with moto's ``x-moto-account-id`` header), so prod's resources live in prod's account.
- ``runbook_cli`` (function): runs ``platform runbook ...`` as a subprocess with an account's keys;
  returns a ``CliResult`` with exit code, output and the audit records written.
- ``fault_proxy`` (function): an HTTP proxy in front of moto that forwards every call and can replace
  the reply of chosen ones (a reply lost after the change was made, or a status rewritten).

The CLI command: until ``runbook`` is registered in platformkit/cli/main.py, ``CLI`` adds the group to
the real ``cli`` and calls the real ``main()`` (same error handling and exit codes). Once it is
registered, ``setdefault`` is a no-op and the command is exactly ``platform runbook``.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from platformkit.context import Context
from platformkit.database.component import parameter_group_family
from platformkit.environment import load_environment
from platformkit.environment.model import EnvironmentConfig
from platformkit.runbooks.audit import AuditRecord, read_records
from platformkit.runbooks.inventory import resource_names

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CLI_ENTRY = (
    "from platformkit.cli.main import cli, main; "
    "from platformkit.cli.runbook_cmd import runbook; "
    "cli.commands.setdefault('runbook', runbook); main()"
)
CLI = [sys.executable, "-c", CLI_ENTRY, "runbook"]
"""``platform runbook`` (see the module docstring); switch to [sys.executable, "-m", "platformkit.cli", "runbook"] at will."""

ENGINE_VERSION = "16.4"
SNAPSHOT = "manual-before-change"
"""The manual snapshot every seeded database has (moto adds an automated one when the instance is created)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "MOTO_ACCOUNT_ID"}
    process = subprocess.Popen(
        [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"moto_server exited with {process.returncode}")
            try:
                urllib.request.urlopen(f"{url}/moto-api/data.json", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()


# --- accounts and seeded environments ------------------------------------------------------


@dataclass
class Account:
    """One environment's emulated AWS account: clients with its keys, and a view of its state."""

    endpoint: str
    env: EnvironmentConfig
    access_key: str
    secret_key: str

    @property
    def names(self) -> dict[str, Any]:
        return resource_names(self.env)

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            region_name=self.env.account.region,
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
        )

    def credentials_env(self, endpoint: str | None = None) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": endpoint or self.endpoint,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
        }

    def nodegroup(self, group: str) -> dict[str, Any]:
        reply = self.client("eks").describe_nodegroup(
            clusterName=self.names["cluster"], nodegroupName=self.names["node_groups"][group]
        )
        return dict(reply["nodegroup"])

    def instance(self, identifier: str) -> dict[str, Any] | None:
        rds = self.client("rds")
        try:
            return dict(rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0])
        except rds.exceptions.DBInstanceNotFoundFault:
            return None

    def audit_objects(self) -> dict[str, dict[str, Any]]:
        """The audit records uploaded to the environment's logs bucket, by key."""
        s3 = self.client("s3")
        bucket = self.names["buckets"]["logs"]
        listing = s3.list_objects_v2(Bucket=bucket, Prefix="runbook-audit/").get("Contents", [])
        return {o["Key"]: json.loads(s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()) for o in listing}

    def state(self) -> dict[str, Any]:
        """Everything a runbook could change in this account, in a comparable form."""
        rds = self.client("rds")
        instances = {
            i["DBInstanceIdentifier"]: {
                "status": i["DBInstanceStatus"],
                "class": i["DBInstanceClass"],
                "tags": sorted((t["Key"], t["Value"]) for t in i.get("TagList", [])),
            }
            for i in rds.describe_db_instances()["DBInstances"]
        }
        snapshots = sorted(s["DBSnapshotIdentifier"] for s in rds.describe_db_snapshots()["DBSnapshots"])
        eks = self.client("eks")
        groups = {
            name: eks.describe_nodegroup(clusterName=self.names["cluster"], nodegroupName=name)["nodegroup"]["scalingConfig"]
            for name in eks.list_nodegroups(clusterName=self.names["cluster"])["nodegroups"]
        }
        return {
            "instances": instances,
            "snapshots": snapshots,
            "node_groups": groups,
            "audit_objects": sorted(self.audit_objects()),
        }


class Cloud:
    """The moto server, reset for each test; seeds environments into their own accounts."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.accounts: dict[str, Account] = {}

    def reset(self) -> None:
        urllib.request.urlopen(urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST"), timeout=10).close()

    def environment(self, name: str) -> EnvironmentConfig:
        return load_environment(name, REPO)

    def account(self, name: str) -> Account:
        """An IAM user in the environment's account; its keys make every later call land in that account."""
        if name not in self.accounts:
            env = self.environment(name)
            iam = boto3.client(
                "iam",
                region_name=env.account.region,
                endpoint_url=self.endpoint,
                aws_access_key_id="bootstrap",
                aws_secret_access_key="bootstrap",
            )
            iam.meta.events.register(
                "before-send.*.*", lambda request, **_: request.headers.__setitem__("x-moto-account-id", env.account.id)
            )
            iam.create_user(UserName="oncall")
            key = iam.create_access_key(UserName="oncall")["AccessKey"]
            self.accounts[name] = Account(self.endpoint, env, key["AccessKeyId"], key["SecretAccessKey"])
        return self.accounts[name]

    def seed(self, name: str) -> Account:
        """The environment's resources as the stack names them: network, keys, database + snapshot, cluster, logs bucket."""
        account = self.account(name)
        env, names = account.env, account.names
        ctx = Context.for_environment(env)
        tags = [{"Key": k, "Value": v} for k, v in ctx.tags().items()]
        ec2, rds, kms = account.client("ec2"), account.client("rds"), account.client("kms")
        vpc = ec2.create_vpc(CidrBlock=str(env.network.cidr))["Vpc"]["VpcId"]
        blocks = env.network.cidr.subnets(new_prefix=24)
        subnets = [
            ec2.create_subnet(VpcId=vpc, CidrBlock=str(next(blocks)), AvailabilityZone=zone)["Subnet"]["SubnetId"]
            for zone in env.availability_zones
        ]
        group = ec2.create_security_group(GroupName=names["database_security_group"], Description="database", VpcId=vpc)
        rds.create_db_subnet_group(
            DBSubnetGroupName=names["database_subnet_group"], DBSubnetGroupDescription="isolated", SubnetIds=subnets
        )
        rds.create_db_parameter_group(
            DBParameterGroupName=names["database_parameter_group"],
            DBParameterGroupFamily=parameter_group_family(env.database.engine_version),
            Description="platform parameters",
        )
        for alias in names["key_aliases"].values():
            key = kms.create_key(Description=alias)["KeyMetadata"]["KeyId"]
            kms.create_alias(AliasName=alias, TargetKeyId=key)
        rds.create_db_instance(
            DBInstanceIdentifier=names["database"],
            Engine="postgres",
            EngineVersion=ENGINE_VERSION,
            DBInstanceClass=env.database.instance_class,
            AllocatedStorage=env.database.allocated_storage_gib,
            MultiAZ=env.database.multi_az,
            MasterUsername="platform_admin",
            MasterUserPassword="not-a-real-password",
            StorageEncrypted=True,
            KmsKeyId=names["key_aliases"]["data"],
            BackupRetentionPeriod=env.database.backup_retention_days,
            DeletionProtection=env.database.deletion_protection,
            DBSubnetGroupName=names["database_subnet_group"],
            VpcSecurityGroupIds=[group["GroupId"]],
            DBParameterGroupName=names["database_parameter_group"],
            PubliclyAccessible=False,
            Tags=tags,
        )
        rds.create_db_snapshot(DBInstanceIdentifier=names["database"], DBSnapshotIdentifier=SNAPSHOT)
        eks = account.client("eks")
        role = f"arn:aws:iam::{env.account.id}:role/{ctx.name('eks-cluster')}"
        eks.create_cluster(name=names["cluster"], roleArn=role, resourcesVpcConfig={"subnetIds": subnets})
        for group_name, settings in env.cluster.node_groups.items():
            eks.create_nodegroup(
                clusterName=names["cluster"],
                nodegroupName=names["node_groups"][group_name],
                nodeRole=f"arn:aws:iam::{env.account.id}:role/{ctx.name('eks-node')}",
                subnets=subnets,
                scalingConfig={"minSize": settings.min_size, "desiredSize": settings.desired_size, "maxSize": settings.max_size},
                instanceTypes=list(settings.instance_types),
            )
        account.client("s3").create_bucket(
            Bucket=names["buckets"]["logs"], CreateBucketConfiguration={"LocationConstraint": env.account.region}
        )
        return account


@pytest.fixture
def cloud(moto_endpoint: str) -> Cloud:
    instance = Cloud(moto_endpoint)
    instance.reset()
    return instance


# --- the CLI ----------------------------------------------------------------------------------


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str
    audit: list[AuditRecord]
    seconds: float

    def resume_args(self) -> list[str]:
        """The arguments of the resume command the report printed (after 'platform runbook run')."""
        match = re.search(r"resume with:\n\s+platform runbook (run .+)\n", self.stdout)
        assert match, f"no resume command in:\n{self.stdout}"
        return shlex.split(match.group(1))

    def line(self, step: str) -> str:
        """The report line of a step."""
        found = [line for line in self.stdout.splitlines() if line.endswith(step) or f" {step}  (" in line]
        assert found, f"no line for step {step!r} in:\n{self.stdout}"
        return found[0]


class RunbookCli:
    """Runs ``platform runbook ...`` in a subprocess, isolated from the caller's AWS and Ansible settings."""

    def __init__(self, tmp: Path) -> None:
        self.audit_dir = tmp / "audit"
        self.runtime_dir = tmp / "run"
        self.runtime_dir.mkdir(mode=0o700)
        self.ansible_home = tmp / "ansible-home"
        self.started = time.monotonic()

    def __call__(
        self, args: list[str], account: Account | None = None, *, endpoint: str | None = None, root: Path | None = None
    ) -> CliResult:
        return self.collect(self.spawn(args, account, endpoint=endpoint, root=root))

    def spawn(
        self, args: list[str], account: Account | None = None, *, endpoint: str | None = None, root: Path | None = None
    ) -> subprocess.Popen[str]:
        """Start the CLI without waiting for it (to interrupt it, for example).

        ``root``: run in a copy of the repository instead (its working folder and ``PLATFORM_ROOT``), for runbooks
        that change files of the repository (secrets-rekey).
        """
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ANSIBLE_", "PLATFORM_"))}
        env.update(
            {
                "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
                "PLATFORM_RUNBOOK_AUDIT_DIR": str(self.audit_dir),
                "XDG_RUNTIME_DIR": str(self.runtime_dir),
                "ANSIBLE_HOME": str(self.ansible_home),
                "AWS_CONFIG_FILE": str(self.audit_dir / "no-aws-config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(self.audit_dir / "no-aws-credentials"),
                "AWS_EC2_METADATA_DISABLED": "true",
            }
        )
        if account is not None:
            env.update(account.credentials_env(endpoint))
        if root is not None:
            env["PLATFORM_ROOT"] = str(root)
        cwd = root or REPO
        self.started = time.monotonic()
        return subprocess.Popen(
            [*CLI, *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def collect(self, process: subprocess.Popen[str]) -> CliResult:
        """Wait for a spawned CLI and read what it wrote."""
        try:
            stdout, stderr = process.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            raise
        return CliResult(
            code=process.returncode,
            stdout=stdout,
            stderr=stderr,
            audit=read_records(self.audit_dir / "runbook-audit.jsonl"),
            seconds=time.monotonic() - self.started,
        )

    def processes_of_this_test(self) -> list[int]:
        """PIDs of processes (ansible-playbook) whose command line names this test's runtime folder."""
        found = []
        for proc in Path("/proc").iterdir():
            if proc.name.isdigit():
                try:
                    if str(self.runtime_dir).encode() in (proc / "cmdline").read_bytes():
                        found.append(int(proc.name))
                except OSError:
                    continue
        return found

    def leftover_vars_files(self) -> list[Path]:
        return [p for p in self.runtime_dir.rglob("*") if p.is_file()]


@pytest.fixture
def runbook_cli(tmp_path: Path) -> RunbookCli:
    return RunbookCli(tmp_path)


# --- fault injection ------------------------------------------------------------------------

_EKS_PATHS = [
    (re.compile(r"^POST /clusters/[^/]+/node-groups/[^/]+/update-config$"), "UpdateNodegroupConfig"),
    (re.compile(r"^GET /clusters/[^/]+/node-groups/[^/]+$"), "DescribeNodegroup"),
]
_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length", "expect", "proxy-connection"}


@dataclass
class Call:
    """One request that passed the proxy."""

    method: str
    path: str
    action: str
    body: bytes


Responder = Callable[[Call, int, list[tuple[str, str]], bytes], tuple[int, list[tuple[str, str]], bytes]]


@dataclass
class Fault:
    """Replace the reply of calls matching ``matches`` (after forwarding them), ``times`` times (None: always)."""

    matches: Callable[[Call], bool]
    respond: Responder
    times: int | None = 1


@dataclass
class FaultProxy:
    upstream: str
    faults: list[Fault] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    url: str = ""

    def count(self, action: str) -> int:
        return sum(1 for c in self.calls if c.action == action)

    def take(self, call: Call) -> Fault | None:
        for fault in self.faults:
            if fault.matches(call) and (fault.times is None or fault.times > 0):
                if fault.times is not None:
                    fault.times -= 1
                return fault
        return None

    def lose_reply(self, action: str, *, protocol: str) -> Fault:
        """The call reaches AWS (the change is made) but the client gets an error, as when a connection drops."""
        message = "injected by the test: the reply was lost after the request was processed"

        def respond(
            call: Call, status: int, headers: list[tuple[str, str]], body: bytes
        ) -> tuple[int, list[tuple[str, str]], bytes]:
            if protocol == "json":
                return (
                    400,
                    [("Content-Type", "application/json"), ("x-amzn-ErrorType", "InjectedFault")],
                    json.dumps({"message": message}).encode(),
                )
            xml = f"<ErrorResponse><Error><Type>Sender</Type><Code>InjectedFault</Code><Message>{message}</Message></Error></ErrorResponse>"
            return 400, [("Content-Type", "text/xml")], xml.encode()

        fault = Fault(lambda c: c.action == action, respond)
        self.faults.append(fault)
        return fault

    def rewrite(self, action: str, old: bytes, new: bytes, *, when: Callable[[Call], bool] = lambda c: True) -> Fault:
        """Replace ``old`` by ``new`` in every reply to ``action`` (e.g. a status that has not moved on yet)."""

        def respond(
            call: Call, status: int, headers: list[tuple[str, str]], body: bytes
        ) -> tuple[int, list[tuple[str, str]], bytes]:
            return status, headers, body.replace(old, new)

        fault = Fault(lambda c: c.action == action and when(c), respond, times=None)
        self.faults.append(fault)
        return fault


def _action(method: str, path: str, body: bytes) -> str:
    route = f"{method} {urlsplit(path).path}"
    for pattern, name in _EKS_PATHS:
        if pattern.match(route):
            return name
    if body[:200].find(b"Action=") >= 0:
        return parse_qs(body.decode("utf-8", "replace")).get("Action", [route])[0]
    return route


def _handler(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    upstream = urlsplit(proxy.upstream)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

        def _body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                chunks = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        self.rfile.readline()
                        break
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
                return b"".join(chunks)
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _proxy(self) -> None:
            body = self._body()
            call = Call(self.command, self.path, _action(self.command, self.path, body), body)
            proxy.calls.append(call)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_HEADERS}
            connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=120)
            connection.request(self.command, self.path, body=body, headers=headers)
            reply = connection.getresponse()
            data = reply.read()
            status = reply.status
            reply_headers = [(k, v) for k, v in reply.getheaders() if k.lower() not in _HOP_HEADERS]
            connection.close()
            fault = proxy.take(call)
            if fault is not None:
                status, reply_headers, data = fault.respond(call, status, reply_headers, data)
            self.send_response(status)
            for key, value in reply_headers:
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def do_GET(self) -> None:
            self._proxy()

        def do_POST(self) -> None:
            self._proxy()

        def do_PUT(self) -> None:
            self._proxy()

        def do_DELETE(self) -> None:
            self._proxy()

        def do_HEAD(self) -> None:
            self._proxy()

    return Handler


@pytest.fixture
def fault_proxy(moto_endpoint: str) -> Iterator[FaultProxy]:
    proxy = FaultProxy(upstream=moto_endpoint)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(proxy))
    server.daemon_threads = True
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

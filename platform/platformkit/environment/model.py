"""The typed environment model: every setting an environment may declare, with its default.

This module is the one place defaults live. Each ``environments/Pulumi.<env>.yaml`` holds only
what differs from them, under ``platform:<section>`` keys written in camelCase (Pulumi's
convention). Rules that involve several fields are named validators whose messages say
what to do instead. Code never branches on an environment's name: behaviour comes from
these fields (``tier``, ``shapeOf``, sizes and switches).
"""

from __future__ import annotations

import ipaddress
import re
from typing import ClassVar, Literal, Self
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel

LOG_RETENTION_DAYS: frozenset[int] = frozenset(
    {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
)
"""Retention periods CloudWatch Logs accepts."""

PERFORMANCE_INSIGHTS_RETENTION_DAYS: frozenset[int] = frozenset({7, 731, *(31 * m for m in range(1, 24))})
"""Retention periods RDS Performance Insights accepts: 7 days, whole 31-day months, or 731."""


class Section(BaseModel):
    """Base of every model section: immutable, unknown keys rejected, camelCase keys in files."""

    model_config = ConfigDict(frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=True)


def _check_log_retention(days: int) -> int:
    if days not in LOG_RETENTION_DAYS:
        allowed = ", ".join(str(d) for d in sorted(LOG_RETENTION_DAYS))
        raise ValueError(f"{days} is not a CloudWatch Logs retention period; use one of {allowed}")
    return days


class AccountSettings(Section):
    """Where the environment lives."""

    id: str = Field(
        pattern=r"^\d{12}$",
        description="AWS account ID (12 digits, quoted in YAML). The AWS provider refuses any other account, so a "
        "stack can never deploy into the wrong account by accident.",
    )
    region: str = Field(
        pattern=r"^[a-z]{2}(-gov)?-[a-z]+-\d$",
        description="AWS region, e.g. 'eu-west-1'. No default: choosing a region is a data-residency decision.",
    )


class TagSettings(Section):
    """Who owns and pays for the environment; becomes tags and labels on everything."""

    owner: str = Field(min_length=1, description="Accountable team, the 'owner' tag. Required: untagged spend has no owner.")
    cost_centre: str = Field(min_length=1, description="Cost centre, the 'cost-centre' tag. Required for cost allocation.")
    extra: dict[str, str] = Field(default_factory=dict, description="Further tags on every resource. Default none.")


class NetworkSettings(Section):
    """The VPC: one CIDR carved into public, private and isolated subnets per availability zone."""

    cidr: ipaddress.IPv4Network = Field(
        description="VPC CIDR, /16 to /20. Must not overlap another environment's, so environments can be peered later."
    )
    az_count: int = Field(
        default=3,
        ge=2,
        le=4,
        description="Availability zones to spread subnets over (2-4). Default 3: survives one AZ loss with quorum.",
    )
    availability_zones: list[str] | None = Field(
        default=None,
        description="Explicit AZ names; default: the region's first az_count zones (<region>a, b, c, ...). Set it when "
        "an account lacks one of those zones.",
    )
    nat_gateways: Literal["single", "perAz"] = Field(
        default="perAz",
        description="'perAz' (default) keeps egress up when one AZ fails; 'single' saves cost where that is acceptable.",
    )
    flow_log_retention_days: int = Field(default=365, description="Days VPC flow logs are kept. Default 365 (one year).")

    @field_validator("cidr")
    @classmethod
    def _cidr_size(cls, v: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
        if not 16 <= v.prefixlen <= 20:
            raise ValueError(f"{v} is a /{v.prefixlen}; use a /16 to /20 so every AZ gets usable subnets")
        if not v.is_private:
            raise ValueError(f"{v} is not a private (RFC 1918) range")
        return v

    @field_validator("flow_log_retention_days")
    @classmethod
    def _flow_log_retention(cls, v: int) -> int:
        return _check_log_retention(v)

    @model_validator(mode="after")
    def _zones_match_count(self) -> Self:
        if self.availability_zones is not None and len(self.availability_zones) != self.az_count:
            raise ValueError(
                f"availabilityZones lists {len(self.availability_zones)} zones but azCount is {self.az_count}; "
                "list exactly azCount zones or drop availabilityZones"
            )
        return self


class NodeGroupSettings(Section):
    """One EKS managed node group."""

    instance_types: list[str] = Field(
        min_length=1, description="EC2 instance types, first preferred. Required: sizing is a per-environment decision."
    )
    capacity_type: Literal["ON_DEMAND", "SPOT"] = Field(
        default="ON_DEMAND", description="ON_DEMAND (default) or SPOT. SPOT only for interruptible work."
    )
    disk_size_gib: int = Field(
        default=50, ge=20, le=1000, description="Root volume size, encrypted with the data key. Default 50."
    )
    min_size: int = Field(ge=0, description="Minimum nodes. 0 only where cost.allowScaleToZero is true.")
    desired_size: int = Field(ge=0, description="Nodes at creation; the autoscaler owns it afterwards.")
    max_size: int = Field(ge=1, le=1000, description="Maximum nodes; bounds emergency scaling.")
    labels: dict[str, str] = Field(default_factory=dict, description="Kubernetes node labels. Default none.")

    @field_validator("instance_types")
    @classmethod
    def _instance_type_shape(cls, v: list[str]) -> list[str]:
        for t in v:
            if not _looks_like_instance_type(t):
                raise ValueError(f"'{t}' is not an EC2 instance type such as 'm7i.large'")
        return v

    @model_validator(mode="after")
    def _sizes_ordered(self) -> Self:
        if not self.min_size <= self.desired_size <= self.max_size:
            raise ValueError(
                f"sizes must satisfy minSize <= desiredSize <= maxSize; got minSize={self.min_size}, "
                f"desiredSize={self.desired_size}, maxSize={self.max_size}"
            )
        return self


def _looks_like_instance_type(value: str) -> bool:
    family, _, size = value.partition(".")
    return bool(family) and bool(size) and family.isalnum() and family.islower() and size.replace("-", "").isalnum()


class ClusterSettings(Section):
    """The EKS cluster."""

    version: str = Field(
        default="1.33",
        pattern=r"^1\.(2[89]|3\d)$",
        description="Kubernetes minor version, e.g. '1.33'. One default so environments upgrade in a declared order.",
    )
    public_access_cidrs: list[ipaddress.IPv4Network] = Field(
        default_factory=list,
        description="CIDRs allowed to reach the public API endpoint. Default empty: the endpoint is private only. "
        "0.0.0.0/0 is refused.",
    )
    node_groups: dict[str, NodeGroupSettings] = Field(
        min_length=1, description="Managed node groups by name (lowercase). Required: at least one."
    )
    admin_role_arns: list[str] = Field(
        default_factory=list,
        description="IAM roles granted cluster-admin through EKS access entries. Default none (only the creator).",
    )
    log_retention_days: int = Field(default=365, description="Days control-plane logs are kept. Default 365.")

    @field_validator("public_access_cidrs")
    @classmethod
    def _no_open_endpoint(cls, v: list[ipaddress.IPv4Network]) -> list[ipaddress.IPv4Network]:
        for net in v:
            if net.prefixlen == 0:
                raise ValueError("0.0.0.0/0 would expose the Kubernetes API to the internet; list your office/VPN CIDRs")
        return v

    @field_validator("node_groups")
    @classmethod
    def _group_names(cls, v: dict[str, NodeGroupSettings]) -> dict[str, NodeGroupSettings]:
        for name in v:
            if not (name.isascii() and name.replace("-", "").isalnum() and name.islower() and len(name) <= 20):
                raise ValueError(f"node group name '{name}' must be lowercase letters, digits and '-', at most 20 characters")
        return v

    @field_validator("admin_role_arns")
    @classmethod
    def _role_arns(cls, v: list[str]) -> list[str]:
        for arn in v:
            if not (arn.startswith("arn:aws:iam::") and ":role/" in arn):
                raise ValueError(f"'{arn}' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)")
        return v

    @field_validator("log_retention_days")
    @classmethod
    def _log_retention(cls, v: int) -> int:
        return _check_log_retention(v)


class DatabaseSettings(Section):
    """The RDS PostgreSQL instance."""

    engine_version: str = Field(
        default="16",
        pattern=r"^\d{2}(\.\d+)?$",
        description="PostgreSQL version. Default '16' (major only): RDS applies minor upgrades itself, and a pinned "
        "minor ('16.8') would make the next deploy try to downgrade after each automatic upgrade.",
    )
    instance_class: str = Field(
        default="db.t4g.medium",
        pattern=r"^db\.[a-z0-9]+\.[a-z0-9]+$",
        description="RDS instance class, e.g. 'db.r7g.large'. Default db.t4g.medium.",
    )
    allocated_storage_gib: int = Field(default=50, ge=20, le=65536, description="Initial storage (gp3). Default 50.")
    max_allocated_storage_gib: int = Field(
        default=200, ge=20, le=65536, description="Storage autoscaling ceiling; must be >= allocatedStorageGib. Default 200."
    )
    multi_az: bool = Field(default=True, description="Standby in a second AZ. Default true; production requires it.")
    backup_retention_days: int = Field(
        default=14, ge=1, le=35, description="Automated backups and point-in-time recovery window (1-35). Default 14."
    )
    deletion_protection: bool = Field(
        default=True, description="Refuse deletes until turned off. Default true; production requires it."
    )
    performance_insights_retention_days: int = Field(
        default=7, description="Performance Insights retention: 7, a multiple of 31 up to 713, or 731. Default 7 (free tier)."
    )
    monitoring_interval_seconds: Literal[1, 5, 10, 15, 30, 60] = Field(
        default=60, description="Enhanced monitoring granularity. Default 60."
    )
    backup_window: str = Field(
        default="02:00-03:00", pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$", description="Daily backup window (UTC). Default 02:00-03:00."
    )
    maintenance_window: str = Field(
        default="sun:03:30-sun:04:30",
        pattern=r"^[a-z]{3}:\d{2}:\d{2}-[a-z]{3}:\d{2}:\d{2}$",
        description="Weekly maintenance window (UTC), after the backup window. Default sun:03:30-sun:04:30.",
    )

    log_retention_days: int = Field(default=365, description="Days exported PostgreSQL logs are kept. Default 365.")

    @field_validator("log_retention_days")
    @classmethod
    def _log_retention(cls, v: int) -> int:
        return _check_log_retention(v)

    @field_validator("performance_insights_retention_days")
    @classmethod
    def _pi_retention(cls, v: int) -> int:
        if v not in PERFORMANCE_INSIGHTS_RETENTION_DAYS:
            raise ValueError(f"{v} is not a Performance Insights retention; use 7, 31, 62, ... 713, or 731")
        return v

    @model_validator(mode="after")
    def _storage_ceiling(self) -> Self:
        if self.max_allocated_storage_gib < self.allocated_storage_gib:
            raise ValueError(
                f"maxAllocatedStorageGib ({self.max_allocated_storage_gib}) is below allocatedStorageGib "
                f"({self.allocated_storage_gib}); raise the ceiling or lower the initial size"
            )
        return self


class BucketLifecycle(Section):
    """Lifecycle of one bucket's objects."""

    expire_after_days: int | None = Field(
        default=None, ge=1, description="Delete current objects after this many days. Default never."
    )
    noncurrent_version_expire_days: int = Field(
        default=90, ge=1, description="Delete overwritten/deleted versions after this many days. Default 90."
    )
    transition_to_infrequent_access_days: int | None = Field(
        default=None, ge=30, description="Move objects to STANDARD_IA after this many days (>= 30). Default never."
    )


class StorageSettings(Section):
    """The environment's S3 buckets."""

    artifacts: BucketLifecycle = Field(default_factory=BucketLifecycle, description="Build artifacts bucket.")
    logs: BucketLifecycle = Field(
        default_factory=lambda: BucketLifecycle(expire_after_days=365, transition_to_infrequent_access_days=30),
        description="Access-log bucket. Default: kept one year, infrequent access after 30 days.",
    )
    backups: BucketLifecycle = Field(
        default_factory=lambda: BucketLifecycle(noncurrent_version_expire_days=35),
        description="Backup exports bucket. Default: old versions kept 35 days.",
    )


class KeySettings(Section):
    """The KMS keys."""

    deletion_window_days: int = Field(
        default=30, ge=7, le=30, description="Waiting period before a scheduled key deletion (7-30). Default 30, the maximum."
    )


class NamespaceSettings(Section):
    """One Kubernetes namespace with its quota and default container limits."""

    cpu: str = Field(default="8", pattern=r"^\d+(\.\d+)?m?$", description="Total CPU requests/limits allowed. Default 8.")
    memory: str = Field(default="16Gi", pattern=r"^\d+(Mi|Gi)$", description="Total memory requests/limits. Default 16Gi.")
    pods: int = Field(default=50, ge=1, le=5000, description="Maximum pods. Default 50.")
    default_cpu: str = Field(
        default="250m", pattern=r"^\d+m?$", description="Container CPU limit when none is set. Default 250m."
    )
    default_memory: str = Field(
        default="256Mi", pattern=r"^\d+(Mi|Gi)$", description="Container memory limit when none is set. Default 256Mi."
    )


def _default_namespaces() -> dict[str, NamespaceSettings]:
    return {
        "platform-system": NamespaceSettings(),
        "observability": NamespaceSettings(cpu="8", memory="32Gi"),
        "apps": NamespaceSettings(cpu="16", memory="32Gi", pods=100),
    }


class KubernetesSettings(Section):
    """The Kubernetes baseline inside the cluster."""

    namespaces: dict[str, NamespaceSettings] = Field(
        default_factory=_default_namespaces,
        description="Namespaces the platform manages, each with quota and limits. Default platform-system, observability, apps.",
    )

    @field_validator("namespaces")
    @classmethod
    def _namespace_names(cls, v: dict[str, NamespaceSettings]) -> dict[str, NamespaceSettings]:
        for name in v:
            if not (name.replace("-", "").isalnum() and name.islower() and len(name) <= 63 and not name.startswith("kube-")):
                raise ValueError(f"namespace '{name}' must be a lowercase DNS label and not start with 'kube-'")
        return v


class SecretsSettings(Section):
    """Who can decrypt the environment's SOPS secrets file besides its KMS secrets key."""

    break_glass_age_recipients: list[str] = Field(
        default_factory=list,
        description="age public keys (age1...) that can decrypt the secrets file when KMS is unavailable; their "
        "private keys are kept offline. Default none: only the environment's KMS secrets key can decrypt.",
    )

    @field_validator("break_glass_age_recipients")
    @classmethod
    def _age_recipients(cls, v: list[str]) -> list[str]:
        for recipient in v:
            if not (recipient.startswith("age1") and len(recipient) == 62 and recipient.isalnum()):
                raise ValueError(f"'{recipient}' is not an age public key (age1 followed by 58 characters)")
        if len(set(v)) != len(v):
            raise ValueError("the same age recipient is listed twice")
        return v


class WorkloadSecrets(Section):
    """One workload that reads secrets from Vault: where it runs, who it is, and which secrets it may read."""

    SECRET_PATH: ClassVar[re.Pattern[str]] = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$")
    """A dotted path into the environment's secrets file, e.g. ``grafana.admin_password``."""

    namespace: str = Field(
        description="Kubernetes namespace the workload runs in. Required: the workload's Vault role is bound to exactly "
        "this namespace, so no default could be right."
    )
    service_account: str = Field(
        description="Service account the workload runs as; the External Secrets Operator authenticates to Vault as this "
        "account on the workload's behalf. Required: the Vault role is bound to exactly this account (no wildcard)."
    )
    secrets: dict[str, str] = Field(
        min_length=1,
        description="Keys of the Kubernetes Secret written for the workload, each mapped to a dotted path of the "
        "environment's secrets file, e.g. {'admin-password': 'grafana.admin_password'}. Required, at least one. The "
        "workload's Vault policy can read exactly these paths and nothing else.",
    )
    secret_name: str | None = Field(
        default=None,
        description="Name of the Kubernetes Secret the External Secrets Operator writes in the namespace. Default: the "
        "workload's name.",
    )

    @field_validator("namespace")
    @classmethod
    def _namespace_label(cls, v: str) -> str:
        if not re.fullmatch(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", v):
            raise ValueError(f"namespace '{v}' is not a Kubernetes namespace name (lowercase DNS label, at most 63 characters)")
        return v

    @field_validator("service_account", "secret_name")
    @classmethod
    def _object_name(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?", v):
            raise ValueError(f"'{v}' is not a Kubernetes object name (lowercase letters, digits, '-' and '.')")
        return v

    @field_validator("secrets")
    @classmethod
    def _keys_and_paths(cls, v: dict[str, str]) -> dict[str, str]:
        for key, path in v.items():
            if not re.fullmatch(r"[-._a-zA-Z0-9]{1,253}", key):
                raise ValueError(f"'{key}' is not a Kubernetes Secret key (letters, digits, '-', '_' and '.')")
            if not cls.SECRET_PATH.fullmatch(path):
                raise ValueError(
                    f"secret '{key}' reads '{path}', which is not a dotted secrets-file path such as 'grafana.admin_password' "
                    "(letters, digits, '_' and '-' between dots)"
                )
        return v


class VaultSettings(Section):
    """How secrets reach workloads: Vault (KV v2, Kubernetes auth, audit) and, for AWS-native consumers, Secrets Manager."""

    address: str = Field(
        default="https://vault.vault.svc:8200",
        description="Vault's API address, https only, written https://host[:port] (no path). The External Secrets "
        "Operator and the deploy's Vault provider use it. Default https://vault.vault.svc:8200, the in-cluster service "
        "of a Vault installed in the 'vault' namespace; set it where Vault is reached through another name.",
    )
    ca_certificate: str | None = Field(
        default=None,
        description="PEM certificate of the CA that signed Vault's TLS certificate (public, not a secret); the External "
        "Secrets Operator trusts only it for Vault. Default none: the operator's system trust roots.",
    )
    server_namespace: str = Field(
        default="vault",
        description="Namespace the Vault server runs in. Default 'vault'. Its IAM role (KMS auto-unseal) trusts only "
        "this namespace's server service account.",
    )
    server_service_account: str = Field(
        default="vault",
        description="Service account of the Vault server pods. Default 'vault' (the Helm chart's). Only it can assume "
        "the IAM role that may use the auto-unseal key.",
    )
    kv_mount: str | None = Field(
        default=None,
        description="Path of the environment's KV v2 secrets engine. Default '<org>-<env>' (e.g. 'acme-dev'), so one "
        "Vault can serve several environments without their secrets sharing a mount.",
    )
    audience: str = Field(
        default="vault",
        pattern=r"^[A-Za-z0-9._:/-]{1,128}$",
        description="Audience the service-account tokens presented to Vault must carry; tokens minted for the "
        "Kubernetes API are refused. Default 'vault'.",
    )
    token_ttl_seconds: int = Field(
        default=900,
        ge=60,
        le=86400,
        description="Lifetime of a Vault token a workload gets at login. Default 900 (15 minutes): long enough for a "
        "sync, short enough that a leaked token expires quickly.",
    )
    token_max_ttl_seconds: int = Field(
        default=3600,
        ge=60,
        le=86400,
        description="Longest a workload's token can be renewed to; must be >= tokenTtlSeconds. Default 3600 (1 hour).",
    )
    audit_file_path: str = Field(
        default="stdout",
        description="Where the file audit device writes: 'stdout' (default; the cluster's log pipeline ships and keeps "
        "it, no file to rotate or fill a volume) or an absolute path on the server's audit volume.",
    )
    workloads: dict[str, WorkloadSecrets] = Field(
        default_factory=dict,
        description="Workloads that read secrets, by name (lowercase, at most 40 characters). Each gets its own Vault "
        "role and read-only policy and one Kubernetes Secret synced by the External Secrets Operator. Default none.",
    )
    secrets_manager_paths: list[str] = Field(
        default_factory=list,
        description="Dotted secrets-file paths also published to AWS Secrets Manager (encrypted with the environment's "
        "secrets key) for AWS-native consumers that cannot read Vault. Default none.",
    )

    @field_validator("address")
    @classmethod
    def _https_address(cls, v: str) -> str:
        parsed = urlparse(v)
        try:
            port_ok = parsed.port is None or parsed.port > 0
        except ValueError:
            port_ok = False
        if (
            parsed.scheme != "https"
            or not parsed.hostname
            or not port_ok
            or parsed.path
            or parsed.query
            or parsed.fragment
            or parsed.username
            or parsed.password
        ):
            raise ValueError(f"'{v}' is not a Vault address of the form https://host[:port] (https only, no path)")
        return v

    @field_validator("ca_certificate")
    @classmethod
    def _pem(cls, v: str | None) -> str | None:
        if v is not None and not (
            v.strip().startswith("-----BEGIN CERTIFICATE-----") and v.strip().endswith("-----END CERTIFICATE-----")
        ):
            raise ValueError(
                "caCertificate must be a PEM certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)"
            )
        return v

    @field_validator("server_namespace", "server_service_account")
    @classmethod
    def _server_names(cls, v: str) -> str:
        if not re.fullmatch(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", v):
            raise ValueError(f"'{v}' is not a Kubernetes name (lowercase DNS label, at most 63 characters)")
        return v

    @field_validator("kv_mount")
    @classmethod
    def _mount_path(cls, v: str | None) -> str | None:
        if v is None:
            return v
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)*", v) or len(v) > 128:
            raise ValueError(f"kvMount '{v}' must be lowercase letters, digits, '-' and '_', segments separated by '/'")
        if v.split("/")[0] in {"sys", "auth", "identity", "cubbyhole"}:
            raise ValueError(f"kvMount '{v}' is inside a path Vault reserves (sys, auth, identity, cubbyhole)")
        return v

    @field_validator("audit_file_path")
    @classmethod
    def _audit_target(cls, v: str) -> str:
        if v != "stdout" and not (v.startswith("/") and len(v) > 1 and "\x00" not in v and not v.endswith("/")):
            raise ValueError(
                f"auditFilePath '{v}' must be 'stdout' or an absolute file path ('discard' would lose the audit trail)"
            )
        return v

    @field_validator("workloads")
    @classmethod
    def _workload_names(cls, v: dict[str, WorkloadSecrets]) -> dict[str, WorkloadSecrets]:
        for name in v:
            if not re.fullmatch(r"[a-z]([a-z0-9-]{0,38}[a-z0-9])?", name):
                raise ValueError(f"workload name '{name}' must be lowercase letters, digits and '-', at most 40 characters")
        return v

    @field_validator("secrets_manager_paths")
    @classmethod
    def _published_paths(cls, v: list[str]) -> list[str]:
        for path in v:
            if not WorkloadSecrets.SECRET_PATH.fullmatch(path):
                raise ValueError(f"'{path}' is not a dotted secrets-file path such as 'rds.app_password'")
        if len(set(v)) != len(v):
            raise ValueError("the same path is listed twice in secretsManagerPaths")
        return v

    @model_validator(mode="after")
    def _ttls_ordered(self) -> Self:
        if self.token_max_ttl_seconds < self.token_ttl_seconds:
            raise ValueError(
                f"tokenMaxTtlSeconds ({self.token_max_ttl_seconds}) is below tokenTtlSeconds ({self.token_ttl_seconds}); "
                "raise the maximum or shorten the TTL"
            )
        return self

    @model_validator(mode="after")
    def _one_role_per_service_account(self) -> Self:
        bound: dict[tuple[str, str], str] = {}
        written: dict[tuple[str, str], str] = {}
        for name, workload in self.workloads.items():
            account = (workload.namespace, workload.service_account)
            if account in bound:
                raise ValueError(
                    f"workloads '{bound[account]}' and '{name}' both use service account {account[0]}/{account[1]}; "
                    "each service account gets one Vault role, so merge the two workloads' secrets into one"
                )
            bound[account] = name
            target = (workload.namespace, workload.secret_name or name)
            if target in written:
                raise ValueError(
                    f"workloads '{written[target]}' and '{name}' would both write Secret {target[0]}/{target[1]}; "
                    "give one of them another secretName"
                )
            written[target] = name
        return self


class CostSettings(Section):
    """Cost controls."""

    allow_scale_to_zero: bool = Field(
        default=False, description="Let node groups have minSize 0 (e.g. dev out of hours). Default false; production refuses it."
    )


class OperationsSettings(Section):
    """How people operate the environment by hand (runbooks)."""

    confirm_execute: bool = Field(
        default=True,
        description="'platform runbook run --execute' asks the operator to type the environment's name (or to pass "
        "--confirm <env> when not interactive) before acting. Default true: a runbook changes live resources; set false "
        "only where a mistaken run costs nothing (e.g. dev).",
    )


class EnvironmentConfig(Section):
    """One environment, validated from ``environments/Pulumi.<name>.yaml``."""

    name: str = Field(
        pattern=r"^[a-z][a-z0-9]{1,15}$",
        description="Environment (= stack) name; taken from the file name, never written inside the file.",
    )
    org: str = Field(default="acme", pattern=r"^[a-z][a-z0-9]{1,15}$", description="Organisation prefix of every name.")
    repository: str = Field(default="github.com/acme/platform", description="Repository recorded in the 'repository' tag.")
    tier: Literal["production", "non-production"] = Field(
        default="non-production",
        description="'production' enforces deletion protection, multi-AZ, >= 7 days of backups and no scale-to-zero.",
    )
    shape_of: str | None = Field(
        default=None,
        description="Name of an environment whose shape this one must keep exactly (instance classes, node counts, "
        "AZs, multi-AZ); e.g. perf declares shapeOf: prod. Default none.",
    )
    account: AccountSettings = Field(description="Account and region. Required: no safe default exists.")
    tags: TagSettings = Field(description="Owner and cost centre. Required: every resource must have an owner.")
    network: NetworkSettings = Field(description="VPC layout. Required: the CIDR must be chosen per environment.")
    cluster: ClusterSettings = Field(description="EKS cluster. Required: node group sizing is per environment.")
    database: DatabaseSettings = Field(default_factory=DatabaseSettings, description="RDS PostgreSQL. Default: model defaults.")
    storage: StorageSettings = Field(
        default_factory=StorageSettings, description="S3 bucket lifecycles. Default: model defaults."
    )
    keys: KeySettings = Field(default_factory=KeySettings, description="KMS keys. Default: model defaults.")
    kubernetes: KubernetesSettings = Field(
        default_factory=KubernetesSettings, description="Namespaces and quotas. Default: model defaults."
    )
    secrets: SecretsSettings = Field(
        default_factory=SecretsSettings, description="Recipients of the SOPS secrets file. Default: KMS key only."
    )
    cost: CostSettings = Field(default_factory=CostSettings, description="Cost controls. Default: no scale-to-zero.")
    operations: OperationsSettings = Field(
        default_factory=OperationsSettings,
        description="Manual operations (runbooks). Default: executing a runbook asks for confirmation.",
    )
    vault: VaultSettings = Field(
        default_factory=VaultSettings,
        description="Vault (KV v2, Kubernetes auth, workload roles, audit) and Secrets Manager publication. Default: "
        "in-cluster Vault, no workloads, nothing published to Secrets Manager.",
    )

    @property
    def availability_zones(self) -> list[str]:
        """The AZ names subnets are placed in."""
        if self.network.availability_zones is not None:
            return list(self.network.availability_zones)
        return [f"{self.account.region}{letter}" for letter in "abcdef"[: self.network.az_count]]

"""One naming and tagging context, built once per stack and passed to every component.

``Context.name()`` and ``Context.tags()`` / ``Context.labels()`` are the only ways the
platform derives physical names, AWS tags and Kubernetes labels, so names and tags cannot
drift apart. Changing a rule here renames real resources: treat it as a state migration.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from .environment.model import EnvironmentConfig

REQUIRED_TAG_KEYS: tuple[str, ...] = ("environment", "owner", "cost-centre", "managed-by", "repository")
"""Tag keys every taggable AWS resource carries; the parity check and policy gate rely on them."""

_NAME_PART = re.compile(r"[^a-z0-9-]+")


class Context(BaseModel):
    """Naming and tagging inputs shared by every resource of one environment."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    org: str = Field(
        pattern=r"^[a-z][a-z0-9]{1,15}$",
        description="Short organisation prefix of every physical name, e.g. 'acme'. Lowercase so it is valid in S3 and RDS names.",
    )
    environment: str = Field(
        pattern=r"^[a-z][a-z0-9]{1,15}$",
        description="Environment (= Pulumi stack) name, e.g. 'dev'. Part of every name and the 'environment' tag.",
    )
    account_id: str = Field(
        pattern=r"^\d{12}$", description="AWS account the environment lives in; used in ARNs and key policies."
    )
    region: str = Field(min_length=1, description="AWS region the environment lives in; used in ARNs and service principals.")
    owner: str = Field(min_length=1, description="Team accountable for the environment; the 'owner' tag.")
    cost_centre: str = Field(min_length=1, description="Cost centre billed for the environment; the 'cost-centre' tag.")
    repository: str = Field(min_length=1, description="Repository that manages the resources; the 'repository' tag.")
    extra_tags: Mapping[str, str] = Field(
        default_factory=dict,
        description="Further tags for every resource. Cannot override the required tag keys.",
    )

    @classmethod
    def for_environment(cls, env: EnvironmentConfig) -> Context:
        """The context of a validated environment: what the stack, runbooks and tools all name things by."""
        return cls(
            org=env.org,
            environment=env.name,
            account_id=env.account.id,
            region=env.account.region,
            owner=env.tags.owner,
            cost_centre=env.tags.cost_centre,
            repository=env.repository,
            extra_tags=env.tags.extra,
        )

    def name(self, *parts: str, max_length: int = 63) -> str:
        """Physical name ``<org>-<env>-<parts>``: lowercase, hyphenated, at most ``max_length``.

        Over-long names are cut and given an 8-character hash of the full name, so two long
        names that share a prefix still differ.
        """
        raw = "-".join([self.org, self.environment, *parts]).lower()
        cleaned = _NAME_PART.sub("-", raw).strip("-")
        cleaned = re.sub(r"-{2,}", "-", cleaned)
        if len(cleaned) <= max_length:
            return cleaned
        digest = hashlib.sha256(cleaned.encode()).hexdigest()[:8]
        return f"{cleaned[: max_length - 9].rstrip('-')}-{digest}"

    @property
    def partition_arn(self) -> str:
        """ARN prefix of the account's root principal, e.g. ``arn:aws:iam::111111111111:root``."""
        return f"arn:aws:iam::{self.account_id}:root"

    def tags(self, **extra: str) -> dict[str, str]:
        """AWS tags: the required keys, then ``extra_tags``, then ``extra`` (underscores become hyphens)."""
        required = {
            "environment": self.environment,
            "owner": self.owner,
            "cost-centre": self.cost_centre,
            "managed-by": "pulumi",
            "repository": self.repository,
        }
        merged = {**dict(self.extra_tags), **{k.replace("_", "-"): v for k, v in extra.items()}}
        clash = sorted(set(merged) & set(required))
        if clash:
            raise ValueError(f"tags {clash} are set by the context and cannot be overridden")
        return {**required, **merged}

    @property
    def label_domain(self) -> str:
        """Prefix of the organisation's Kubernetes label keys, e.g. ``acme.platform``."""
        return f"{self.org}.platform"

    def labels(self, component: str) -> dict[str, str]:
        """Kubernetes labels matching the AWS tags (label values cannot hold every tag value, so they are cleaned)."""

        def value(v: str) -> str:
            cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "-", v).strip("-_.")
            return cleaned[:63].rstrip("-_.")

        return {
            "app.kubernetes.io/managed-by": "pulumi",
            "app.kubernetes.io/part-of": "platform",
            "app.kubernetes.io/component": value(component),
            f"{self.label_domain}/environment": value(self.environment),
            f"{self.label_domain}/owner": value(self.owner),
            f"{self.label_domain}/cost-centre": value(self.cost_centre),
        }

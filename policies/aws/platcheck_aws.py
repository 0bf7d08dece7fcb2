"""Rules and helpers shared by the organisation's AWS checks.

This module imports nothing from Checkov, so the repository's tests can read its constants.
Checkov loads every ``.py`` file of the external checks directory as a module named after the
file (and puts each folder on ``sys.path``), so the checks import it as ``platcheck_aws``.

How Checkov hands a plan resource to a check (``checkov.terraform.plan_parser._hclify``): every
scalar or list of scalars is wrapped in a one-element list (``"kms_key_id": ["arn:..."]``,
``"cidr_blocks": [["0.0.0.0/0"]]``), the strings ``"true"``/``"false"`` become booleans, every
nested object becomes a list of objects, and ``tags`` keeps its values unwrapped
(``"tags": [{"owner": "platform-team"}]``).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any

REQUIRED_TAGS: tuple[str, ...] = ("environment", "owner", "cost-centre", "managed-by", "repository")
"""Tag keys every taggable AWS resource carries (platformkit.context.REQUIRED_TAG_KEYS)."""

STRICT_ENVIRONMENTS: frozenset[str] = frozenset({"prod", "perf"})
"""Environments (value of the ``environment`` tag) held to the stricter rules, e.g. deletion protection."""

PUBLIC_LOAD_BALANCER_TAG: tuple[str, str] = ("exposure", "public-load-balancer")
"""The tag (key, value) that marks the one security group allowed ingress from anywhere."""

_AWS_MANAGED_ALIAS = re.compile(r"(^|:)alias/aws/")


def value(conf: Mapping[str, Any], key: str) -> Any:
    """The scalar (or list of scalars) at ``key``, unwrapped; None when absent."""
    found = conf.get(key)
    if isinstance(found, list):
        return found[0] if found else None
    return found


def blocks(conf: Mapping[str, Any], key: str) -> list[dict[str, Any]]:
    """The nested blocks at ``key`` (a dict and a list of dicts alike); [] when absent."""
    found = conf.get(key)
    if isinstance(found, dict):
        return [found]
    if not isinstance(found, list):
        return []
    flat: list[dict[str, Any]] = []
    for item in found:
        if isinstance(item, dict):
            flat.append(item)
        elif isinstance(item, list):
            flat.extend(x for x in item if isinstance(x, dict))
    return flat


def strings(conf: Mapping[str, Any], key: str) -> list[str]:
    """The list of strings at ``key`` (a single string counts as a list of one); [] when absent."""
    found = value(conf, key)
    if isinstance(found, str):
        return [found]
    if isinstance(found, list):
        return [x for x in found if isinstance(x, str)]
    return []


def is_true(raw: Any) -> bool:
    """True for ``true`` and ``"true"`` (any case) only; absent, unknown and anything else is not true."""
    return raw is True or (isinstance(raw, str) and raw.strip().lower() == "true")


def is_customer_managed_key(raw: Any) -> bool:
    """A KMS key reference that is not an AWS-managed key (``alias/aws/<service>``).

    A key ID or ARN cannot tell a customer-managed key from an AWS-managed one, so any non-empty
    reference other than an ``alias/aws/...`` alias (or its ARN) is accepted. A value unknown until
    apply (the ARN of a key created in the same deployment) is accepted too.
    """
    return isinstance(raw, str) and bool(raw.strip()) and not _AWS_MANAGED_ALIAS.search(raw.strip())


def tags(conf: Mapping[str, Any]) -> dict[str, Any]:
    """The resource's tags: ``tags_all`` (provider default tags included) overlaid with ``tags``.

    Also reads the ``tag`` blocks (``key``/``value``) of ``aws_autoscaling_group``.
    """
    merged: dict[str, Any] = {}
    for key in ("tags_all", "tags"):
        for item in blocks(conf, key):
            merged.update({k: v for k, v in item.items() if isinstance(k, str) and not k.startswith("__")})
    for item in blocks(conf, "tag"):
        tag_key, tag_value = value(item, "key"), value(item, "value")
        if isinstance(tag_key, str):
            merged[tag_key] = tag_value
    return merged


def tag(conf: Mapping[str, Any], key: str) -> str | None:
    """One tag's value (stripped), None when absent, empty or not a string."""
    found = tags(conf).get(key)
    if isinstance(found, list):
        found = found[0] if found else None
    if isinstance(found, str) and found.strip():
        return found.strip()
    return None


def is_open_to_world(cidr: str) -> bool:
    """True for any network with prefix length 0 (``0.0.0.0/0``, ``::/0`` and their spellings)."""
    try:
        return ipaddress.ip_network(cidr.strip(), strict=False).prefixlen == 0
    except ValueError:
        return cidr.strip().endswith("/0")

#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt), as the amazon.aws utilities it uses.
"""List recent RDS events (DescribeEvents): read-only.

Why a module of our own: neither amazon.aws nor community.aws has a module for RDS events
(rds_instance_info and rds_snapshot_info describe resources, not their event history).
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.platformkit.runbooks.plugins.module_utils.event_window import iso, window

with contextlib.suppress(ImportError):  # AnsibleAWSModule reports a missing botocore itself
    from botocore.exceptions import BotoCoreError, ClientError

DOCUMENTATION = r"""
---
module: rds_events_info
short_description: List recent RDS events
description:
  - Lists the RDS events (instance, snapshot, parameter group, security group, cluster events) of the last
    O(hours) hours, newest first, with C(DescribeEvents). RDS keeps events for 14 days.
  - Read-only; supports check mode.
options:
  hours:
    description: How far back to look, in hours (1 to 336, the 14 days RDS keeps events).
    type: int
    default: 24
  source_type:
    description: Only events of this source type, e.g. C(db-instance). Default all types.
    type: str
  max_events:
    description: At most this many events (the newest) are returned.
    type: int
    default: 200
author:
  - platform team
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: RDS events of the last 6 hours
  platformkit.runbooks.rds_events_info:
    hours: 6
  register: rds_events
"""

RETURN = r"""
events:
  description: The events, newest first.
  returned: always
  type: list
  elements: dict
  contains:
    date:
      description: When it happened (UTC, ISO 8601).
      type: str
    source_type:
      description: e.g. db-instance, db-snapshot.
      type: str
    source_identifier:
      description: The resource, e.g. the instance identifier.
      type: str
    categories:
      description: Event categories, e.g. failover, availability, backup.
      type: list
    message:
      description: What happened.
      type: str
truncated:
  description: True when more events matched than O(max_events).
  returned: always
  type: bool
start_time:
  description: Start of the window (UTC, ISO 8601).
  returned: always
  type: str
"""


def main():
    module = AnsibleAWSModule(
        argument_spec={
            "hours": {"type": "int", "default": 24},
            "source_type": {"type": "str"},
            "max_events": {"type": "int", "default": 200},
        },
        supports_check_mode=True,
    )
    start, _ = window(module, 336, "RDS keeps events for 14 days")
    query = {"StartTime": start}
    if module.params["source_type"]:
        query["SourceType"] = module.params["source_type"]
    client = module.client("rds", retry_decorator=AWSRetry.jittered_backoff())
    try:
        pages = client.get_paginator("describe_events").paginate(**query).build_full_result()
    except (BotoCoreError, ClientError) as e:
        module.fail_json_aws(e, msg="cannot list RDS events")
    events = []
    for event in pages.get("Events", []):
        date = event.get("Date")
        if isinstance(date, datetime) and date.astimezone(UTC) < start:
            continue  # the API filters by StartTime already; kept for emulators that do not
        events.append(
            {
                "date": iso(date),
                "source_type": event.get("SourceType"),
                "source_identifier": event.get("SourceIdentifier"),
                "categories": event.get("EventCategories", []),
                "message": event.get("Message"),
            }
        )
    events.sort(key=lambda e: e["date"], reverse=True)
    limit = module.params["max_events"]
    module.exit_json(changed=False, events=events[:limit], truncated=len(events) > limit, start_time=iso(start))


if __name__ == "__main__":
    main()

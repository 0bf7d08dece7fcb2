#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt), as the amazon.aws utilities it uses.
"""List recent configuration changes recorded by CloudTrail (LookupEvents, write events only): read-only.

Why a module of our own: amazon.aws.cloudtrail_info describes trails, not their events, and no
maintained module calls LookupEvents.
"""

from __future__ import annotations

import contextlib
import json

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.platformkit.runbooks.plugins.module_utils.event_window import iso, window

with contextlib.suppress(ImportError):  # AnsibleAWSModule reports a missing botocore itself
    from botocore.exceptions import BotoCoreError, ClientError

DOCUMENTATION = r"""
---
module: cloudtrail_events_info
short_description: List recent configuration changes from CloudTrail
description:
  - Lists the management events that changed something (C(ReadOnly=false)) in the last O(hours) hours, newest
    first, with CloudTrail C(LookupEvents) (the 90-day event history of the region; no trail needed).
  - LookupEvents allows 2 calls per second per account; throttled calls are retried.
  - Read-only; supports check mode.
options:
  hours:
    description: How far back to look, in hours (1 to 2160, the 90 days of CloudTrail event history).
    type: int
    default: 24
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
- name: Configuration changes of the last 6 hours
  platformkit.runbooks.cloudtrail_events_info:
    hours: 6
  register: changes
"""

RETURN = r"""
events:
  description: The write events, newest first.
  returned: always
  type: list
  elements: dict
  contains:
    time:
      description: When it happened (UTC, ISO 8601).
      type: str
    name:
      description: The API call, e.g. ModifyDBInstance.
      type: str
    source:
      description: The service, e.g. rds.amazonaws.com.
      type: str
    username:
      description: Who made it (user or role session name).
      type: str
    resources:
      description: The resources it named, as "type name".
      type: list
    error_code:
      description: The error of a refused call, else null.
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


def error_code(raw):
    try:
        return json.loads(raw or "{}").get("errorCode")
    except ValueError:
        return None


def main():
    module = AnsibleAWSModule(
        argument_spec={
            "hours": {"type": "int", "default": 24},
            "max_events": {"type": "int", "default": 200},
        },
        supports_check_mode=True,
    )
    limit = module.params["max_events"]
    start, end = window(module, 2160, "CloudTrail keeps 90 days of event history")
    client = module.client(
        "cloudtrail", retry_decorator=AWSRetry.jittered_backoff(catch_extra_error_codes=["ThrottlingException"])
    )
    events = []
    truncated = False
    try:
        pages = client.get_paginator("lookup_events").paginate(
            StartTime=start,
            EndTime=end,
            LookupAttributes=[{"AttributeKey": "ReadOnly", "AttributeValue": "false"}],
            PaginationConfig={"PageSize": 50},
        )
        for page in pages:
            for event in page.get("Events", []):
                if len(events) == limit:
                    truncated = True
                    break
                events.append(
                    {
                        "time": iso(event.get("EventTime")),
                        "name": event.get("EventName"),
                        "source": event.get("EventSource"),
                        "username": event.get("Username"),
                        "resources": [
                            f"{r.get('ResourceType', '')} {r.get('ResourceName', '')}".strip() for r in event.get("Resources", [])
                        ],
                        "error_code": error_code(event.get("CloudTrailEvent")),
                    }
                )
            if truncated:
                break
    except (BotoCoreError, ClientError) as e:
        module.fail_json_aws(e, msg="cannot look up CloudTrail events (cloudtrail:LookupEvents)")
    events.sort(key=lambda e: e["time"], reverse=True)
    module.exit_json(changed=False, events=events, truncated=truncated, start_time=iso(start))


if __name__ == "__main__":
    main()

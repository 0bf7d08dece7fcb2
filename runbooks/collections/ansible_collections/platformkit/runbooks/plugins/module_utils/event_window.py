# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt), as the amazon.aws utilities it uses.
"""The look-back window and timestamps of the event-listing modules (rds_events_info, cloudtrail_events_info)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def iso(value):
    """A timestamp as UTC ISO 8601 (``2026-11-21T10:00:00Z``); anything else as text."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


def window(module, max_hours, kept):
    """(start, end) of the last O(hours) hours; fails the module when outside 1..max_hours (``kept`` says why)."""
    hours = module.params["hours"]
    if not 1 <= hours <= max_hours:
        module.fail_json(msg=f"hours must be 1 to {max_hours} ({kept}); got {hours}")
    end = datetime.now(UTC)
    return end - timedelta(hours=hours), end

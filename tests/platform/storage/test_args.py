"""StorageArgs: validation of lifecycles that S3 would refuse."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from platformkit.context import Context
from platformkit.environment.model import BucketLifecycle, StorageSettings
from platformkit.storage import StorageArgs

KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555"


def test_data_key_is_required(ctx: Context) -> None:
    with pytest.raises(ValidationError, match="data_key_arn"):
        StorageArgs(context=ctx)  # type: ignore[call-arg]  # deliberately wrong arguments: validation must refuse them


def test_defaults_are_the_model_defaults(ctx: Context) -> None:
    args = StorageArgs(context=ctx, data_key_arn=KEY_ARN)
    assert args.settings == StorageSettings()


@pytest.mark.parametrize("expire", [30, 45])
def test_expiry_not_after_the_transition_is_refused(ctx: Context, expire: int) -> None:
    settings = StorageSettings(logs=BucketLifecycle(expire_after_days=expire, transition_to_infrequent_access_days=45))
    with pytest.raises(ValidationError, match=r"storage\.logs: expireAfterDays .* must be greater than"):
        StorageArgs(context=ctx, settings=settings, data_key_arn=KEY_ARN)


def test_expiry_after_the_transition_is_accepted(ctx: Context) -> None:
    settings = StorageSettings(artifacts=BucketLifecycle(expire_after_days=46, transition_to_infrequent_access_days=45))
    assert StorageArgs(context=ctx, settings=settings, data_key_arn=KEY_ARN).settings.artifacts.expire_after_days == 46


def test_unknown_fields_are_refused(ctx: Context) -> None:
    with pytest.raises(ValidationError, match="extra"):
        StorageArgs(context=ctx, data_key_arn=KEY_ARN, bucket_prefix="x")  # type: ignore[call-arg]  # deliberately wrong arguments: validation must refuse them

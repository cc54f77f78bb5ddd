"""Where a job's files live in the object store.

Layout: ``{tenant}/{yyyy}/{mm}/{job_id}/video.mp4`` with ``thumbnail.jpg`` and ``metadata.json``
beside it. The key must be the same every time the same job is handled (a redelivered `rendered`
event has to land on the same object), so the month comes from a timestamp that is fixed for the
job, such as the request's ``requested_at`` or the ``rendered`` event's ``occurred_at`` - never
from the clock at handling time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from reelforge.contracts.envelope import TENANT_PATTERN

VIDEO_NAME = "video.mp4"
THUMBNAIL_NAME = "thumbnail.jpg"
METADATA_NAME = "metadata.json"

_TENANT = re.compile(TENANT_PATTERN)


class InvalidKeyPartError(ValueError):
    """A tenant id or timestamp that cannot be part of an object key."""


@dataclass(frozen=True)
class AssetKeys:
    """The object keys of one job's asset."""

    prefix: str
    video: str
    thumbnail: str
    metadata: str


def asset_keys(tenant_id: str, job_id: UUID, dated: datetime) -> AssetKeys:
    """The keys for `job_id` of `tenant_id`, filed under the UTC year and month of `dated`."""
    if not _TENANT.fullmatch(tenant_id):
        raise InvalidKeyPartError(
            f"tenant id {tenant_id!r} is not a valid key segment (pattern {TENANT_PATTERN})"
        )
    if dated.tzinfo is None:
        raise InvalidKeyPartError("the key's timestamp must be timezone-aware")
    utc = dated.astimezone(UTC)
    prefix = f"{tenant_id}/{utc:%Y}/{utc:%m}/{job_id}"
    return AssetKeys(
        prefix=prefix,
        video=f"{prefix}/{VIDEO_NAME}",
        thumbnail=f"{prefix}/{THUMBNAIL_NAME}",
        metadata=f"{prefix}/{METADATA_NAME}",
    )


_SAFE_KEY = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$")


def is_safe_key(key: str) -> bool:
    """Whether `key` is a relative path of plain segments (no ``..``, no empty or dot segments).

    The local backend maps keys to files, so a key that could climb out of its directory must
    never reach the file system.
    """
    return len(key) <= 1024 and _SAFE_KEY.fullmatch(key) is not None

"""Opaque cursors for ``GET /v1/videos``: newest first, stable under concurrent inserts.

A cursor names the last row of the previous page by (created_at, job_id); the next page holds the
rows strictly older in that order, so a job created meanwhile never shifts or repeats a page.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
_INVALID = "cursor is not valid; use the next_cursor of a previous page"


class CursorError(ValueError):
    """A cursor this service did not produce (or one that was altered)."""


@dataclass(frozen=True)
class Cursor:
    created_at: datetime
    job_id: UUID

    def encode(self) -> str:
        raw = json.dumps({"t": self.created_at.isoformat(), "j": str(self.job_id)})
        return base64.urlsafe_b64encode(raw.encode()).rstrip(b"=").decode()

    @classmethod
    def decode(cls, token: str) -> Cursor:
        try:
            padded = token + "=" * (-len(token) % 4)
            data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
            created_at = datetime.fromisoformat(data["t"])
            job_id = UUID(data["j"])
        except (binascii.Error, UnicodeError, ValueError, KeyError, TypeError) as error:
            raise CursorError(
                "cursor is not valid; use the next_cursor of a previous page"
            ) from error
        if created_at.tzinfo is None:
            raise CursorError("cursor is not valid; use the next_cursor of a previous page")
        return cls(created_at=created_at, job_id=job_id)


def parse_limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ValueError(f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return int(raw)

"""The envelope every reelforge event carries, and the rules for reading and writing events.

Consumers ignore unknown fields (a newer producer must not break an older consumer); producers
validate strictly with :meth:`Event.validate_for_publish`, which also refuses fields the contract
does not know, so a typo never leaves a service.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar, Self
from uuid import UUID, uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator

TENANT_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"


def utc_now() -> datetime:
    return datetime.now(UTC)


class ContractModel(BaseModel):
    """Base of every contract model: unknown fields are ignored when reading."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class UnknownFieldError(ValueError):
    """A producer tried to publish a field the contract does not define."""


class Event(ContractModel):
    """Fields shared by every event on every topic."""

    event_type: ClassVar[str]
    schema_version: int = Field(default=1, ge=1, description="Bumped on breaking changes.")
    event_id: UUID = Field(default_factory=uuid4, description="Unique per event; dedupe key.")
    occurred_at: AwareDatetime = Field(default_factory=utc_now, description="UTC.")
    job_id: UUID = Field(description="The video job; also the Kafka message key.")
    tenant_id: str = Field(pattern=TENANT_PATTERN, description="Owner of the job.")
    correlation_id: str | None = Field(
        default=None,
        max_length=200,
        description="Caller's id that ties related requests together (e.g. an upstream order id).",
    )

    @field_validator("occurred_at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @property
    def key(self) -> bytes:
        """Kafka key: always the job_id, so one job's events stay in order on one partition."""
        return str(self.job_id).encode()

    @classmethod
    def validate_for_publish(cls, data: dict[str, Any]) -> Self:
        """Strict producer-side validation: types as declared and no unknown fields anywhere."""
        unknown = _unknown_fields(cls, data)
        if unknown:
            raise UnknownFieldError(
                f"{cls.__name__}: unknown field(s) {', '.join(sorted(unknown))}"
            )
        return cls.model_validate(data)


def _unknown_fields(model: type[BaseModel], data: Any, prefix: str = "") -> set[str]:
    if not isinstance(data, dict):
        return set()
    known = {name: field for name, field in model.model_fields.items()}
    aliases = {f.alias: name for name, f in known.items() if f.alias}
    unknown: set[str] = set()
    for key, value in data.items():
        name = aliases.get(key, key)
        if name not in known:
            unknown.add(f"{prefix}{key}")
            continue
        annotation = known[name].annotation
        for sub in _model_types(annotation):
            if isinstance(value, list):
                for i, item in enumerate(value):
                    unknown |= _unknown_fields(sub, item, f"{prefix}{key}.{i}.")
            else:
                unknown |= _unknown_fields(sub, value, f"{prefix}{key}.")
    return unknown


def _model_types(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in getattr(annotation, "__args__", ()) or ():
        found.extend(_model_types(arg))
    return found


def describe_validation_error(error: ValidationError) -> str:
    """One readable line per problem, each naming the field's path."""
    lines = []
    for item in error.errors():
        path = ".".join(str(p) for p in item["loc"]) or "(body)"
        lines.append(f"{path}: {item['msg']}")
    return "; ".join(lines)

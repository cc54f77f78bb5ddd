"""Which environment variables each service reads (pydantic-settings): its settings class plus
the runtime's common settings, `reelforge.runtime.settings.ServiceSettings`."""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from typing import Any

from pydantic import AliasChoices, AliasPath

SERVICES = ("script", "render", "storage", "webhook")
COMMON_SETTINGS = "reelforge.runtime.settings.ServiceSettings"


def settings_class_path(service: str) -> str:
    """`reelforge.render.config.RenderSettings` for `render`, and so on."""
    return f"reelforge.{service}.config.{service.capitalize()}Settings"


def service_env(service: str) -> SettingsEnv | None:
    """What the service reads, or None while its settings class does not exist yet."""
    settings_class = load_settings_class(settings_class_path(service))
    common = load_settings_class(COMMON_SETTINGS)
    if settings_class is None or common is None:
        return None
    return settings_env(common) | settings_env(settings_class)


def load_service_settings(service: str, environment: dict[str, str]) -> list[Any]:
    """The common and the service's settings as the service would load them from `environment`.

    Every variable either class reads is taken from `environment` only (the process environment is
    left as it was); raises pydantic's ValidationError naming what is wrong.
    """
    classes = [
        load_settings_class(COMMON_SETTINGS),
        load_settings_class(settings_class_path(service)),
    ]
    loaded = []
    for settings_class in classes:
        assert settings_class is not None
        reads = settings_env(settings_class)
        own = {k: v for k, v in environment.items() if reads.reads(k)}
        saved = {k: os.environ.pop(k) for k in list(os.environ) if reads.reads(k)}
        try:
            os.environ.update(own)
            loaded.append(settings_class(_env_file=None))
        finally:
            for key in own:
                os.environ.pop(key, None)
            os.environ.update(saved)
    return loaded


def load_settings_class(path: str) -> type[Any] | None:
    """The class at `package.module.Class`, or None while the module or class does not exist."""
    module_name, _, class_name = path.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        if err.name is not None and module_name.startswith(err.name):
            return None
        raise
    settings_class = getattr(module, class_name, None)
    return settings_class if isinstance(settings_class, type) else None


@dataclass(frozen=True)
class SettingsEnv:
    """The variables a pydantic-settings class reads; nested fields as `NAME<delimiter>...`."""

    names: frozenset[str]
    nested_prefixes: frozenset[str]
    case_sensitive: bool

    def reads(self, variable: str) -> bool:
        key = variable if self.case_sensitive else variable.upper()
        return key in self.names or any(key.startswith(p) for p in self.nested_prefixes)

    def __or__(self, other: SettingsEnv) -> SettingsEnv:
        if self.case_sensitive != other.case_sensitive:
            return _case_insensitive(self) | _case_insensitive(other)
        return SettingsEnv(
            self.names | other.names,
            self.nested_prefixes | other.nested_prefixes,
            self.case_sensitive,
        )


def _case_insensitive(env: SettingsEnv) -> SettingsEnv:
    return SettingsEnv(
        frozenset(n.upper() for n in env.names),
        frozenset(p.upper() for p in env.nested_prefixes),
        case_sensitive=False,
    )


def settings_env(settings_class: type[Any]) -> SettingsEnv:
    """Environment variable names of every field, as pydantic-settings resolves them.

    A field with an alias or validation alias is read under that name only (env_prefix does not
    apply); any other field under env_prefix + field name.
    """
    config = settings_class.model_config
    prefix = config.get("env_prefix") or ""
    case_sensitive = bool(config.get("case_sensitive", False))
    delimiter = config.get("env_nested_delimiter")
    names: set[str] = set()
    nested: set[str] = set()
    for field_name, field in settings_class.model_fields.items():
        field_names = _field_env_names(field, prefix + field_name)
        names.update(field_names)
        if delimiter:
            nested.update(f"{name}{delimiter}" for name in field_names)
    if not case_sensitive:
        names = {n.upper() for n in names}
        nested = {n.upper() for n in nested}
    return SettingsEnv(frozenset(names), frozenset(nested), case_sensitive)


def _field_env_names(field: Any, default: str) -> list[str]:
    alias = field.validation_alias or field.alias
    if alias is None:
        return [default]
    choices = alias.choices if isinstance(alias, AliasChoices) else [alias]
    names: list[str] = []
    for choice in choices:
        if isinstance(choice, str):
            names.append(choice)
        elif isinstance(choice, AliasPath) and isinstance(choice.path[0], str):
            names.append(choice.path[0])
    return names

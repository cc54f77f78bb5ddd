"""Which environment variables each service's settings class reads (pydantic-settings)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from pydantic import AliasChoices, AliasPath

SERVICES = ("script", "render", "storage", "webhook")


def settings_class_path(service: str) -> str:
    """`reelforge.render.config.RenderSettings` for `render`, and so on."""
    return f"reelforge.{service}.config.{service.capitalize()}Settings"


def load_settings_class(service: str) -> type[Any] | None:
    """The service's settings class, or None while the service does not define it yet."""
    module_name, _, class_name = settings_class_path(service).rpartition(".")
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

"""Test support code shared across services (fake providers, helpers)."""

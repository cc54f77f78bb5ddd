"""Root pytest configuration: real infrastructure fixtures for integration and e2e tests."""

pytest_plugins = ["reelforge.runtime.testing"]

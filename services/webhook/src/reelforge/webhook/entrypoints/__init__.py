"""ASGI app, Kafka consumers and the CLI."""

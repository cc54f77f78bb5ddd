"""PostgreSQL, Kafka and HTTP clients."""

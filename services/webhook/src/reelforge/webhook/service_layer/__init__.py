"""One thin handler per use case, on top of the domain and the adapters."""

"""Storage adapters: object stores, the guarded downloader, media probing, metrics."""

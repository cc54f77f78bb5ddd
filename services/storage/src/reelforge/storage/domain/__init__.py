"""Pure storage rules: object keys, signed URLs, download policy (no I/O)."""

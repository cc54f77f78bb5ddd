"""Pure rules of the HTTP edge: signatures, tokens, API keys, payload mapping, the job view."""

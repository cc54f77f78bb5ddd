"""reelforge render service: drives each job to rendered or failed at a provider."""

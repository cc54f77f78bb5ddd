"""reelforge webhook service: the HTTP edge.

Provider webhooks, the submission API, the job view and live progress.
"""

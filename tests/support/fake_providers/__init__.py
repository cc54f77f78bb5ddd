"""Fake HeyGen (v3) and D-ID (talks) providers as real local HTTP servers, for tests and
benchmarks. ``async with FakeHeyGen().serve() as base_url: ...``"""

from .base import FakeProviderBase, FakeRender, WebhookDelivery
from .did import FakeDId
from .faults import Fault, FaultInjector, FaultKind
from .heygen import FakeHeyGen
from .media import sample_mp4, sample_thumbnail
from .server import serve_app

__all__ = [
    "FakeDId",
    "FakeHeyGen",
    "FakeProviderBase",
    "FakeRender",
    "Fault",
    "FaultInjector",
    "FaultKind",
    "WebhookDelivery",
    "sample_mp4",
    "sample_thumbnail",
    "serve_app",
]

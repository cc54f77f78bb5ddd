"""Bad input fails with a clear code and leaves no file behind; URL backgrounds obey the
allow-list."""

from __future__ import annotations

import http.server
import io
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from reelforge.contracts import VideoRequested
from reelforge.render.adapters.local_renderer import (
    BackgroundPolicy,
    LocalRenderError,
    render_video,
)

pytestmark = pytest.mark.integration


def make_request(language: str = "en", **scene: Any) -> VideoRequested:
    return VideoRequested(
        job_id=uuid.uuid4(),
        tenant_id="acme",
        language=language,
        scenes=[
            {"avatar_id": "amy", "voice_id": "en-us-female", "script": "Hello."},
            {"avatar_id": "josh", "voice_id": "en-us-male", "script": "Hi there.", **scene},
        ],
    )


def render_error(tmp_path: Path, request: VideoRequested, **options: Any) -> LocalRenderError:
    with pytest.raises(LocalRenderError) as caught:
        render_video(request, tmp_path / "video.mp4", **options)
    assert list(tmp_path.glob("*.mp4")) == []
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    return caught.value


def test_a_script_without_words_fails_with_empty_script(tmp_path: Path) -> None:
    error = render_error(tmp_path, make_request(script="... !?"))

    assert error.code == "empty_script"
    assert "scene 2" in error.message


def test_an_unknown_local_voice_fails_with_unknown_voice(tmp_path: Path) -> None:
    error = render_error(tmp_path, make_request(voice_id="zz-female"))

    assert error.code == "unknown_voice"
    assert "zz-female" in error.message


def test_an_unknown_language_fails_with_unknown_language(tmp_path: Path) -> None:
    error = render_error(tmp_path, make_request(language="xx", voice_id="heygen_voice_42"))

    assert error.code == "unknown_language"
    assert "'xx'" in error.message


def _image_scene(value: str) -> dict[str, Any]:
    return {"background": {"type": "image", "value": value}}


def test_a_missing_background_image_fails_with_background_unreadable(tmp_path: Path) -> None:
    error = render_error(tmp_path, make_request(**_image_scene(str(tmp_path / "nope.jpg"))))

    assert error.code == "background_unreadable"
    assert "scene 2" in error.message
    assert "does not exist" in error.message


def test_a_file_that_is_not_an_image_fails_with_background_unreadable(tmp_path: Path) -> None:
    fake = tmp_path / "fake.jpg"
    fake.write_text("not an image")

    error = render_error(tmp_path, make_request(**_image_scene(str(fake))))

    assert error.code == "background_unreadable"
    assert "cannot be decoded" in error.message


def test_a_local_path_outside_the_allowed_directories_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.png"
    Image.new("RGB", (8, 8)).save(outside)
    allowed = tmp_path / "media"
    allowed.mkdir()
    policy = BackgroundPolicy(local_roots=(allowed,))

    error = render_error(tmp_path, make_request(**_image_scene(str(outside))), backgrounds=policy)

    assert error.code == "background_unreadable"
    assert "outside the allowed directories" in error.message


class _ImageHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "/bg.png")
            self.end_headers()
            return
        buffer = io.BytesIO()
        Image.new("RGB", (64, 36), (20, 160, 60)).save(buffer, format="PNG")
        body = buffer.getvalue()
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        return


@pytest.fixture(scope="module")
def image_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ImageHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_urls_are_refused_unless_their_host_is_allowed(tmp_path: Path, image_server: str) -> None:
    request = make_request(**_image_scene(f"{image_server}/bg.png?token=secret"))

    error = render_error(tmp_path, request)

    assert error.code == "background_unreadable"
    assert "not allowed" in error.message
    assert "secret" not in error.message


def test_an_allowed_url_is_fetched_and_used(tmp_path: Path, image_server: str) -> None:
    request = make_request(**_image_scene(f"{image_server}/bg.png"))
    policy = BackgroundPolicy(allowed_hosts=frozenset({"127.0.0.1"}))

    result = render_video(request, tmp_path / "video.mp4", backgrounds=policy)

    assert result.path.is_file()


def test_redirects_are_not_followed(tmp_path: Path, image_server: str) -> None:
    request = make_request(**_image_scene(f"{image_server}/redirect"))
    policy = BackgroundPolicy(allowed_hosts=frozenset({"127.0.0.1"}))

    error = render_error(tmp_path, request, backgrounds=policy)

    assert error.code == "background_unreadable"
    assert "HTTP 302" in error.message


def test_an_unwritable_destination_fails_with_encode_failed(tmp_path: Path) -> None:
    request = make_request()

    with pytest.raises(LocalRenderError) as caught:
        render_video(request, tmp_path / "missing-dir" / "video.mp4")

    assert caught.value.code == "encode_failed"

"""A 5,000-character script renders with flat memory: frames and audio stream to the encoder.

Runs in a fresh subprocess and compares its peak RSS after a short warm-up render with its peak
after the long render. Holding the frames would cost ~780 KB each (over 3 GB here); the bound
leaves room only for one scene's audio and the encoder's own buffers.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reelforge.contracts import MAX_SCRIPT_CHARS

pytestmark = pytest.mark.integration

GROWTH_BOUND_MB = 120

_CHILD = textwrap.dedent(
    """
    import json, resource, sys, uuid
    from pathlib import Path
    from reelforge.contracts import VideoRequested
    from reelforge.render.adapters.local_renderer import render_video

    out, script = Path(sys.argv[1]), sys.argv[2]

    def request(text):
        return VideoRequested(
            job_id=uuid.uuid4(), tenant_id="acme",
            scenes=[{"avatar_id": "amy", "voice_id": "en-us-female", "script": text,
                     "voice_speed": 1.5}],
            render={"aspect_ratio": "1:1"},
        )

    def peak_mb():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    render_video(request("A short warm-up."), out / "warm.mp4")
    before = peak_mb()
    result = render_video(request(script), out / "long.mp4")
    print(json.dumps({"before": before, "after": peak_mb(), "duration": result.duration_s,
                      "cues": len(result.captions)}))
    """
)


def _long_script() -> str:
    sentences = [
        "This bright family home sits on a quiet, tree-lined street close to good schools.",
        "The kitchen opens onto a sunny terrace that is perfect for dinners outside.",
        "Upstairs there are four double bedrooms and two modern bathrooms.",
        "The garden is private, with a lawn, a vegetable patch and a small orchard.",
        "Shops, cafes and the train station are all within a ten minute walk.",
    ]
    text = ""
    index = 0
    while len(text) < MAX_SCRIPT_CHARS:
        text += sentences[index % len(sentences)] + " "
        index += 1
    return text[:MAX_SCRIPT_CHARS].rsplit(" ", 1)[0]


def test_a_5000_character_script_renders_with_bounded_memory(tmp_path: Path) -> None:
    script = _long_script()
    assert len(script) > MAX_SCRIPT_CHARS - 100

    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(tmp_path), script],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )

    assert child.returncode == 0, child.stderr[-2000:]
    measured = json.loads(child.stdout.strip().splitlines()[-1])
    assert measured["duration"] > 150
    assert measured["cues"] > 40
    growth = measured["after"] - measured["before"]
    assert growth < GROWTH_BOUND_MB, f"peak RSS grew by {growth:.0f} MB ({measured})"

"""Benchmark of the local provider's renderer: wall time and peak memory per output format.

Each case renders the same ~30 s English script in a fresh subprocess (so peak RSS is that of
one render, as in a process-pool worker) and reports the render's wall time (imports and espeak-ng
start-up excluded, as in a warm pool worker), its ratio to the video's duration, the process's
peak RSS and the file size.

    .venv/bin/python benchmarks/local_renderer.py                 # 720p 16:9, 9:16, 1:1, 4:3, 1080p
    .venv/bin/python benchmarks/local_renderer.py --case 16:9/720p --repeat 3
    .venv/bin/python benchmarks/local_renderer.py --preset superfast --x264-params bframes=0
    .venv/bin/python benchmarks/local_renderer.py --out-dir /tmp/bench   # keep the videos

Target (issue 4): 30 s of 720p 16:9 in <= 7.5 s wall (0.25x real time), peak RSS < 400 MB, on
the project's 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from reelforge.render.adapters.local_renderer import EncoderSettings

SCRIPT = (
    "Welcome to this beautiful four-bedroom family home on Oak Street. "
    "The open-plan kitchen flows into a bright living room with large windows, "
    "and the dining area opens onto a sunny terrace. "
    "Upstairs you will find a spacious master suite with its own bathroom, "
    "two more double bedrooms and a study. "
    "The garden is private, quiet and perfect for long summer evenings. "
    "Schools, shops and the train station are all within a short walk, "
    "and the city centre is only twenty minutes away. "
    "Homes like this do not stay on the market for long. "
    "Call me today to book your private viewing."
)
DEFAULT_CASES = ("16:9/720p", "9:16/720p", "1:1/720p", "4:3/720p", "16:9/1080p", "9:16/1080p")
TARGET_RATIO = 0.25
TARGET_RSS_MB = 400


def run_case(case: str, preset: str, x264_params: str, out_dir: Path) -> dict[str, object]:
    from reelforge.contracts import VideoRequested
    from reelforge.render.adapters.local_renderer import EncoderSettings, render_video
    from reelforge.render.adapters.local_renderer.espeak import engine

    aspect_ratio, resolution = case.split("/")
    request = VideoRequested(
        job_id=uuid.uuid4(),
        tenant_id="bench",
        scenes=[
            {
                "avatar_id": "amy",
                "voice_id": "en-us-female",
                "script": SCRIPT,
                "emotion": "happy",
                "background": {"type": "color", "value": "#1F3A5F"},
            }
        ],
        render={"aspect_ratio": aspect_ratio, "resolution": resolution, "title": "Oak Street"},
    )
    engine()
    output = out_dir / f"bench_{aspect_ratio.replace(':', 'x')}_{resolution}.mp4"
    settings = EncoderSettings(preset=preset, x264_params=x264_params)
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    result = render_video(request, output, encoder=settings)
    wall = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    return {
        "case": case,
        "preset": preset,
        "duration_s": round(result.duration_s, 2),
        "wall_s": round(wall, 2),
        "ratio": round(wall / result.duration_s, 3),
        "cpu_s": round(cpu, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "size_kb": result.size_bytes // 1024,
        "size": f"{result.width}x{result.height}",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", action="append", help="ASPECT/RESOLUTION, e.g. 16:9/720p")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--preset", default=EncoderSettings().preset)
    parser.add_argument("--x264-params", default="")
    parser.add_argument("--out-dir", type=Path, default=None, help="keep the videos here")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_case(args.child, args.preset, args.x264_params, args.out_dir)))
        return 0
    if args.out_dir is not None:
        args.out_dir.mkdir(parents=True, exist_ok=True)
        return _run_cases(args, args.out_dir)
    with tempfile.TemporaryDirectory(prefix="reelforge-bench-") as scratch:
        return _run_cases(args, Path(scratch))


def _run_cases(args: argparse.Namespace, out_dir: Path) -> int:
    failed = False
    for case in args.case or DEFAULT_CASES:
        for _ in range(args.repeat):
            child = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    case,
                    "--preset",
                    args.preset,
                    "--x264-params",
                    args.x264_params,
                    "--out-dir",
                    str(out_dir),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            row = json.loads(child.stdout.strip().splitlines()[-1])
            verdict = ""
            if case == "16:9/720p":
                ok = row["ratio"] <= TARGET_RATIO and row["peak_rss_mb"] < TARGET_RSS_MB
                failed |= not ok
                verdict = "  target met" if ok else "  TARGET MISSED"
            print(
                f"{row['case']:>11} {row['size']:>9} {row['preset']:>9}  "
                f"video {row['duration_s']:5.1f} s  wall {row['wall_s']:5.2f} s  "
                f"x{row['ratio']:.3f}  cpu {row['cpu_s']:5.2f} s  "
                f"peak RSS {row['peak_rss_mb']:4d} MB  "
                f"{row['size_kb']:5d} KiB{verdict}",
                flush=True,
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

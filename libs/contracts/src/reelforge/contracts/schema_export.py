"""Export the JSON Schema of every event into libs/contracts/schemas/ (`make schemas`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel

from .events import DeadLetter, ScriptRequested, VideoReady, VideoRequested, VideoStatus

SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "script.requested": ScriptRequested,
    "video.requested": VideoRequested,
    "video.status": VideoStatus,
    "video.ready": VideoReady,
    "dead_letter": DeadLetter,
}


def render_schemas() -> dict[str, str]:
    """File name -> JSON text, stable (sorted keys) so that drift shows as a diff."""
    out = {}
    for name, model in SCHEMA_MODELS.items():
        schema = model.model_json_schema(mode="serialization")
        schema["$id"] = f"https://reelforge.dev/schemas/v1/{name}.json"
        schema["x-event-type"] = name
        out[f"{name}.json"] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return out


def main(argv: list[str]) -> int:
    target = Path(argv[1]) if len(argv) > 1 else Path("libs/contracts/schemas")
    target.mkdir(parents=True, exist_ok=True)
    for filename, text in render_schemas().items():
        (target / filename).write_text(text)
        print(f"wrote {target / filename}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))

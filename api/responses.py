"""JSON bodies written with orjson where FastAPI does not already serialise them itself.

Routes with a `response_model` keep FastAPI's own path (since 0.120 it validates and writes the model
straight to JSON bytes with pydantic-core; `benchmarks.load_bench --serialization` measures it faster
than `ORJSONResponse`, which would first build a dict). Everything answered as a plain dict (errors,
422s, 429s, 413s, `/ready` while starting) goes through `OrjsonResponse` / `json_bytes`: UTF-8 without
escapes, 2-3x faster than `json.dumps`.
"""
from __future__ import annotations

from typing import Any

import orjson
from fastapi.responses import JSONResponse

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


def json_bytes(content: Any) -> bytes:
    return orjson.dumps(content, option=_OPTIONS)


class OrjsonResponse(JSONResponse):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json_bytes(content)

"""The machine-readable report: ``build_report`` as JSON, numbers as numbers.

Nothing is rounded away that a researcher may want (confidences keep four decimals) and
nothing is turned into text that was a number. Values the standard library cannot encode
(e.g. a date in a transcript's metadata) are written as strings rather than lost.
"""

from __future__ import annotations

import json
import math
from typing import Any


def json_clean(value: Any) -> Any:
    """NaN and infinities are not JSON: write them as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): json_clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_clean(v) for v in value]
    return value


def render_json(report: dict) -> str:
    return json.dumps(json_clean(report), indent=2, ensure_ascii=False, default=str) + "\n"

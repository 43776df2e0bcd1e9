"""A tiny JSON client for browser tests that talk to the same server directly."""

from __future__ import annotations

import json
import urllib.request
from typing import Any


def post_json(base_url: str, path: str, body: Any) -> Any:
    req = urllib.request.Request(base_url + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)

"""HTTP answers as Intuit's servers write them: compact JSON, HTML pages, the load balancer's
outage page, the no-cache headers, and the `intuit_tid` every response carries."""

from __future__ import annotations

import json
import secrets
from typing import Any

from werkzeug.wrappers import Response


def new_intuit_tid() -> str:
    """An intuit_tid: the id Intuit support uses to find one request in their logs."""
    return f"1-{secrets.token_hex(4)}-{secrets.token_hex(12)}"


# QuickBooks forbids caching its answers.
NO_CACHE = {"Cache-Control": "max-age=0, no-cache, no-store, must-revalidate, private"}


def compact_json(body: Any) -> str:
    """JSON as QuickBooks writes it: no spaces after `:` and `,`."""
    return json.dumps(body, separators=(",", ":"))


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        compact_json(body),
        status=status,
        content_type="application/json;charset=UTF-8",
        headers=headers,
    )


def html_response(text: str, status: int = 200) -> Response:
    return Response(text, status=status, content_type="text/html; charset=utf-8")


# What Intuit's load balancer answers while QuickBooks is down: a web page, not a Fault
# (recorded in https://github.com/minimul/qbo_api/issues/81).
OUTAGE_PAGE = (
    "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n"
    '<body bgcolor="white">\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>'
    "\r\n<hr><center>Avi Vantage/</center>\r\n</body>\r\n</html>\r\n"
)


def outage_response() -> Response:
    return Response(OUTAGE_PAGE, status=503, content_type="text/html")

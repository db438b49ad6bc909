"""The Accounting API over plain `requests` with a simulator-minted bearer token.

For mapping tests that must run before the connection core is in place; it speaks the same
HTTP as QuickBooks (query with STARTPOSITION/MAXRESULTS, create with requestid) and fits the
`QboClient` protocol, plus `query_page` so loaders can report progress per page.
"""

from __future__ import annotations

from typing import Any

import requests


class PlainApi:
    def __init__(self, api_base_url: str, realm_id: str, access_token: str) -> None:
        self.base = f"{api_base_url}/company/{realm_id}"
        self.realm_id = realm_id
        self.call_count = 0
        self.queries: list[str] = []
        self._session = requests.Session()
        self._session.headers.update(
            {"Authorization": f"Bearer {access_token}", "Accept": "application/json"}
        )

    def _send(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        self.call_count += 1
        response = self._session.request(method, f"{self.base}/{path}", timeout=30, **kwargs)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def query_page(
        self,
        entity: str,
        where: str | None,
        order_by: str | None,
        start_position: int,
        max_results: int,
    ) -> list[dict[str, Any]]:
        select = f"SELECT * FROM {entity}"  # noqa: S608  (QuickBooks' query language)
        if where:
            select += f" WHERE {where}"
        if order_by:
            select += f" ORDERBY {order_by}"
        select += f" STARTPOSITION {start_position} MAXRESULTS {max_results}"
        self.queries.append(select)
        body = self._send("GET", "query", params={"query": select, "minorversion": "75"})
        rows: list[dict[str, Any]] = body.get("QueryResponse", {}).get(entity, [])
        return rows

    def query_all(
        self, entity: str, where: str | None = None, order_by: str | None = None
    ) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        start = 1
        while True:
            page = self.query_page(entity, where, order_by, start, 1000)
            rows.extend(page)
            if len(page) < 1000:
                return rows
            start += 1000

    def create(self, entity: str, body: dict[str, Any], request_id: str) -> dict[str, Any]:
        params = {"minorversion": "75", "requestid": request_id}
        answer = self._send("POST", entity.lower(), params=params, json=body)
        record: dict[str, Any] = answer.get(entity, answer)
        return record

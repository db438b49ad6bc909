"""The Accounting API v3 under `/v3/company/{realmId}/`: the gateway's checks (outage, token,
company, throttling), request-id replays, and the query, read, write and tax-service routes, with
Intuit's two fault shapes in JSON or XML."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import partial
from typing import Any

from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Request, Response

from qbo_wizard.simulator import faults
from qbo_wizard.simulator.books import Books
from qbo_wizard.simulator.faults import ApiFault, GatewayFault
from qbo_wizard.simulator.oauth_endpoints import bearer_token
from qbo_wizard.simulator.query import QueryError, parse_query, run_query
from qbo_wizard.simulator.responses import NO_CACHE, compact_json, json_response, outage_response
from qbo_wizard.simulator.schema import DELETABLE, ENTITIES, FILTERABLE, NAME_LISTS, WRITABLE
from qbo_wizard.simulator.state import SimulatorState
from qbo_wizard.simulator.xml_answers import to_xml, wants_xml


class AccountingApi:
    """The Accounting API routes of one simulator; each public method answers one route."""

    def __init__(self, state: SimulatorState) -> None:
        self._state = state

    def _through_gateway(
        self, request: Request, realm: str, handler: Callable[[Books], dict[str, Any]]
    ) -> Response:
        """Gateway checks, then the handler; faults become Intuit's two error shapes, in JSON or,
        when the client asks for it, XML."""
        xml = wants_xml(request.headers.get("Accept", ""))
        with self._state.lock:
            try:
                if self._state.rehearsals.is_on(realm, "outage"):
                    return outage_response()
                token = bearer_token(request)
                if not token:
                    raise faults.authentication_failed("Authorization header missing or invalid")
                check = self._state.oauth.check_access(token, self._state.clock.now())
                if check.grant is None:
                    raise faults.authentication_failed(check.problem or "Token invalid")
                if check.grant.realm_id != realm or realm not in self._state.companies:
                    raise faults.authorization_failed()
                if self._state.rehearsals.is_on(realm, "throttle-xml"):
                    xml = True
                    raise faults.throttled()
                if self._throttled(realm):
                    self._state.request_counts["throttled"] += (
                        1  # every 429 sent, for the benchmarks
                    )
                    raise faults.throttled()
                books = self._state.companies[realm].books
                request_id = request.args.get("requestid")
                replay_key = f"{request.path}|{request_id}"
                if request_id and request.method == "POST" and replay_key in books.replies:
                    status, data = books.replies[replay_key]
                    if xml:
                        return self._reply(json.loads(data), status, xml)
                    return Response(
                        data, status=status, content_type="application/json;charset=UTF-8"
                    )
                data = compact_json({**handler(books), "time": self._state.clock.stamp()}).encode()
                if request_id and request.method == "POST":
                    books.replies[replay_key] = (200, data)
                self._state.rehearsals.fire_armed(realm)
                if xml:
                    return self._reply(json.loads(data), 200, xml)
                return Response(
                    data, content_type="application/json;charset=UTF-8", headers=NO_CACHE
                )
            except GatewayFault as fault:
                return self._reply(
                    fault.body(int(self._state.clock.now() * 1000)), fault.status, xml
                )
            except ApiFault as fault:
                return self._reply(fault.body(self._state.clock.stamp()), fault.status, xml)
            except QueryError as error:
                refused = ApiFault(error.code, error.message, error.detail)
                return self._reply(refused.body(self._state.clock.stamp()), 400, xml)

    def _reply(self, body: dict[str, Any], status: int, xml: bool) -> Response:
        if not xml:
            return json_response(body, status)
        return Response(
            to_xml(body, self._state.clock.stamp()),
            status=status,
            content_type="application/xml;charset=UTF-8",
        )

    def _throttled(self, realm: str) -> bool:
        if self._state.rehearsals.is_on(realm, "throttle"):
            return True
        return self._state.pacer.over_limit(realm)

    @staticmethod
    def _entity(name: str) -> str:
        entity = ENTITIES.get(name.lower())
        if entity is None:
            raise faults.unsupported(
                f"Operation is not supported for the resource {name!r}. Check the URL path."
            )
        return entity

    @staticmethod
    def _body(request: Request) -> dict[str, Any]:
        try:
            body = json.loads(request.get_data(as_text=True) or "null")
        except (ValueError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict):
            raise ApiFault(
                "2010",
                "Request has invalid or unsupported property",
                "The request body is not a JSON object.",
            )
        return body

    def query(self, request: Request, realm: str) -> Response:
        text = request.args.get("query", "")
        if request.method == "POST":
            text = request.get_data(as_text=True) or text

        def run_query_on(books: Books) -> dict[str, Any]:
            query = parse_query(text)
            entity = ENTITIES.get(query.entity.lower())
            if entity is None:
                raise QueryError("4000", f"QueryParserError: Invalid entity name: {query.entity}")

            def records() -> list[dict[str, Any]]:
                every = books.all(entity)
                active_only = all(c.field.lower() != "active" for c in query.conditions)
                if entity in NAME_LISTS and active_only:
                    return [record for record in every if record.get("Active", True)]
                return every

            selection = partial(books.selection, entity)
            result = run_query(query, records, FILTERABLE.get(entity), selection)
            response: dict[str, Any] = {}
            if result.total_count is not None:
                response["totalCount"] = result.total_count
            elif result.records:
                response[entity] = result.records
                response["startPosition"] = result.start_position
                response["maxResults"] = len(result.records)
            return {"QueryResponse": response}

        return self._through_gateway(request, realm, run_query_on)

    def company_info(self, request: Request, realm: str, entity_id: str) -> Response:
        def read_company_info(books: Books) -> dict[str, Any]:
            if entity_id not in (realm, "1"):
                raise faults.not_found("CompanyInfo", entity_id)
            return {"CompanyInfo": books.require("CompanyInfo", "1")}

        return self._through_gateway(request, realm, read_company_info)

    def preferences(self, request: Request, realm: str) -> Response:
        return self._through_gateway(
            request, realm, lambda b: {"Preferences": b.require("Preferences", "1")}
        )

    def read(self, request: Request, realm: str, entity: str, entity_id: str) -> Response:
        def read_record(books: Books) -> dict[str, Any]:
            name = self._entity(entity)
            return {name: books.require(name, entity_id)}

        return self._through_gateway(request, realm, read_record)

    def write(self, request: Request, realm: str, entity: str) -> Response:
        def write_record(books: Books) -> dict[str, Any]:
            name = self._entity(entity)
            body = self._body(request)
            operation = request.args.get("operation", "").lower()
            allow_duplicate = "allowduplicatedocnum" in request.args.get("include", "").lower()
            if operation == "void":
                if name != "Invoice":
                    raise faults.unsupported(f"Operation Void is not supported for {name}.")
                return {name: books.void_invoice(body)}
            if operation == "delete":
                if name not in DELETABLE:
                    raise faults.unsupported(
                        f"Operation Delete is not supported for {name}; make it inactive instead."
                    )
                return {name: books.delete(name, body)}
            if operation not in ("", "update", "create"):
                raise faults.unsupported(f"Operation {operation} is not supported.")
            if name not in WRITABLE:
                raise faults.unsupported(f"Operation Create is not supported for {name}.")
            books.check_properties(name, body)
            if str(body.get("Id", "")).strip() not in ("", "0", "None"):
                return {name: books.update(name, body, allow_duplicate_doc_number=allow_duplicate)}
            return {name: books.create(name, body, allow_duplicate_doc_number=allow_duplicate)}

        return self._through_gateway(request, realm, write_record)

    def tax_service(self, request: Request, realm: str) -> Response:
        return self._through_gateway(
            request, realm, lambda books: books.create_tax_code(self._body(request))
        )

    def unsupported(self, request: Request, rest: str) -> Response:
        realm = rest.split("/")[1] if rest.startswith("company/") and "/" in rest[8:] else ""
        if not realm:
            raise NotFound()

        def refuse(books: Books) -> dict[str, Any]:
            raise faults.unsupported(
                "Operation is not supported for this URL. Check the path and the HTTP method."
            )

        return self._through_gateway(request, realm, refuse)

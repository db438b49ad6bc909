"""The Accounting API's query language: parse, validate and run one SELECT over a company's records.

Supported, as Intuit documents it:
`SELECT * | COUNT(*) FROM Entity [WHERE cond AND cond …] [ORDERBY field [ASC|DESC], …]
[STARTPOSITION n] [MAXRESULTS m]`, where a condition is `field op value` with `=`, `<`, `>`, `<=`,
`>=`, `!=`, `LIKE` (only `%` as wildcard) or `IN (v, …)`. Keywords are case-insensitive,
`ORDER BY` is accepted as well as `ORDERBY`, string values use single quotes with `\\'` for a
quote inside, and a field list after `*` (python-quickbooks sends `SELECT *, Sku FROM Item`) is
accepted and ignored, because every property comes back anyway. `OR`, `GROUP BY` and joins are
parse errors (4000); an unknown property, an unfilterable one, or MAXRESULTS above 1000 is a
validation error (4001).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

MAX_RESULTS_LIMIT = 1000
DEFAULT_MAX_RESULTS = 100

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>'(?:\\.|[^'\\])*')
  | (?P<unterminated>'(?:\\.|[^'\\])*$)
  | (?P<number>-?\d+(?:\.\d+)?(?![A-Za-z_]))
  | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
  | (?P<op><=|>=|!=|<>|=|<|>)
  | (?P<punct>[(),*])
    """,
    re.VERBOSE,
)


class QueryError(Exception):
    """A query Intuit would refuse: code 4000 (parse) or 4001 (validation)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail

    @property
    def message(self) -> str:
        return "Error parsing query" if self.code == "4000" else "Invalid query"


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    column: int
    value: Any = None


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Any


@dataclass
class Query:
    entity: str
    count: bool = False
    conditions: list[Condition] = field(default_factory=list)
    order_by: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)
    start_position: int = 1
    max_results: int = DEFAULT_MAX_RESULTS


def _tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise _parse_error(text[position], position + 1)
        kind = match.lastgroup or ""
        raw = match.group()
        if kind == "unterminated":
            raise QueryError(
                "4000",
                f"QueryParserError: Lexical error at line 1, column {len(text) + 1}.  "
                f'Encountered: <EOF> after : "{raw}"',
            )
        if kind == "string":
            value: Any = re.sub(r"\\(.)", r"\1", raw[1:-1])
            tokens.append(Token("string", raw, position + 1, value))
        elif kind == "number":
            tokens.append(Token("number", raw, position + 1, float(raw)))
        elif kind != "space":
            tokens.append(Token(kind, raw, position + 1))
        position = match.end()
    return tokens


def _parse_error(found: str, column: int) -> QueryError:
    return QueryError(
        "4000", f'QueryParserError: Encountered " "{found}" at line 1, column {column}.'
    )


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.index = 0

    def peek(self) -> Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def next(self, expecting: str) -> Token:
        token = self.peek()
        if token is None:
            raise QueryError(
                "4000",
                f'QueryParserError: Encountered "<EOF>" at line 1, column {len(self.text) + 1}. '
                f"Was expecting: {expecting}",
            )
        self.index += 1
        return token

    def keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and token.kind == "name" and token.text.upper() == word:
            self.index += 1
            return True
        return False

    def expect_keyword(self, word: str) -> None:
        token = self.next(word)
        if token.kind != "name" or token.text.upper() != word:
            raise _parse_error(token.text, token.column)

    def expect_punct(self, char: str) -> None:
        token = self.next(f'"{char}"')
        if token.text != char:
            raise _parse_error(token.text, token.column)

    def name(self, expecting: str) -> str:
        token = self.next(expecting)
        if token.kind != "name" or token.text.upper() in _RESERVED:
            raise _parse_error(token.text, token.column)
        return token.text

    def integer(self, keyword: str) -> int:
        token = self.next("<INTEGER>")
        if token.kind != "number" or "." in token.text:
            raise _parse_error(token.text, token.column)
        return int(token.text)

    def value(self) -> Any:
        token = self.next("<STRING>")
        if token.kind in {"string", "number"}:
            return token.value
        if token.kind == "name" and token.text.lower() in {"true", "false"}:
            return token.text.lower() == "true"
        raise _parse_error(token.text, token.column)

    def parse(self) -> Query:
        self.expect_keyword("SELECT")
        count = False
        if self.keyword("COUNT"):
            self.expect_punct("(")
            self.expect_punct("*")
            self.expect_punct(")")
            count = True
        else:
            token = self.next('"*"')
            if token.text != "*" and token.kind != "name":
                raise _parse_error(token.text, token.column)
            while self.peek() is not None and self.peek().text == ",":  # type: ignore[union-attr]
                self.index += 1
                self.name("<IDENTIFIER>")
        self.expect_keyword("FROM")
        query = Query(entity=self.name("<ENTITY>"), count=count)
        if self.keyword("WHERE"):
            query.conditions.append(self.condition())
            while self.keyword("AND"):
                query.conditions.append(self.condition())
        if self.keyword("ORDERBY") or (self.keyword("ORDER") and self._by()):
            while True:
                field_name = self.name("<IDENTIFIER>")
                descending = False
                if self.keyword("DESC"):
                    descending = True
                else:
                    self.keyword("ASC")
                query.order_by.append((field_name, descending))
                separator = self.peek()
                if separator is None or separator.text != ",":
                    break
                self.index += 1
        paging: set[str] = set()
        for _ in range(2):  # QuickBooks takes the two paging clauses in either order
            if "start" not in paging and self.keyword("STARTPOSITION"):
                query.start_position = self.integer("STARTPOSITION")
                paging.add("start")
            elif "max" not in paging and self.keyword("MAXRESULTS"):
                query.max_results = self.integer("MAXRESULTS")
                paging.add("max")
        trailing = self.peek()
        if trailing is not None:
            raise _parse_error(trailing.text, trailing.column)
        return query

    def _by(self) -> bool:
        self.expect_keyword("BY")
        return True

    def condition(self) -> Condition:
        field_name = self.name("<IDENTIFIER>")
        token = self.next("<OPERATOR>")
        if token.kind == "op":
            op = "!=" if token.text == "<>" else token.text
            return Condition(field_name, op, self.value())
        if token.kind == "name" and token.text.upper() == "LIKE":
            value = self.value()
            if not isinstance(value, str):
                raise _parse_error(str(value), token.column)
            return Condition(field_name, "LIKE", value)
        if token.kind == "name" and token.text.upper() == "IN":
            self.expect_punct("(")
            values = [self.value()]
            while True:
                separator = self.next('")"')
                if separator.text == ")":
                    break
                if separator.text != ",":
                    raise _parse_error(separator.text, separator.column)
                values.append(self.value())
            return Condition(field_name, "IN", values)
        raise _parse_error(token.text, token.column)


_RESERVED = {
    "SELECT",
    "FROM",
    "WHERE",
    "AND",
    "OR",
    "ORDERBY",
    "ORDER",
    "BY",
    "STARTPOSITION",
    "MAXRESULTS",
    "LIKE",
    "IN",
    "ASC",
    "DESC",
    "COUNT",
    "GROUP",
    "JOIN",
}


def parse_query(text: str) -> Query:
    """Parse one SELECT; raises QueryError (4000) when it is not valid syntax."""
    if not text.strip():
        raise QueryError("4000", 'QueryParserError: Encountered "<EOF>" at line 1, column 1.')
    return _Parser(text.strip()).parse()


def _lookup(record: Mapping[str, Any], dotted: str) -> Any:
    current: Any = record
    for part in dotted.split("."):
        if not isinstance(current, Mapping):
            return None
        key = next((k for k in current if k.lower() == part.lower()), None)
        if key is None:
            return None
        current = current[key]
    if isinstance(current, Mapping) and "value" in current:
        return current["value"]  # a reference (CustomerRef, ParentRef…) compares by its Id
    return current


def _comparable(left: Any, right: Any) -> tuple[Any, Any]:
    if isinstance(right, bool) or isinstance(left, bool):
        return bool(left), bool(right)
    if isinstance(right, float):
        try:
            return float(left), right
        except (TypeError, ValueError):
            return str(left), str(right)
    return ("" if left is None else str(left)).lower(), str(right).lower()


def _like(pattern: str) -> re.Pattern[str]:
    parts = (re.escape(piece) for piece in pattern.split("%"))
    return re.compile("^" + ".*".join(parts) + "$", re.IGNORECASE | re.DOTALL)


def _matches(record: Mapping[str, Any], condition: Condition) -> bool:
    actual = _lookup(record, condition.field)
    if condition.op == "IN":
        return any(_matches(record, Condition(condition.field, "=", v)) for v in condition.value)
    if condition.op == "LIKE":
        return actual is not None and bool(_like(condition.value).match(str(actual)))
    if actual is None:
        return False
    left, right = _comparable(actual, condition.value)
    try:
        return bool(
            {
                "=": left == right,
                "!=": left != right,
                "<": left < right,
                ">": left > right,
                "<=": left <= right,
                ">=": left >= right,
            }[condition.op]
        )
    except TypeError:
        return False


def _sort_key(record: Mapping[str, Any], field_name: str) -> tuple[int, Any]:
    value = _lookup(record, field_name)
    if value is None:
        return (0, "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (1, float(value))
    text = str(value)
    if field_name.lower() == "id" and text.isdigit():
        return (1, float(text))
    return (2, text.lower())


@dataclass(frozen=True)
class QueryResult:
    """What `QueryResponse` holds: the page of records, or the count for COUNT(*)."""

    entity: str
    records: list[dict[str, Any]]
    start_position: int
    total_count: int | None = None


def query_key(query: Query) -> str:
    """What makes two queries select the same records in the same order: everything but
    STARTPOSITION and MAXRESULTS (and COUNT, which selects the same records)."""
    return repr((query.entity.lower(), query.conditions, query.order_by))


def validate_query(query: Query, filterable: frozenset[str] | None) -> None:
    """Raise QueryError (4001) for an unfilterable property or paging out of range."""
    allowed = None if filterable is None else {name.lower() for name in filterable}
    for condition in query.conditions:
        if allowed is not None and condition.field.lower() not in allowed:
            raise QueryError(
                "4001", f"QueryValidationError: property '{condition.field}' is not queryable"
            )
    for field_name, _ in query.order_by:
        if allowed is not None and field_name.lower() not in allowed:
            raise QueryError(
                "4001", f"QueryValidationError: property '{field_name}' is not queryable"
            )
    if query.max_results > MAX_RESULTS_LIMIT:
        raise QueryError(
            "4001",
            f"QueryValidationError: value {query.max_results} is too large. "
            f"Max allowed value is {MAX_RESULTS_LIMIT}",
        )
    if query.max_results < 1 or query.start_position < 1:
        raise QueryError(
            "4001", "QueryValidationError: STARTPOSITION and MAXRESULTS must be at least 1"
        )


def select_sorted(query: Query, records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records the query's conditions choose, in its order (Id when none is given)."""
    selected = [r for r in records if all(_matches(r, c) for c in query.conditions)]
    ordering = query.order_by or [("Id", False)]
    for field_name, descending in reversed(ordering):
        selected.sort(key=lambda r, f=field_name: _sort_key(r, f), reverse=descending)  # type: ignore[misc]
    return selected


def run_query(
    query: Query,
    records: Iterable[dict[str, Any]] | Callable[[], Iterable[dict[str, Any]]],
    filterable: frozenset[str] | None,
    selection: Callable[[str, Callable[[], list[dict[str, Any]]]], list[dict[str, Any]]]
    | None = None,
) -> QueryResult:
    """Validate the query against the entity's filterable fields, then filter, sort and page.

    `records` may be a function that returns them, so a query answered from `selection` (a
    cache of sorted records by `query_key`, such as `Books.selection`) need not gather them:
    each page of a long list is then a slice, not a new filter and sort of every record.
    """
    validate_query(query, filterable)

    def select() -> list[dict[str, Any]]:
        return select_sorted(query, records() if callable(records) else records)

    selected = select() if selection is None else selection(query_key(query), select)
    if query.count:
        return QueryResult(query.entity, [], 1, total_count=len(selected))
    first = query.start_position - 1
    return QueryResult(
        query.entity, selected[first : first + query.max_results], query.start_position
    )

"""NQL, the query language of the runs tables, parsed into the filter tree of ``filters``.

    >>> parse_nql('`params/lr`:float < 0.01 AND last(`metrics/acc`:floatSeries) > 0.9')
    And(children=(Clause(path='params/lr', type='float', op='<', value=0.01, ...), ...))

Grammar (keywords and type names are case-insensitive)::

    query     := [or] EOF
    or        := and ("OR" and)*
    and       := not ("AND" not)*
    not       := "NOT" not | "(" or ")" | clause
    clause    := field op value | field "EXISTS"
               | AGGREGATE "(" field ")" op value
    field     := (`back-quoted path` | bare/path) [":" TYPE | ":" AGGREGATE]
    op        := "=" | "!=" | ">" | ">=" | "<" | "<=" | "CONTAINS" | "MATCHES" | "NOT" "MATCHES"
    value     := "double-quoted string" | number | true | false | bare-word

TYPE is one of ``filters.TYPES``, or ``integer`` for int (Neptune's name). A number field's
value may be written in double quotes (``"0.5"``), as Neptune's client writes it.

A missing type is inferred: from the path for the sys fields (sys/tags is a stringSet, ...),
``floatSeries`` with an aggregate, else from the value (string, number -> float, bool).
Datetimes are ISO 8601 (naive means UTC) or relative to ``now``: ``"-30m"``, ``"-2h"``,
``"-5d"``, ``"-1w"`` (also ``"-10s"`` and ``"now"``). MATCHES takes RE2 syntax. Every error
is an ``NQLSyntaxError`` whose ``position`` points into the query: among them a lone
surrogate (in the text, or a ``\\ud800`` escape without its pair), more than
``filters.MAX_CLAUSES`` clauses, and parentheses and NOTs nested more than
``filters.MAX_NESTING`` deep (the parser recurses on them).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from despina.errors import NQLSyntaxError, UsageError
from despina.store.db import compile_regex
from despina.store.filters import (
    AGGREGATES,
    MAX_CLAUSES,
    MAX_NESTING,
    TYPE_OPERATORS,
    TYPES,
    And,
    Clause,
    Filter,
    Not,
    Or,
    normalise_state,
)

# Types of the sys fields, so `sys/tags CONTAINS "x"` needs no type.
SYS_TYPES = {
    "sys/id": "string",
    "sys/owner": "string",
    "sys/name": "string",
    "sys/description": "string",
    "sys/custom_run_id": "string",
    "sys/stage": "string",
    "sys/model_id": "string",
    "sys/tags": "stringSet",
    "sys/group_tags": "stringSet",
    "sys/aliases": "stringSet",
    "sys/creation_time": "datetime",
    "sys/modification_time": "datetime",
    "sys/ping_time": "datetime",
    "sys/running_time": "float",
    "sys/monitoring_time": "int",
    "sys/size": "float",
    "sys/state": "experimentState",
    "sys/trashed": "bool",
    "sys/failed": "bool",
    "sys/experiment/name": "string",
    "sys/experiment/is_head": "bool",
}

_TYPE_NAMES = {t.lower(): t for t in TYPES}
# Neptune's client writes the int type as "integer" (neptune.internal.backends.nql)
_TYPE_NAMES["integer"] = "int"
_KEYWORDS = {"and", "or", "not", "contains", "matches", "exists", "true", "false"}
_RELATIVE = re.compile(r"-\s*(\d+(?:\.\d+)?)\s*([smhdw])", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_./\-]*")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "n": "\n", "t": "\t", "r": "\r", "`": "`"}
_OPERATOR_CHARS = ("!=", ">=", "<=", "=", ">", "<")
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # path, word, string, number, op, "(", ")", ":", eof
    value: object
    pos: int

    def word(self) -> str | None:
        """The lower-cased text of a bare word, else None."""
        return self.value.lower() if self.kind == "word" else None


def tokenize(query: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch in "():":
            tokens.append(Token(ch, ch, i))
            i += 1
        elif ch == "`" or ch == '"':
            text, end = _quoted(query, i)
            tokens.append(Token("path" if ch == "`" else "string", text, i))
            i = end
        elif (m := _NUMBER.match(query, i)) is not None:
            end = m.end()
            if end < n and (query[end].isalnum() or query[end] == "_"):
                raise NQLSyntaxError("a number runs into a word", query, end)
            text = m.group()
            value = float(text) if any(c in text for c in ".eE") else int(text)
            tokens.append(Token("number", value, i))
            i = end
        elif (m := _WORD.match(query, i)) is not None:
            tokens.append(Token("word", m.group(), i))
            i = m.end()
        else:
            for op in _OPERATOR_CHARS:
                if query.startswith(op, i):
                    tokens.append(Token("op", op, i))
                    i += len(op)
                    break
            else:
                raise NQLSyntaxError(f"unexpected character {ch!r}", query, i)
    tokens.append(Token("eof", None, n))
    return tokens


def _quoted(query: str, start: int) -> tuple[str, int]:
    """The text of a "string" or `path` starting at ``start``, and the offset after it."""
    quote = query[start]
    out: list[str] = []
    i = start + 1
    while i < len(query):
        ch = query[i]
        if ch == quote:
            return "".join(out), i + 1
        if ch == "\\":
            nxt = query[i + 1 : i + 2]
            if nxt == "u" and _HEX4.fullmatch(query, i + 2, i + 6):
                code = int(query[i + 2 : i + 6], 16)
                i += 6
                if 0xD800 <= code <= 0xDBFF and query[i : i + 2] == "\\u":  # a pair
                    low = (
                        int(query[i + 2 : i + 6], 16) if _HEX4.fullmatch(query, i + 2, i + 6) else 0
                    )
                    if 0xDC00 <= low <= 0xDFFF:
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                if 0xD800 <= code <= 0xDFFF:
                    raise NQLSyntaxError(
                        f"\\u{code:04x} is half of a surrogate pair, not a character: write the "
                        "character itself, or both halves (\\ud83d\\ude00)",
                        query,
                        i - 6,
                    )
                out.append(chr(code))
                continue
            if nxt not in _ESCAPES:
                raise NQLSyntaxError(
                    f"unknown escape '\\{nxt}': use \\\" \\\\ \\n \\t \\r or \\uXXXX", query, i
                )
            out.append(_ESCAPES[nxt])
            i += 2
            continue
        out.append(ch)
        i += 1
    what = "string" if quote == '"' else "back-quoted path"
    raise NQLSyntaxError(f"unterminated {what}: add the closing {quote}", query, start)


def _now_seconds(now) -> float:
    if now is None:
        return time.time()
    if isinstance(now, datetime):
        return (now if now.tzinfo else now.replace(tzinfo=timezone.utc)).timestamp()
    return float(now)


class _Parser:
    def __init__(self, query: str, now):
        self.query = query
        self.now = _now_seconds(now)
        self.tokens = tokenize(query)
        self.i = 0
        self.nesting = 0  # parentheses and NOTs open around the current token
        self.clauses = 0

    # ---- helpers --------------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i = min(self.i + 1, len(self.tokens) - 1)
        return tok

    def error(self, message: str, tok: Token | int) -> NQLSyntaxError:
        pos = tok if isinstance(tok, int) else tok.pos
        return NQLSyntaxError(message, self.query, pos)

    def describe(self, tok: Token) -> str:
        if tok.kind == "eof":
            return "the end of the query"
        if tok.kind == "string":
            return f'"{tok.value}"'
        if tok.kind == "path":
            return f"`{tok.value}`"
        return repr(str(tok.value))

    def expect(self, kind: str, what: str) -> Token:
        tok = self.peek()
        if tok.kind != kind:
            raise self.error(f"expected {what}, found {self.describe(tok)}", tok)
        return self.take()

    # ---- grammar --------------------------------------------------------------------------

    def parse(self) -> Filter:
        if self.peek().kind == "eof":
            return And(())
        node = self.parse_or()
        tok = self.peek()
        if tok.kind != "eof":
            raise self.error(
                f"expected AND, OR or the end of the query, found {self.describe(tok)}", tok
            )
        return node

    def parse_or(self) -> Filter:
        children = [self.parse_and()]
        while self.peek().word() == "or":
            self.take()
            children.append(self.parse_and())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def parse_and(self) -> Filter:
        children = [self.parse_not()]
        while self.peek().word() == "and":
            self.take()
            children.append(self.parse_not())
        return children[0] if len(children) == 1 else And(tuple(children))

    def parse_not(self) -> Filter:
        tok = self.peek()
        if tok.word() == "not" or tok.kind == "(":
            self.nesting += 1
            if self.nesting > MAX_NESTING:
                raise self.error(
                    f"parentheses and NOTs nest more than {MAX_NESTING} deep here: write the "
                    "query flatter",
                    tok,
                )
            self.take()
            try:
                if tok.kind != "(":
                    return Not(self.parse_not())
                node = self.parse_or()
                self.expect(")", f"')' to close the '(' at position {tok.pos}")
                return node
            finally:
                self.nesting -= 1
        return self.parse_clause()

    def parse_clause(self) -> Clause:
        tok = self.peek()
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            raise self.error(
                f"the query has more than {MAX_CLAUSES} clauses: narrow it, or split it into "
                "several queries",
                tok,
            )
        aggregate = None
        if tok.word() in AGGREGATES and self.peek(1).kind == "(":
            aggregate = self.take().word()
            self.take()
            path, type_, shorthand, type_tok = self.parse_field()
            self.expect(")", f"')' to close {aggregate}(")
            if shorthand is not None:
                raise self.error(f"write {aggregate}(`{path}`:floatSeries)", type_tok)
            if type_ not in (None, "floatSeries"):
                raise self.error(
                    f"{aggregate}() takes a floatSeries field, not a {type_} one", type_tok
                )
            type_ = "floatSeries"
        else:
            path, type_, aggregate, type_tok = self.parse_field()
            if aggregate is not None:
                type_ = "floatSeries"
        op_tok = self.peek()
        op = self.parse_operator()
        if type_ is None:
            type_ = SYS_TYPES.get(path) or self.infer_type(op, op_tok)
        if op not in TYPE_OPERATORS[type_]:
            allowed = ", ".join(o.replace("_", " ") for o in TYPE_OPERATORS[type_])
            raise self.error(
                f"{type_} fields do not take {op.replace('_', ' ')}: use one of {allowed}", op_tok
            )
        if op == "EXISTS":
            return Clause(path, type_, op, None, None)
        value = self.parse_value(type_, op)
        if type_ == "floatSeries" and aggregate is None:
            aggregate = "last"
        return Clause(path, type_, op, value, aggregate)

    def parse_field(self) -> tuple[str, str | None, str | None, Token]:
        """(path, type or None, aggregate of a `path:last` shorthand, the type's token)."""
        tok = self.peek()
        if tok.kind == "path":
            if not tok.value:
                raise self.error("empty field path", tok)
            path = self.take().value
        elif tok.kind == "word" and tok.word() not in _KEYWORDS:
            path = self.take().value
        else:
            raise self.error(
                f"expected a field path (`params/lr` or params/lr), found {self.describe(tok)}",
                tok,
            )
        if self.peek().kind != ":":
            return path, None, None, tok
        self.take()
        type_tok = self.peek()
        name = type_tok.word()
        if name in _TYPE_NAMES:
            self.take()
            return path, _TYPE_NAMES[name], None, type_tok
        if name in AGGREGATES:
            self.take()
            return path, "floatSeries", name, type_tok
        raise self.error(
            f"expected a type after ':' (one of {', '.join(TYPES)}), found "
            f"{self.describe(type_tok)}",
            type_tok,
        )

    def parse_operator(self) -> str:
        tok = self.peek()
        if tok.kind == "op":
            self.take()
            return tok.value
        word = tok.word()
        if word in ("contains", "matches", "exists"):
            self.take()
            return word.upper()
        if word == "not" and self.peek(1).word() == "matches":
            self.take()
            self.take()
            return "NOT_MATCHES"
        raise self.error(
            "expected an operator (= != > >= < <= CONTAINS MATCHES NOT MATCHES EXISTS), found "
            + self.describe(tok),
            tok,
        )

    def infer_type(self, op: str, op_tok: Token) -> str:
        if op == "EXISTS":
            raise self.error("EXISTS needs a typed field: write `path`:float EXISTS", op_tok)
        tok = self.peek()
        if tok.kind == "number":
            return "float"
        if tok.word() in ("true", "false"):
            return "bool"
        return "string"

    def parse_value(self, type_: str, op: str):
        tok = self.peek()
        if tok.kind == "eof":
            raise self.error("expected a value, found the end of the query", tok)
        if op in ("MATCHES", "NOT_MATCHES"):
            text = self.text_value(tok, "a regular expression in double quotes")
            try:
                compile_regex(text)
            except UsageError as e:
                raise self.error(str(e), tok)
            return text
        if type_ in ("float", "int", "floatSeries"):
            if tok.kind == "string" and _NUMBER.fullmatch(tok.value.strip()):
                # a number in quotes, as Neptune's client writes every value it compares
                # (`x`:float > "0.5" when it pages past 10,000 rows)
                self.take()
                text = tok.value.strip()
                return float(text) if any(c in text for c in ".eE") else int(text)
            if tok.kind != "number":
                raise self.error(f"expected a number, found {self.describe(tok)}", tok)
            return self.take().value
        if type_ == "bool":
            text = tok.value.lower() if tok.kind in ("word", "string") else None
            if text not in ("true", "false"):
                raise self.error(f"expected true or false, found {self.describe(tok)}", tok)
            self.take()
            return text == "true"
        if type_ == "datetime":
            return self.datetime_value(tok)
        if type_ == "experimentState":
            text = self.text_value(tok, "running, idle, active or inactive")
            try:
                return normalise_state(text)
            except UsageError:
                raise self.error(
                    f"unknown state {text!r}: use running (or active) or idle (or inactive)", tok
                )
        return self.text_value(tok, "a string in double quotes")

    def text_value(self, tok: Token, what: str) -> str:
        if tok.kind == "string" or (tok.kind == "word" and tok.word() not in _KEYWORDS):
            self.take()
            return tok.value
        raise self.error(f"expected {what}, found {self.describe(tok)}", tok)

    def datetime_value(self, tok: Token) -> datetime:
        text = self.text_value(tok, 'a datetime in double quotes ("2024-05-01T12:00:00Z", "-2h")')
        text = text.strip()
        if text.lower() == "now":
            return datetime.fromtimestamp(self.now, timezone.utc)
        m = _RELATIVE.fullmatch(text)
        if m is not None:
            seconds = float(m.group(1)) * _UNIT_SECONDS[m.group(2).lower()]
            return datetime.fromtimestamp(self.now, timezone.utc) - timedelta(seconds=seconds)
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise self.error(
                f"invalid datetime {text!r}: use ISO 8601 (2024-05-01T12:00:00Z) or a relative "
                'time ("-30m", "-2h", "-5d", "-1w")',
                tok,
            )
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def parse_nql(query: str, *, now: float | datetime | None = None) -> Filter:
    """Parse an NQL query into a filter tree. ``now`` (seconds since the epoch or a datetime;
    default: the current time) anchors relative datetimes such as ``"-2h"``. An empty query
    is ``And(())``, which every row matches. Raises NQLSyntaxError."""
    if not isinstance(query, str):
        raise UsageError(f"an NQL query must be a string, got {type(query).__name__}")
    bad = _SURROGATE.search(query)
    if (
        bad is not None
    ):  # the message shows the query: without the surrogates, or it could not be sent
        raise NQLSyntaxError(
            f"the query holds a lone surrogate (U+{ord(bad.group()):04X}), which is not a "
            "character: remove it",
            _SURROGATE.sub("\ufffd", query),
            bad.start(),
        )
    return _Parser(query, now).parse()


def _quote(text: str, quote: str) -> str:
    out = text.replace("\\", "\\\\").replace(quote, "\\" + quote)
    return quote + out.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + quote


def _value_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, datetime):
        return _quote(value.isoformat(), '"')
    return _quote(str(value), '"')


def to_nql(node: Filter) -> str:
    """The NQL text of a filter tree; ``parse_nql(to_nql(tree)) == tree`` for the trees the
    parser makes (every compound child is parenthesised)."""
    if isinstance(node, Clause):
        field = f"{_quote(node.path, '`')}:{node.type}"
        if node.aggregate is not None and node.op != "EXISTS":
            field = f"{node.aggregate}({field})"
        op = node.op.replace("_", " ")
        return f"{field} {op}" if node.op == "EXISTS" else f"{field} {op} {_value_text(node.value)}"
    if isinstance(node, Not):
        inner = to_nql(node.child)
        return f"NOT {inner}" if isinstance(node.child, (Clause, Not)) else f"NOT ({inner})"
    if isinstance(node, (And, Or)):
        if not node.children:
            raise UsageError("an empty And/Or has no NQL text")
        joiner = " AND " if isinstance(node, And) else " OR "
        return joiner.join(
            f"({to_nql(c)})" if isinstance(c, (And, Or)) else to_nql(c) for c in node.children
        )
    raise UsageError(f"not a filter: {node!r}")

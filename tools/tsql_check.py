"""Find syntax in T-SQL that SQL Server does not have.

This is a token-level checker, not a parser. It knows T-SQL's lexical rules (nested block
comments, ``''`` inside strings, ``N'...'``, ``[bracketed]`` and ``"quoted"`` identifiers,
``@variables``), strips comments, keeps string literals out of the rules, and then applies
its own rules to the token stream, tracking parenthesis depth, ``case ... end`` blocks,
select lists, predicate regions and statement starts.

Dynamic SQL is checked too: the string passed to ``EXEC('...')`` / ``EXECUTE('...')`` or to
``sp_executesql`` is decoded and checked as a batch of its own, with findings reported on
the line of the outer text. dbt-sqlserver sends every model body that way (``EXEC('CREATE
OR ALTER VIEW ... AS <model sql>')``), so this matters.

Usage::

    python -m tools.tsql_check PATH...          # .sql files or render output directories

A render output directory (see ``tools.render_sqlserver``) holds one file per node and
mode, with statements separated by ``-- render-statement`` marker lines; each statement is
checked as its own batch.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

RULES: dict[str, str] = {
    "limit": "LIMIT does not exist in T-SQL; use TOP (n) or OFFSET ... FETCH",
    "double-colon-cast": "'::' casts do not exist in T-SQL; use cast(x as type)",
    "pipe-concat": "'||' is not string concatenation in SQL Server; use dbt.concat / concat()",
    "qualify": "QUALIFY does not exist in T-SQL; filter a row_number() in an outer query",
    "distinct-on": "DISTINCT ON does not exist in T-SQL; use row_number() in a subquery",
    "ilike": "ILIKE does not exist in T-SQL; compare lower() values with LIKE",
    "group-by-ordinal": "GROUP BY <number> groups by a constant in T-SQL (an error); name it",
    "nulls-ordering": "NULLS FIRST/LAST does not exist in T-SQL; order by a case expression",
    "boolean-type": "T-SQL has no boolean type; use bit",
    "boolean-literal": "true/false are not literals in T-SQL (they read as column names); use 1/0",
    "boolean-in-select": "a predicate is not a value in T-SQL; wrap it in case when ... end",
    "select-alias-equals": "'name = expr' in a select list is an alias in T-SQL but a "
    "comparison on DuckDB/PostgreSQL; write 'expr as name' (or a case expression)",
    "bare-boolean-filter": "a bare column or expression is not a predicate in T-SQL; "
    "compare it (flag = 1)",
    "order-by-without-top": "ORDER BY in a view, derived table, subquery or CTE needs TOP, "
    "OFFSET or FOR XML in T-SQL",
    "nested-with": "a WITH (CTE) inside parentheses is not allowed in T-SQL; "
    "move the CTEs to the start of the statement",
    "with-not-at-statement-start": "a WITH (CTE) must start the statement in T-SQL "
    "(not after INSERT ... or another statement without ';')",
    "merge-without-semicolon": "SQL Server requires MERGE to be terminated by ';'",
    "create-or-replace": "CREATE OR REPLACE does not exist in T-SQL; use CREATE OR ALTER "
    "(views, procedures, functions) or drop first",
    "if-not-exists": "CREATE ... IF NOT EXISTS does not exist in T-SQL; test sys.objects / "
    "sys.schemas with IF NOT EXISTS (select ...) first",
    "text-type": "text is a deprecated LOB type in SQL Server (not comparable, no string "
    "functions); cast to varchar(n)/nvarchar(max) (dbt.type_string())",
    "timestamp-type": "timestamp is rowversion (binary) in SQL Server, not a date-time; "
    "use datetime2 (dbt.type_timestamp())",
}

# Marker line written between statements by tools.render_sqlserver.
STATEMENT_MARKER = "-- render-statement"
_MARKER_RE = re.compile(r"^-- render-statement\b.*$", re.MULTILINE)

_COMPARISON_OPS = frozenset({"=", "<>", "!=", "<", ">", "<=", ">=", "!<", "!>"})
# (ilike/similar/regexp are reported by their own rules; here they only mark a predicate)
_PREDICATE_WORDS = frozenset(
    {"is", "in", "like", "between", "exists", "ilike", "similar", "regexp", "rlike"}
)
_PREDICATE_FUNCTIONS = frozenset({"contains", "freetext", "update"})
# Words that start a statement: a clause scan at the same depth stops there.
_STATEMENT_START = frozenset(
    {
        "select", "insert", "update", "delete", "merge", "exec", "execute", "declare",
        "set", "if", "while", "begin", "commit", "rollback", "drop", "create", "alter",
        "use", "truncate", "return", "print", "raiserror", "throw", "grant", "revoke",
        "deny", "waitfor", "goto", "break", "continue", "open", "close", "fetch",
        "deallocate", "bulk", "dbcc", "backup", "restore", "go",
    }
)  # fmt: skip
# Clause words that end a select list.
_SELECT_LIST_END = frozenset(
    {"from", "into", "where", "group", "having", "order", "union", "except", "intersect",
     "option", "for", "window", "end"}
)  # fmt: skip
# Words that end a predicate region (where/having/on/when).
_PREDICATE_END = frozenset(
    {"group", "order", "having", "union", "except", "intersect", "option", "for", "window",
     "then", "else", "end", "where", "when", "join", "inner", "full", "cross", "outer",
     "on", "output", "into", "left", "right", "apply", "pivot", "unpivot"}
)  # fmt: skip
# Words after which '(' does not open a function call's argument list.
_NOT_FUNCTIONS = frozenset(
    {
        "select", "from", "where", "and", "or", "not", "on", "in", "exists", "as", "join",
        "when", "then", "else", "case", "union", "all", "any", "some", "values", "into",
        "top", "over", "using", "with", "option", "having", "by", "is", "like", "between",
        "return", "returns", "if", "while", "begin", "end", "set", "table", "view", "merge",
        "insert", "update", "delete", "exec", "execute", "declare", "apply", "except",
        "intersect", "distinct", "group", "order", "within", "output", "default", "key",
        "unique", "check", "constraint", "include", "for", "print", "use", "percent",
        "escape", "collate", "pivot", "unpivot", "cross", "outer", "inner", "full",
    }
)  # fmt: skip
# `X::name` is T-SQL for a securable class (grant ... on schema::s) or a static method.
_DOUBLE_COLON_OK = frozenset(
    {
        "schema", "object", "type", "database", "login", "user", "role", "assembly",
        "certificate", "contract", "endpoint", "catalog", "collection", "key", "server",
        "binding", "route", "service", "list", "group", "stoplist", "hierarchyid",
        "geometry", "geography",
    }
)  # fmt: skip
_CAST_FUNCTIONS = frozenset({"cast", "try_cast"})
_CONVERT_FUNCTIONS = frozenset({"convert", "try_convert"})
_TIMESTAMP_TYPES = frozenset({"timestamp", "timestamptz", "timestamp_tz", "timestamp_ntz"})

_TWO_CHAR_OPS = frozenset(
    {"::", "||", "<=", ">=", "<>", "!=", "!<", "!>", "+=", "-=", "*=", "/=", "%=", "&=",
     "|=", "^=", "->", "=>"}
)  # fmt: skip
_NUMBER_RE = re.compile(r"0[xX][0-9a-fA-F]*|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_WORD_RE = re.compile(r"[^\W\d][\w#$@]*|[#][\w#$@]*")
_VAR_RE = re.compile(r"@@?[\w#$@]*")


@dataclass(frozen=True)
class Token:
    """One lexical token. ``value`` is lower-cased for words, decoded for strings and
    quoted identifiers."""

    kind: str  # word, qident, string, number, var, param, op, punct, other
    text: str
    value: str
    line: int
    start: int  # offset in the analysed text
    end: int


@dataclass(frozen=True)
class Finding:
    rule: str
    message: str
    line: int
    excerpt: str
    file: str | None = None
    node: str | None = None
    source: str | None = None
    dynamic: bool = False

    def format(self) -> str:
        where = f"{self.file or '<sql>'}:{self.line}"
        extra = []
        if self.node:
            extra.append(f"node {self.node}")
        if self.source:
            extra.append(f"source {self.source}")
        if self.dynamic:
            extra.append("in dynamic SQL")
        tail = f" ({', '.join(extra)})" if extra else ""
        return f"{where}: [{self.rule}] {self.message}{tail}\n    {self.excerpt}"

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "node": self.node,
            "source": self.source,
            "dynamic": self.dynamic,
            "excerpt": self.excerpt,
        }


# --------------------------------------------------------------------------- tokenizer


def tokenize(sql: str, first_line: int = 1) -> list[Token]:
    """Split T-SQL into tokens, dropping whitespace and comments."""
    tokens: list[Token] = []
    i = 0
    n = len(sql)
    line = first_line

    def add(kind: str, start: int, end: int, value: str, at_line: int) -> None:
        tokens.append(Token(kind, sql[start:end], value, at_line, start, end))

    while i < n:
        ch = sql[i]
        if ch == "\n":
            line += 1
            i += 1
            continue
        if ch.isspace():
            i += 1
            continue
        if sql.startswith("--", i):
            j = sql.find("\n", i)
            i = n if j < 0 else j
            continue
        if sql.startswith("/*", i):
            depth = 1
            j = i + 2
            while j < n and depth:
                if sql.startswith("/*", j):
                    depth += 1
                    j += 2
                elif sql.startswith("*/", j):
                    depth -= 1
                    j += 2
                else:
                    j += 1
            line += sql.count("\n", i, j)
            i = j
            continue
        if ch == "'" or (ch in "Nn" and i + 1 < n and sql[i + 1] == "'"):
            start = i
            j = i + (2 if ch != "'" else 1)
            parts: list[str] = []
            while j < n:
                k = sql.find("'", j)
                if k < 0:
                    parts.append(sql[j:])
                    j = n
                    break
                parts.append(sql[j:k])
                if k + 1 < n and sql[k + 1] == "'":
                    parts.append("'")
                    j = k + 2
                    continue
                j = k + 1
                break
            add("string", start, j, "".join(parts), line)
            line += sql.count("\n", start, j)
            i = j
            continue
        if ch in '["':
            close = "]" if ch == "[" else '"'
            start = i
            j = i + 1
            parts = []
            while j < n:
                k = sql.find(close, j)
                if k < 0:
                    parts.append(sql[j:])
                    j = n
                    break
                parts.append(sql[j:k])
                if k + 1 < n and sql[k + 1] == close:
                    parts.append(close)
                    j = k + 2
                    continue
                j = k + 1
                break
            add("qident", start, j, "".join(parts), line)
            line += sql.count("\n", start, j)
            i = j
            continue
        if ch == "@":
            m = _VAR_RE.match(sql, i)
            assert m is not None
            add("var", i, m.end(), m.group().lower(), line)
            i = m.end()
            continue
        if ch.isdigit() or (ch == "." and i + 1 < n and sql[i + 1].isdigit()):
            m = _NUMBER_RE.match(sql, i)
            assert m is not None
            add("number", i, m.end(), m.group(), line)
            i = m.end()
            continue
        m = _WORD_RE.match(sql, i)
        if m:
            add("word", i, m.end(), m.group().lower(), line)
            i = m.end()
            continue
        two = sql[i : i + 2]
        if two in _TWO_CHAR_OPS:
            add("op", i, i + 2, two, line)
            i += 2
            continue
        if ch in "=<>+-*/%&|^~!":
            add("op", i, i + 1, ch, line)
        elif ch in "(),;.":
            add("punct", i, i + 1, ch, line)
        elif ch == "?":
            add("param", i, i + 1, ch, line)
        else:
            add("other", i, i + 1, ch, line)
        i += 1
    return tokens


# --------------------------------------------------------------------------- analysis


@dataclass
class _Batch:
    """A token stream with the structure the rules need."""

    sql: str
    tokens: list[Token]
    first_line: int
    match: dict[int, int] = field(default_factory=dict)
    depth: list[int] = field(default_factory=list)
    enclosing: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        stack: list[int] = []
        for idx, tok in enumerate(self.tokens):
            if tok.kind == "punct" and tok.value == ")":
                if stack:
                    opener = stack.pop()
                    self.match[opener] = idx
                    self.match[idx] = opener
                self.depth.append(len(stack))
                self.enclosing.append(stack[-1] if stack else -1)
                continue
            self.depth.append(len(stack))
            self.enclosing.append(stack[-1] if stack else -1)
            if tok.kind == "punct" and tok.value == "(":
                stack.append(idx)
        for opener in stack:  # unbalanced: close at the end
            self.match[opener] = len(self.tokens)

    # -- token helpers
    def tok(self, i: int) -> Token | None:
        return self.tokens[i] if 0 <= i < len(self.tokens) else None

    def word(self, i: int) -> str | None:
        t = self.tok(i)
        return t.value if t is not None and t.kind == "word" else None

    def punct(self, i: int) -> str | None:
        t = self.tok(i)
        return t.value if t is not None and t.kind == "punct" else None

    def is_open(self, i: int) -> bool:
        return self.punct(i) == "("

    def close_of(self, i: int) -> int:
        return self.match.get(i, len(self.tokens))

    def line_text(self, tok: Token) -> str:
        start = self.sql.rfind("\n", 0, tok.start) + 1
        end = self.sql.find("\n", tok.start)
        text = self.sql[start : end if end >= 0 else len(self.sql)].strip()
        return text if len(text) <= 160 else text[:157] + "..."

    def paren_kind(self, i: int) -> str:
        """Classify the '(' at i: query, window, call, list, hint or group."""
        nxt = self.word(i + 1)
        if nxt in ("select", "with"):
            return "query"
        prev = self.tok(i - 1)
        if prev is None:
            return "group"
        if prev.kind == "word":
            if prev.value == "over":
                return "window"
            if prev.value == "group" and self.word(i - 2) == "within":
                return "window"
            if prev.value in ("in", "values", "top", "exists", "any", "some", "all"):
                return "list"
            if prev.value in ("with", "option"):
                return "hint"
            if prev.value in _NOT_FUNCTIONS:
                return "group"
            return "call"
        if prev.kind == "qident":
            return "call"
        if prev.kind == "punct" and prev.value == ")":
            return "call"
        return "group"

    def is_cte_start(self, i: int) -> bool:
        """True when the WITH at i introduces common table expressions."""
        if self.word(i) != "with":
            return False
        j = i + 1
        name = self.tok(j)
        if name is None:
            return False
        if name.kind == "word" and name.value == "xmlnamespaces":
            return self.is_open(j + 1)
        if name.kind not in ("word", "qident"):
            return False
        j += 1
        if self.is_open(j):
            j = self.close_of(j) + 1
        return self.word(j) == "as" and self.is_open(j + 1)

    def skip_case(self, i: int) -> int:
        """Index just past the END that closes the CASE at i."""
        level = 0
        j = i
        d = self.depth[i]
        while j < len(self.tokens):
            w = self.word(j)
            if self.depth[j] == d:
                if w == "case":
                    level += 1
                elif w == "end":
                    level -= 1
                    if level == 0:
                        return j + 1
            if self.is_open(j):
                j = self.close_of(j) + 1
                continue
            j += 1
        return j

    def base_tokens(self, start: int, end: int) -> list[int]:
        """Indexes of tokens in [start, end) at the expression's own level: grouping
        parentheses are looked into; calls, subqueries, lists and CASE blocks are not
        (their opening token is kept)."""
        out: list[int] = []
        j = start
        while j < end:
            w = self.word(j)
            if w == "case":
                out.append(j)
                j = self.skip_case(j)
                continue
            if self.is_open(j):
                close = self.close_of(j)
                if self.paren_kind(j) == "group":
                    out.extend(self.base_tokens(j + 1, min(close, end)))
                j = close + 1
                continue
            out.append(j)
            j += 1
        return out


def _has_predicate(batch: _Batch, idxs: Iterable[int]) -> bool:
    for k in idxs:
        t = batch.tokens[k]
        if t.kind == "op" and t.value in _COMPARISON_OPS:
            return True
        if t.kind == "word":
            if t.value in _PREDICATE_WORDS:
                return True
            if t.value in _PREDICATE_FUNCTIONS and batch.is_open(k + 1):
                return True
    return False


class _Checker:
    def __init__(self, batch: _Batch) -> None:
        self.b = batch
        self.findings: list[tuple[str, int, str]] = []  # rule, token index, detail

    def add(self, rule: str, idx: int, detail: str = "") -> None:
        self.findings.append((rule, idx, detail))

    def run(self) -> None:
        b = self.b
        for i, t in enumerate(b.tokens):
            if t.kind == "op":
                if t.value == "::":
                    prev = b.word(i - 1)
                    if prev not in _DOUBLE_COLON_OK:
                        self.add("double-colon-cast", i)
                elif t.value == "||":
                    self.add("pipe-concat", i)
                continue
            if t.kind != "word":
                continue
            w = t.value
            prev = b.tok(i - 1)
            after_dot = prev is not None and prev.kind == "punct" and prev.value == "."
            before_dot = b.punct(i + 1) == "."
            if after_dot or before_dot:
                continue
            if w == "limit":
                self._limit(i)
            elif w == "qualify":
                self._qualify(i)
            elif w == "distinct":
                if b.word(i + 1) == "on" and b.is_open(i + 2):
                    self.add("distinct-on", i)
            elif w == "ilike":
                if prev is None or prev.value != "as":
                    self.add("ilike", i)
            elif w == "group":
                if b.word(i + 1) == "by":
                    self._group_by(i)
            elif w == "nulls":
                if b.word(i + 1) in ("first", "last"):
                    self.add("nulls-ordering", i)
            elif w in ("true", "false"):
                if prev is None or prev.value != "as":
                    self.add("boolean-literal", i)
            elif w == "boolean":
                if prev is None or prev.value != "as" or self._type_position(i):
                    self.add("boolean-type", i)
            elif w == "bool":
                if self._type_position(i):
                    self.add("boolean-type", i)
            elif w == "text":
                if self._type_position(i):
                    self.add("text-type", i)
            elif w in _TIMESTAMP_TYPES:
                if self._type_position(i):
                    self.add("timestamp-type", i)
            elif w == "select":
                self._select_list(i)
            elif w in ("where", "having"):
                self._predicate_region(i + 1)
            elif w == "on":
                if self._on_is_join_condition(i):
                    self._predicate_region(i + 1)
            elif w == "iif":
                if b.is_open(i + 1):
                    self._iif(i + 1)
            elif w == "order":
                if b.word(i + 1) == "by":
                    self._order_by(i)
            elif w == "with":
                if b.is_cte_start(i):
                    self._cte(i)
            elif w == "merge":
                self._merge(i)
            elif w == "create":
                if b.word(i + 1) == "or" and b.word(i + 2) == "replace":
                    self.add("create-or-replace", i)
            elif w == "if" and b.word(i + 1) == "not" and b.word(i + 2) == "exists":
                self._if_not_exists(i)
        self._case_whens()

    # -- simple rules
    def _limit(self, i: int) -> None:
        b = self.b
        prev = b.tok(i - 1)
        nxt = b.tok(i + 1)
        if prev is None or nxt is None:
            return
        if prev.kind == "punct" and prev.value in (",", "("):
            return
        if prev.kind == "word" and prev.value in ("as", "select"):
            return
        if (
            nxt.kind in ("number", "var", "param")
            or (nxt.kind == "word" and nxt.value == "all")
            or (nxt.kind == "punct" and nxt.value == "(")
        ):
            self.add("limit", i)

    def _qualify(self, i: int) -> None:
        b = self.b
        prev = b.tok(i - 1)
        nxt = b.tok(i + 1)
        if prev is None or nxt is None:
            return
        if prev.kind == "punct" and prev.value in (",", "("):
            return
        if prev.kind == "word" and prev.value in ("as", "select"):
            return
        if nxt.kind in ("word", "qident", "number", "var") or (
            nxt.kind == "punct" and nxt.value == "("
        ):
            self.add("qualify", i)

    def _group_by(self, i: int) -> None:
        b = self.b
        d = b.depth[i]
        item: list[int] = []
        j = i + 2
        while True:
            t = b.tok(j)
            end = (
                t is None
                or b.depth[j] < d
                or (t.kind == "punct" and t.value in (";", ")") and b.depth[j] <= d)
                or (
                    b.depth[j] == d
                    and t.kind == "word"
                    and (
                        t.value in _SELECT_LIST_END
                        or t.value in _STATEMENT_START
                        or t.value == "with"
                    )
                )
            )
            if end or (t is not None and t.kind == "punct" and t.value == "," and b.depth[j] == d):
                if len(item) == 1 and b.tokens[item[0]].kind == "number":
                    self.add("group-by-ordinal", item[0])
                item = []
                if end:
                    return
                j += 1
                continue
            assert t is not None
            if b.is_open(j):
                item.append(j)
                j = b.close_of(j) + 1
                continue
            item.append(j)
            j += 1

    def _type_position(self, i: int) -> bool:
        """True when the word at i is the target type of cast()/convert()."""
        b = self.b
        enc = b.enclosing[i]
        if enc < 0:
            return False
        fn = b.word(enc - 1)
        if b.word(i - 1) == "as" and fn in _CAST_FUNCTIONS:
            return True
        return enc == i - 1 and fn in _CONVERT_FUNCTIONS

    def _if_not_exists(self, i: int) -> None:
        b = self.b
        obj = b.word(i - 1)
        if obj in ("table", "schema", "view", "index", "database", "sequence", "type"):
            for k in range(max(0, i - 5), i):
                if b.word(k) == "create":
                    self.add("if-not-exists", i)
                    return

    # -- select lists
    def _select_list(self, i: int) -> None:
        b = self.b
        d = b.depth[i]
        j = i + 1
        if b.word(j) in ("all", "distinct"):
            j += 1
        if b.word(j) == "top":
            j += 1
            j = b.close_of(j) + 1 if b.is_open(j) else j + 1
            if b.word(j) == "percent":
                j += 1
            if b.word(j) == "with" and b.word(j + 1) == "ties":
                j += 2
        items: list[tuple[int, int]] = []
        start = j
        while True:
            t = b.tok(j)
            stop = (
                t is None
                or b.depth[j] < d
                or (t.kind == "punct" and t.value in (";", ")"))
                or (
                    t.kind == "word"
                    and (
                        t.value in _SELECT_LIST_END
                        or t.value in _STATEMENT_START
                        or (t.value == "with" and b.is_cte_start(j))
                    )
                )
            )
            if stop or (t is not None and t.kind == "punct" and t.value == ","):
                items.append((start, j))
                if stop:
                    break
                j += 1
                start = j
                continue
            assert t is not None
            if t.kind == "word" and t.value == "case":
                j = b.skip_case(j)
                continue
            if b.is_open(j):
                j = b.close_of(j) + 1
                continue
            j += 1
        for s, e in items:
            if s < e:
                self._select_item(s, e)

    def _select_item(self, s: int, e: int) -> None:
        b = self.b
        base = b.base_tokens(s, e)
        equals = [k for k in base if b.tokens[k].kind == "op" and b.tokens[k].value == "="]
        others = [k for k in base if k not in equals]
        if _has_predicate(b, others) or any(
            b.tokens[k].kind == "word" and b.tokens[k].value in ("and", "or", "not") for k in base
        ):
            flagged = next(
                k
                for k in base
                if (b.tokens[k].kind == "op" and b.tokens[k].value in _COMPARISON_OPS)
                or (
                    b.tokens[k].kind == "word"
                    and b.tokens[k].value
                    in _PREDICATE_WORDS | {"and", "or", "not"} | _PREDICATE_FUNCTIONS
                )
            )
            self.add("boolean-in-select", flagged)
            return
        if not equals:
            return
        first = equals[0]
        left = [k for k in base if k < first]
        right = [k for k in base if k > first]
        if len(equals) > 1:
            self.add("boolean-in-select", equals[1])
            return
        if len(left) == 1 and b.tokens[left[0]].kind == "var":
            return  # select @variable = expression
        if len(left) != 1 or b.tokens[left[0]].kind not in ("word", "qident", "string"):
            self.add("boolean-in-select", first)
            return
        if any(b.word(k) == "as" for k in right):
            self.add("boolean-in-select", first)
            return
        self.add("select-alias-equals", first)

    # -- predicates
    def _on_is_join_condition(self, i: int) -> bool:
        b = self.b
        d = b.depth[i]
        for k in range(i - 1, b.enclosing[i], -1):
            if b.depth[k] != d:
                continue
            t = b.tokens[k]
            if t.kind == "punct" and t.value == ";":
                return False
            if t.kind != "word":
                continue
            if t.value in ("join", "using"):
                return True
            if t.value in (
                "on", "from", "where", "select", "index", "grant", "revoke", "deny", "table",
                "view", "schema", "set", "create", "alter", "into", "distinct", "option",
            ):  # fmt: skip
                return False
        return False

    def _region_end(self, start: int, d: int, end_words: frozenset[str]) -> int:
        b = self.b
        j = start
        while j < len(b.tokens):
            t = b.tokens[j]
            if b.depth[j] < d:
                return j
            if t.kind == "punct" and t.value in (";", ")"):
                return j
            if t.kind == "word":
                if t.value == "case":
                    j = b.skip_case(j)
                    continue
                if t.value in end_words or t.value in _STATEMENT_START:
                    if t.value in ("left", "right") and b.is_open(j + 1):
                        j += 1
                        continue
                    return j
                if t.value == "with" and b.is_cte_start(j):
                    return j
            if b.is_open(j):
                j = b.close_of(j) + 1
                continue
            j += 1
        return j

    def _predicate_region(self, start: int, end_words: frozenset[str] = _PREDICATE_END) -> None:
        if start >= len(self.b.tokens):
            return
        d = self.b.depth[start]
        end = self._region_end(start, d, end_words)
        self._condition(start, end)

    def _condition(self, start: int, end: int) -> None:
        """Check each and/or operand of the condition in [start, end)."""
        b = self.b
        parts: list[tuple[int, int]] = []
        j = start
        s = start
        pending_between = False
        while j < end:
            t = b.tokens[j]
            if t.kind == "word":
                if t.value == "case":
                    j = b.skip_case(j)
                    continue
                if t.value == "between":
                    pending_between = True
                elif t.value in ("and", "or"):
                    if t.value == "and" and pending_between:
                        pending_between = False
                    else:
                        parts.append((s, j))
                        s = j + 1
            if b.is_open(j):
                j = b.close_of(j) + 1
                continue
            j += 1
        parts.append((s, end))
        for ps, pe in parts:
            while ps < pe and b.word(ps) == "not":
                ps += 1
            if ps >= pe:
                continue
            if b.is_open(ps) and b.close_of(ps) == pe - 1 and b.paren_kind(ps) == "group":
                self._condition(ps + 1, pe - 1)
                continue
            base = b.base_tokens(ps, pe)
            if _has_predicate(b, base):
                continue
            if len(base) == 1 and b.word(base[0]) in ("true", "false"):
                continue  # reported as boolean-literal
            self.add("bare-boolean-filter", ps)

    def _iif(self, open_idx: int) -> None:
        b = self.b
        close = b.close_of(open_idx)
        j = open_idx + 1
        while j < close:
            if b.punct(j) == "," and b.depth[j] == b.depth[open_idx] + 1:
                break
            if b.is_open(j):
                j = b.close_of(j) + 1
                continue
            j += 1
        self._condition(open_idx + 1, min(j, close))

    def _case_whens(self) -> None:
        """Searched CASE: each WHEN ... THEN is a predicate. Merge: WHEN MATCHED AND ..."""
        b = self.b
        for i, t in enumerate(b.tokens):
            if t.kind != "word":
                continue
            if t.value == "case" and b.word(i + 1) == "when":
                end = b.skip_case(i)
                d = b.depth[i]
                j = i + 1
                while j < end:
                    if b.depth[j] == d and b.word(j) == "when":
                        stop = self._region_end(j + 1, d, frozenset({"then"}))
                        self._condition(j + 1, stop)
                        j = stop
                        continue
                    if b.word(j) == "case":
                        j = b.skip_case(j)
                        continue
                    if b.is_open(j):
                        j = b.close_of(j) + 1
                        continue
                    j += 1
            elif t.value == "when" and b.word(i + 1) in ("matched", "not"):
                j = i + 1
                if b.word(j) == "not":
                    j += 1
                if b.word(j) != "matched":
                    continue
                j += 1
                if b.word(j) == "by" and b.word(j + 1) in ("target", "source"):
                    j += 2
                if b.word(j) == "and":
                    stop = self._region_end(j + 1, b.depth[i], frozenset({"then"}))
                    self._condition(j + 1, stop)

    # -- order by
    def _order_by(self, i: int) -> None:
        b = self.b
        enc = b.enclosing[i]
        d = b.depth[i]
        if enc >= 0:
            kind = b.paren_kind(enc)
            if kind not in ("query", "group"):
                return
            scope_start, scope_end = enc + 1, b.close_of(enc)
            where = "a subquery, derived table or CTE"
        else:
            scope_start = self._view_body_start(i)
            if scope_start is None:
                return
            scope_end = len(b.tokens)
            where = "a view"
        # TOP on a select of this query level
        for k in range(scope_start, i):
            if b.depth[k] == d and b.word(k) == "select":
                nxt = k + 1
                if b.word(nxt) in ("all", "distinct"):
                    nxt += 1
                if b.word(nxt) == "top":
                    return
        # OFFSET / FOR XML|JSON|BROWSE after the order by
        k = i + 2
        while k < scope_end:
            if b.depth[k] == d:
                w = b.word(k)
                if w == "offset":
                    return
                if w == "for" and b.word(k + 1) in ("xml", "json", "browse"):
                    return
                if b.punct(k) == ";":
                    break
            k += 1
        self.add("order-by-without-top", i, where)

    def _view_body_start(self, i: int) -> int | None:
        b = self.b
        for k in range(i - 1, -1, -1):
            if b.depth[k] != 0:
                continue
            if b.punct(k) == ";":
                return None
            if b.word(k) == "view" and (b.word(k - 1) == "create" or b.word(k - 1) == "alter"):
                return k + 1
        return None

    # -- common table expressions
    def _cte(self, i: int) -> None:
        b = self.b
        if b.depth[i] > 0:
            self.add("nested-with", i)
            return
        prev = b.tok(i - 1)
        if prev is None:
            return
        if prev.kind == "punct" and prev.value == ";":
            return
        if prev.kind == "word" and prev.value in ("as", "begin", "try", "catch", "else"):
            return
        self.add("with-not-at-statement-start", i)

    # -- merge
    def _merge(self, i: int) -> None:
        b = self.b
        nxt = b.word(i + 1)
        if nxt in ("join", "union"):
            return
        prev = b.tok(i - 1)
        if prev is not None and prev.kind == "punct" and prev.value in ("(", ","):
            return
        d = b.depth[i]
        seen_using = False
        after_then = False
        j = i + 1
        while j < len(b.tokens):
            t = b.tokens[j]
            if b.depth[j] < d:
                break
            if b.is_open(j):
                j = b.close_of(j) + 1
                continue
            if t.kind == "punct" and t.value == ";":
                return
            if t.kind == "word":
                w = t.value
                if w == "using":
                    seen_using = True
                elif w == "then":
                    after_then = True
                elif after_then and w in ("insert", "update", "delete"):
                    after_then = False
                elif w == "set" and b.word(j - 1) == "update":
                    pass
                elif seen_using and (w in _STATEMENT_START or (w == "with" and b.is_cte_start(j))):
                    break
            j += 1
        self.add("merge-without-semicolon", i)


def _dynamic_sql(batch: _Batch) -> Iterator[Token]:
    """String literals that are executed as SQL: EXEC('...') and sp_executesql N'...'."""
    for i, t in enumerate(batch.tokens):
        if t.kind != "string":
            continue
        if (
            batch.punct(i - 1) == "("
            and batch.word(i - 2) in ("exec", "execute")
            and batch.punct(i + 1) == ")"
        ) or batch.word(i - 1) == "sp_executesql":
            yield t
        else:
            prev = batch.tok(i - 1)
            var = batch.tok(i - 2)
            if (
                prev is not None
                and prev.kind == "op"
                and prev.value == "="
                and var is not None
                and var.value == "@stmt"
                and batch.word(i - 3) == "sp_executesql"
            ):
                yield t


def dynamic_sql(sql: str) -> list[tuple[int, str]]:
    """The SQL a batch executes dynamically (EXEC('...'), sp_executesql), recursively, as
    (line of the literal in ``sql``, decoded text) pairs."""
    out: list[tuple[int, str]] = []
    for string in _dynamic_sql(_Batch(sql, tokenize(sql), 1)):
        out.append((string.line, string.value))
        out.extend((string.line + line - 1, text) for line, text in dynamic_sql(string.value))
    return out


def check_sql(
    sql: str,
    *,
    file: str | None = None,
    node: str | None = None,
    source: str | None = None,
    first_line: int = 1,
    _dynamic: bool = False,
) -> list[Finding]:
    """Check one batch of T-SQL and the dynamic SQL it executes."""
    batch = _Batch(sql, tokenize(sql, first_line), first_line)
    checker = _Checker(batch)
    checker.run()
    findings: list[Finding] = []
    seen: set[tuple[str, int]] = set()
    for rule, idx, detail in checker.findings:
        tok = batch.tokens[idx]
        if (rule, tok.start) in seen:
            continue
        seen.add((rule, tok.start))
        message = RULES[rule] + (f" (in {detail})" if detail else "")
        findings.append(
            Finding(
                rule=rule,
                message=message,
                line=tok.line,
                excerpt=batch.line_text(tok),
                file=file,
                node=node,
                source=source,
                dynamic=_dynamic,
            )
        )
    for string in _dynamic_sql(batch):
        # the decoded text keeps the literal's line breaks, so lines map one to one
        findings.extend(
            check_sql(
                string.value,
                file=file,
                node=node,
                source=source,
                first_line=string.line,
                _dynamic=True,
            )
        )
    findings.sort(key=lambda f: (f.line, f.rule))
    return findings


def split_statements(text: str) -> list[tuple[int, str]]:
    """Split a render file on its statement markers: (first line, statement text)."""
    pieces: list[tuple[int, str]] = []
    last_end = 0
    last_line = 1
    for m in _MARKER_RE.finditer(text):
        if text[last_end : m.start()].strip():
            pieces.append((last_line, text[last_end : m.start()]))
        last_end = m.end() + 1  # the statement starts on the line after its marker
        last_line = text.count("\n", 0, m.end()) + 2
    if text[last_end:].strip():
        pieces.append((last_line, text[last_end:]))
    return pieces


def check_file(
    path: Path, *, node: str | None = None, source: str | None = None, display: str | None = None
) -> list[Finding]:
    text = path.read_text(encoding="utf-8")
    findings: list[Finding] = []
    for line, statement in split_statements(text):
        findings.extend(
            check_sql(
                statement, file=display or str(path), node=node, source=source, first_line=line
            )
        )
    return findings


def check_render_dir(out_dir: Path) -> list[Finding]:
    """Check every captured statement of a tools.render_sqlserver output directory."""
    manifest_path = out_dir / "render-manifest.json"
    nodes: dict[str, dict[str, object]] = {}
    if manifest_path.exists():
        nodes = json.loads(manifest_path.read_text(encoding="utf-8")).get("nodes", {})
    by_file: dict[str, tuple[str, str | None]] = {}
    for uid, info in nodes.items():
        captures = info.get("captures", {})
        assert isinstance(captures, dict)
        for capture in captures.values():
            source = info.get("original_file_path")
            by_file[capture["file"]] = (uid, source if isinstance(source, str) else None)
    findings: list[Finding] = []
    for path in sorted(out_dir.rglob("*.sql")):
        rel = path.relative_to(out_dir).as_posix()
        node, source = by_file.get(rel, (path.stem, None))
        findings.extend(check_file(path, node=node, source=source, display=str(path)))
    return findings


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.tsql_check",
        description="Report syntax in T-SQL files that SQL Server does not have.",
    )
    parser.add_argument("paths", nargs="+", type=Path, help=".sql files or render directories")
    parser.add_argument("--json", action="store_true", help="print findings as JSON")
    parser.add_argument("--rules", action="store_true", help="list the rules and exit")
    args = parser.parse_args(argv)
    if args.rules:
        for rule, text in RULES.items():
            print(f"{rule:30} {text}")
        return 0
    findings: list[Finding] = []
    for path in args.paths:
        if path.is_dir():
            findings.extend(check_render_dir(path))
        elif path.is_file():
            findings.extend(check_file(path))
        else:
            print(f"no such file or directory: {path}", file=sys.stderr)
            return 2
    if args.json:
        print(json.dumps([f.as_dict() for f in findings], indent=2))
    else:
        for f in findings:
            print(f.format())
        print(f"{len(findings)} finding(s)", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())

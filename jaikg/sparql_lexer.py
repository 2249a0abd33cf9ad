"""A small SPARQL tokenizer: enough to find keywords outside strings, IRIs and comments.

The endpoint must know a few things about a request before Oxigraph runs it: its form (SELECT, ASK, CONSTRUCT,
DESCRIBE) to negotiate the media type, whether it names a `SERVICE` or `LOAD` (refused: Oxigraph would make the
HTTP request), and where an update's `WHERE` clauses are (to add the protocol's `USING` graphs). A regular
expression over the raw text would be fooled by `"SERVICE"` in a string, `<urn:SERVICE>` or `# SERVICE`; this
tokenizer skips those exactly as the SPARQL grammar does. Oxigraph does not apply `\\u` escapes outside strings,
so neither does this tokenizer.

Oxigraph's parser needs no word boundary after a keyword or a number: `trueSERVICE <x> {…}` and
`1e5SERVICE <x> {…}` run a SERVICE. So numbers are tokens of their own, and `words_containing` finds a keyword
glued to another word; the refusal of SERVICE and LOAD uses it.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from functools import lru_cache
from itertools import accumulate, islice
from typing import NamedTuple

_NAME_START = r"A-Za-z_\u00C0-\U000EFFFF"
_NAME_CHAR_NO_DOT = _NAME_START + r"0-9\-\u00B7"
_NAME_CHAR = _NAME_CHAR_NO_DOT + "."
_WORD = rf"[{_NAME_START}](?:[{_NAME_CHAR}]*[{_NAME_CHAR_NO_DOT}])?"
"""A keyword or a prefix: like SPARQL's PN_PREFIX, it does not end with a dot."""
_LOCAL_ESCAPE = r"\\[_~.\-!$&'()*+,;=/?#@%]"
"""PN_LOCAL_ESC: `ex:a\\#b` is one name, not a name and a comment."""
_LOCAL = rf"(?:[{_NAME_CHAR}:%]|{_LOCAL_ESCAPE})*(?:[{_NAME_CHAR_NO_DOT}:%]|{_LOCAL_ESCAPE})"
_VAR_CHAR = r"A-Za-z_0-9\u00B7\u00C0-\U000EFFFF"
"""VARNAME has no `-` (unlike names)."""
_IRI_CHAR = r'[^<>"{}|^`\\\x00-\x20]'
_IRI = rf"<{_IRI_CHAR}*>"
_NUMBER = r"[0-9]+\.?[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]*\.[0-9]+|[0-9]+"

_COMMENT = r"\#[^\n\r]*"
_STRING = "|".join((
    r"'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''",
    r'"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""',
    r"'[^'\\\n\r]*(?:\\.[^'\\\n\r]*)*'",
    r'"[^"\\\n\r]*(?:\\.[^"\\\n\r]*)*"',
))
"""A string literal, long (`'''…'''`, `\"\"\"…\"\"\"`) or short; an escape is a backslash and any character (one that is
not an escape of the grammar is a syntax error inside the string). Written as runs of ordinary characters between
escapes and lone quotes, which the regular expression engine reads a run at a time."""

TOKEN = re.compile(
    rf"""
    (?P<space>\s+)
  | (?P<comment>{_COMMENT})
  | (?P<string>{_STRING})
  | (?P<iri>{_IRI})
  | (?P<var>[?$][{_VAR_CHAR}]+)
  | (?P<number>{_NUMBER})
  | (?P<name>(?:{_WORD})?:(?:{_LOCAL})?|{_WORD})
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


PROLOGUE_THEN_FORM = re.compile(
    rf"""(?>\s+|\#[^\n\r]*|BASE\s*{_IRI}|PREFIX\s*(?:{_WORD})?:\s*{_IRI})*+
    (SELECT|ASK|CONSTRUCT|DESCRIBE)(?![{_NAME_CHAR}:])""",
    re.VERBOSE | re.IGNORECASE,
)
"""A query's prologue (BASE and PREFIX declarations, white space, comments) and the keyword after it: by the
grammar (`Query ::= Prologue ( SelectQuery | … )`) that keyword is the query's form. The repetition is
possessive and its alternatives atomic: nothing is given back, so no text makes the match backtrack."""


class Token(NamedTuple):
    """A token (a named tuple: a query has hundreds, and a frozen dataclass costs twice the time to make)."""

    kind: str
    """"string", "iri", "var", "number", "name" (keywords, prefixed names, blank node labels) or "other"."""
    text: str
    start: int
    depth: int
    """How many `{` are open before this token."""

    def is_keyword(self, *words: str) -> bool:
        return self.kind == "name" and ":" not in self.text and self.text.upper() in words

    def contains_keyword(self, word: str) -> bool:
        """A bare word (not a prefixed name or blank node) with `word` in it, such as `trueSERVICE`."""
        return self.kind == "name" and ":" not in self.text and word in self.text.upper()


def tokens(text: str) -> tuple[Token, ...]:
    """The tokens of `text` without white space and comments, each with its brace depth. Memoized: a request's
    text is asked about several times (its form, SERVICE, LOAD, FROM, LIMIT), and one pass serves them all."""
    return _tokens(text)


@lru_cache(maxsize=16)
def _tokens(text: str) -> tuple[Token, ...]:
    return tuple(_scan(text))


def body_tokens(text: str) -> tuple[Token, ...]:
    """The tokens of a query from its form keyword on, when its prologue reads as the grammar says (`query_form`'s
    quick path), else all of them. The prologue holds no braces, LIMIT or VALUES, so questions about a query's
    groups and solution modifiers have the same answer without it, and a prologue of PREFIX lines is most of a
    typical query's tokens. Memoized like `tokens`."""
    form = _form_after_prologue(text)
    return _tokens_from(text, form[1]) if form else tokens(text)


@lru_cache(maxsize=16)
def _tokens_from(text: str, start: int) -> tuple[Token, ...]:
    return tuple(_scan(text, start))


def _scan(text: str, start: int = 0) -> Iterator[Token]:
    depth = 0
    for match in TOKEN.finditer(text, start):
        kind = match.lastgroup or "other"
        if kind in ("space", "comment"):
            continue
        value = match.group()
        if value == "}":
            depth = max(depth - 1, 0)
        yield Token(kind, value, match.start(), depth)
        if value == "{":
            depth += 1


NESTING_SYNTAXES = ("sparql", "turtle", "json")
"""What `nesting_past` reads: a SPARQL query or update; Turtle, TriG, N-Triples or N-Quads; JSON-LD."""
_OPENINGS = {"sparql": ("{", "(", "[", "<<"), "turtle": ("<<",), "json": ("{", "[")}
"""The brackets that are a level of recursion of Oxigraph's parser of each syntax: its SPARQL parser descends once
for each bracket (`<<` opens a quoted triple; a triple term `<<( … )>>` is two levels), its Turtle parser only for
quoted triples and triple terms (it reads nested blank nodes and collections without recursion, at any depth),
its JSON-LD parser for objects (arrays too are counted here)."""
_LEVEL_SYMBOLS = {"sparql": re.compile(r"<<|>>|[{}()\[\]]"), "turtle": re.compile("<<|>>"),
                  "json": re.compile(r"[{}\[\]]")}
"""The brackets of each syntax, opening and closing, as `nesting_past` finds them in a text (`<<` before `<`)."""


def _translation(openings: bytes, closings: bytes) -> tuple[bytes, bytes]:
    """The arguments of `bytes.translate` that keep only these bytes, each opening one as 1, each closing one as
    -1 (255)."""
    kept = openings + closings
    return (bytes.maketrans(kept, b"\x01" * len(openings) + b"\xff" * len(closings)),
            bytes(byte for byte in range(256) if byte not in kept))


_STEPS = {"sparql": _translation(b"{([\x01", b"})]\x02"), "turtle": _translation(b"\x01", b"\x02"),
          "json": _translation(b"{[", b"}]")}
"""`_steps`' translations; `<<` and `>>` are first written as the bytes 1 and 2."""
_IRI_ESCAPED = rf"<{_IRI_CHAR}*(?:\\(?:u[0-9A-Fa-f]{{4}}|U[0-9A-Fa-f]{{8}}){_IRI_CHAR}*)*>"
"""An IRI as Oxigraph's parsers read one: `_IRI`, or with `\\u` escapes (they allow them in SPARQL too)."""
_HIDING = re.compile(rf"{_COMMENT}|{_STRING}|{_IRI_ESCAPED}|\\.", re.DOTALL)
"""What hides brackets from the parsers of SPARQL and Turtle: comments, strings, IRIs, and the escapes of prefixed
names (PN_LOCAL_ESC: `ex:a\\(` is one name); its first character tells which. Each alternative starts with a
character of its own and the pattern has no groups, so the engine skips in C to the next place one may start."""
_BANGS = re.compile(r"!(?!=)(?:\s*!(?!=))*")
"""A run of `!` (not `!=`): nested NOT, one level of Oxigraph's SPARQL parser each."""
_OPERAND_EXPECTED = frozenset("(,=!&|+-*/^<>;")
"""Characters after which a `<` cannot be a comparison: an operand must come first."""


class Nesting(NamedTuple):
    """How deep a text nests, when that is deeper than a limit (`nesting_past`)."""

    depth: int
    """The deepest level in the text."""
    start: int
    """Where (an offset in characters) the first level past the limit opens."""
    opened_by: str
    """What opens it: a bracket, or `!`."""


def nesting_past(text: str, limit: int, syntax: str = "sparql") -> Nesting | None:
    """How deep `text`, in `syntax` (one of NESTING_SYNTAXES), nests the brackets that Oxigraph's parser of that
    syntax follows by recursion (`_OPENINGS`; in SPARQL also `!`), outside strings, IRIs and comments, when that is
    deeper than `limit`; None when it is not. A text nested thousands deep overflows the stack of the thread that
    parses it, and its process dies.

    A text holding no more opening brackets than `limit` (counted by `str.count`, in C) cannot nest deeper and is
    not read further: most queries. Otherwise what hides brackets is blanked out and the depth read from what is
    left, by the C loops of `re`, `bytes.translate` and `itertools.accumulate` (100,000 characters: a few ms up to
    tens of ms), never counting less than the parser descends:

    - each opening bracket is a level deeper and each closing bracket a level back, whatever their kinds: a text
      that closes another kind than the innermost open bracket, or one that is not open, cannot be parsed past that
      point, so the count is exact up to it, and the parser goes no further;
    - each `!` of a run of them (`!!!!x`, nested NOT) is one more level, for the run;
    - in SPARQL, a `<` right after an operand inside `( … )` may be a comparison (`?a<(((1)))>0` is one, not an
      IRI): the brackets and `!` of such an IRI count. And when it holds a `#` or a `'` (a comment or a string,
      were it a comparison), or when an IRI is glued to another `<` (`?a<<x#y>`), the two readings need not agree
      on where the comments and strings after it end: from there on, the opening brackets and `!` inside
      comments, strings and IRIs count too (their closing brackets do not)."""
    openings = sum(text.count(bracket) for bracket in _OPENINGS[syntax])
    if syntax == "sparql":
        openings += text.count("!") - text.count("!=")
    if openings <= limit:
        return None
    levels = _sparql_levels(text) if syntax == "sparql" else _blanked(text, syntax, keep_offsets=False)
    depths = list(accumulate(_steps(levels, syntax)))
    deepest = max(depths, default=0)
    bangs, bang_start = _bang_levels(levels, depths, limit) if syntax == "sparql" else (0, None)
    if deepest <= limit and bangs <= limit:
        return None
    starts = [] if bang_start is None else [bang_start]
    if deepest > limit:
        if syntax != "sparql":  # blanked again, keeping offsets: only for a text over the limit
            levels = _blanked(text, syntax, keep_offsets=True)
        past = next(islice(_LEVEL_SYMBOLS[syntax].finditer(levels), depths.index(limit + 1), None), None)
        starts.append(past.start() if past is not None else 0)
    start = min(starts)
    return Nesting(max(deepest, bangs), start, "<<" if levels.startswith("<<", start) else levels[start])


def _blanked(text: str, syntax: str, keep_offsets: bool) -> str:
    """A Turtle or JSON text with what hides brackets (comments, strings, IRIs; in JSON strings) turned to spaces:
    as many as it had characters when `keep_offsets`, else one."""
    if syntax == "json":
        # JSON's strings are what lies between two quotes, once escaped backslashes and quotes are out of the way
        pieces = text.replace("\\\\", "  ").replace('\\"', "  ").split('"')
        if keep_offsets:
            return '"'.join(piece if index % 2 == 0 else " " * len(piece) for index, piece in enumerate(pieces))
        return " ".join(pieces[::2])
    if keep_offsets:
        return _HIDING.sub(lambda hidden: " " * len(hidden.group()), text)
    return _HIDING.sub(" ", text)


def _steps(levels: str, syntax: str) -> array[int]:
    """+1 for each opening bracket of `levels` (a text blanked by `nesting_past`) and -1 for each closing one, in
    order: found by `bytes.translate`, in C."""
    data = levels.encode("utf-8", "surrogatepass")
    if syntax != "json":
        data = data.replace(b"\x01", b" ").replace(b"\x02", b" ").replace(b"<<", b"\x01").replace(b">>", b"\x02")
    return array("b", data.translate(*_STEPS[syntax]))


def _bang_levels(levels: str, depths: list[int], limit: int) -> tuple[int, int | None]:
    """The deepest level a run of `!` reaches in a SPARQL text blanked by `nesting_past` (whose brackets reach
    `depths`), and where the first `!` past `limit` is (None when none is)."""
    runs = list(_BANGS.finditer(levels))
    if not runs:
        return 0, None
    brackets = [symbol.start() for symbol in _LEVEL_SYMBOLS["sparql"].finditer(levels)]
    deepest, start = 0, None
    for run in runs:
        before = min(bisect_left(brackets, run.start()), len(depths))
        depth = depths[before - 1] if before else 0
        reached = depth + run.group().count("!")
        deepest = max(deepest, reached)
        if start is None and reached > limit:
            start = run.start() + next(islice(re.finditer("!", run.group()), max(limit - depth, 0), None)).start()
    return deepest, start


def _sparql_levels(text: str) -> str:
    """A query or update with its comments, strings, IRIs and escapes turned to spaces, character for character
    (offsets stay), but for the brackets and `!` in them that may open levels (`nesting_past`)."""
    pieces: list[str] = []
    last = parens = 0
    operand = raw = False
    """Whether the last token ended an operand; whether the opening brackets and `!` of what hides count."""
    for match in _HIDING.finditer(text):
        start, end = match.span()
        if start > last:
            gap = text[last:start]
            pieces.append(gap)
            code = gap.rstrip()
            if code:
                operand = code[-1] not in _OPERAND_EXPECTED
                parens += gap.count("(") - gap.count(")")
        hidden = match.group()
        blanked = None
        if hidden[0] == "<":
            comparison = operand and parens > 0
            glued = start > 0 and text[start - 1] == "<"
            if (comparison or glued) and ("#" in hidden or "'" in hidden):
                raw = True
            if comparison and ("(" in hidden or "[" in hidden or "!" in hidden):
                blanked = _comparison_levels(hidden)
            elif glued:
                blanked = _openings_in(hidden)
        if blanked is None:
            blanked = _openings_in(hidden) if raw else " " * len(hidden)
        parens += blanked.count("(") - blanked.count(")")
        pieces.append(blanked)
        if hidden[0] != "#":
            operand = True
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def _openings_in(hidden: str) -> str:
    """A comment, string or IRI with only what may open a level kept: opening brackets, `<` and `!` (and `=`, so
    that `!=` stays what it is)."""
    return "".join(char if char in "{([<!=" else " " for char in hidden)


def _comparison_levels(iri: str) -> str:
    """The levels of `<…>` read as a comparison `<` and what follows it: its brackets and `!`, but for closing
    brackets that close none of its own (they would close brackets opened before it; read as an IRI, those stay
    open)."""
    kept: list[str] = []
    open_here = 0
    for char in iri:
        if char in "([":
            open_here += 1
        elif char in ")]" and open_here:
            open_here -= 1
        elif char not in "!=":
            char = " "
        kept.append(char)
    return "".join(kept)


QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first of them at the top level, or None when there is none.
    Read from the prologue when the query starts like the grammar says (most do: no tokenizing), else from the
    tokens."""
    form = _form_after_prologue(text)
    return form[0] if form else query_form_from_tokens(text)


@lru_cache(maxsize=16)
def _form_after_prologue(text: str) -> tuple[str, int] | None:
    """The form keyword (upper case) and where it starts, when `PROLOGUE_THEN_FORM` reads the query; memoized,
    as a request's text is asked for its form several times."""
    match = PROLOGUE_THEN_FORM.match(text)
    return (match.group(1).upper(), match.start(1)) if match else None


def query_form_from_tokens(text: str) -> str | None:
    """`query_form` from the tokens alone: the first form keyword at brace depth 0."""
    for token in tokens(text):
        if token.depth == 0 and token.is_keyword(*QUERY_FORMS):
            return token.text.upper()
    return None


def keyword_tokens(text: str, *words: str) -> list[Token]:
    """Every occurrence of the keywords `words` (upper case) outside strings, IRIs and comments."""
    if not mentions(text, *words):
        return []
    return [token for token in tokens(text) if token.is_keyword(*words)]


def words_containing(text: str, word: str) -> list[Token]:
    """Every bare word outside strings, IRIs and comments that contains the keyword `word` (upper case)."""
    if not mentions(text, word):
        return []
    return [token for token in tokens(text) if token.contains_keyword(word)]


VOLATILE_FUNCTIONS = ("NOW", "RAND", "UUID", "STRUUID", "BNODE")
"""Functions whose value changes from one evaluation of a query to the next."""


def calls_volatile_function(text: str) -> bool:
    """Whether the query or update calls one of VOLATILE_FUNCTIONS: its answer must not be reused."""
    if not mentions(text, *VOLATILE_FUNCTIONS):
        return False
    all_tokens = tokens(text)
    return any(token.is_keyword(*VOLATILE_FUNCTIONS) and following.text == "("
               for token, following in zip(all_tokens, all_tokens[1:]))


def mentions(text: str, *words: str) -> bool:
    """Whether any of `words` (upper case) occurs anywhere in the upper-cased text. When none does, no token can
    contain one (`str.upper` maps character by character, so every token's upper case is a piece of the text's),
    and the tokens need not be made: most queries name neither SERVICE nor LOAD nor FROM."""
    upper = text.upper()
    return any(word in upper for word in words)


def prefix_map(text: str) -> dict[str, str]:
    """The `PREFIX p: <iri>` declarations of a query or update."""
    found: dict[str, str] = {}
    window: list[Token] = []
    for token in tokens(text):
        window = (window + [token])[-3:]
        if len(window) == 3 and window[0].is_keyword("PREFIX") and window[2].kind == "iri":
            found[window[1].text.rstrip(":")] = window[2].text[1:-1]
    return found


def undeclared_prefix(text: str) -> tuple[str, int] | None:
    """The first prefixed name (outside strings, IRIs and comments) whose prefix no earlier `PREFIX` declares, as
    (prefix, offset); None when every prefix is declared. Blank node labels (`_:b`) have no prefix to declare."""
    declared: set[str] = set()
    all_tokens = tokens(text)
    for index, token in enumerate(all_tokens):
        if token.kind != "name" or ":" not in token.text:
            continue
        prefix = token.text.partition(":")[0]
        if index > 0 and all_tokens[index - 1].is_keyword("PREFIX"):
            declared.add(prefix)
        elif prefix != "_" and prefix not in declared:
            return prefix, token.start
    return None


def service_targets(text: str) -> list[str | None]:
    """The endpoint of every `SERVICE` clause: a full IRI (prefixed names expanded), or None for a variable or
    anything that is not a plain IRI."""
    if not mentions(text, "SERVICE"):
        return []
    prefixes = prefix_map(text)
    all_tokens = tokens(text)
    targets: list[str | None] = []
    for index, token in enumerate(all_tokens):
        if not token.is_keyword("SERVICE"):
            if token.contains_keyword("SERVICE"):
                targets.append(None)
            continue
        following = all_tokens[index + 1:index + 3]
        if following and following[0].is_keyword("SILENT"):
            following = following[1:]
        target = following[0] if following else None
        targets.append(_iri_of(target, prefixes) if target else None)
    return targets


def _iri_of(token: Token, prefixes: dict[str, str]) -> str | None:
    if token.kind == "iri":
        return token.text[1:-1]
    if token.kind == "name" and ":" in token.text:
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes:
            return prefixes[prefix] + local
    return None


def limit_solutions(text: str, max_rows: int) -> str | None:
    """The SELECT query `text` rewritten so that it returns at most `max_rows` + 1 solutions (the one more tells an
    answer cut at `max_rows` from a whole one), by setting its outermost `LIMIT` (before a trailing `VALUES`
    clause, or at the end, on a line of its own so a final comment does not swallow it); None when the query's own
    `LIMIT` allows no more than `max_rows`, or when it has no group to limit.

    The outer solution modifiers are the tokens at brace depth 0 after the last top-level `}` (subqueries keep
    their limits) and before the trailing `VALUES`, the only `VALUES` a query has at depth 0."""
    all_tokens = body_tokens(text)
    end = next((i for i, token in enumerate(all_tokens) if token.depth == 0 and token.is_keyword("VALUES")),
               len(all_tokens))
    closing = max((i for i, token in enumerate(all_tokens[:end]) if token.depth == 0 and token.text == "}"),
                  default=None)
    if closing is None:
        return None
    modifiers = all_tokens[closing + 1:end + 1]
    limit = max_rows + 1
    for index, token in enumerate(modifiers[:-1]):
        if token.is_keyword("LIMIT") and modifiers[index + 1].text.isdigit():
            number = modifiers[index + 1]
            if int(number.text) <= max_rows:
                return None
            return text[:number.start] + str(limit) + text[number.start + len(number.text):]
    if end < len(all_tokens):
        values = all_tokens[end].start
        return text[:values] + f"LIMIT {limit}\n" + text[values:]
    return f"{text}\nLIMIT {limit}\n"


SINGLE_PATTERN_SELECT = re.compile(r"S(?:v+|\*)W?\{[vtn]{3}\.?\}(?:Ln)?")
"""`is_single_pattern_select` over the query's tokens from its form keyword on, each written as one letter
(`_token_letter`)."""
_KEYWORD_LETTERS = {"SELECT": "S", "WHERE": "W", "LIMIT": "L", "A": "t"}


def is_single_pattern_select(text: str) -> bool:
    """Whether `text` is a SELECT of plain variables (or `*`) over one triple pattern whose terms are IRIs,
    prefixed names, `a`, variables, plain strings or numbers, followed by nothing but a `LIMIT`, such as
    `SELECT ?p ?o WHERE { <s> ?p ?o }`. Oxigraph answers such a query with one index scan that stops once it has
    the rows it returns: no DISTINCT, ORDER BY, OFFSET, aggregate, FILTER, property path, GRAPH or second pattern
    can make it read more than that, so a row limit bounds its cost. A variable used twice in the pattern
    (`?x ?p ?x`) is a filter the index cannot apply, which may read the whole graph: False. Anything else, however
    simple, is False (so is such a query with a `{` in a string or comment, or a prologue `query_form` does not
    read quickly)."""
    if text.count("{") != 1:
        return False
    form = _form_after_prologue(text)
    if form is None or form[0] != "SELECT":
        return False
    body = body_tokens(text)
    letters = "".join(_token_letter(token) for token in body)
    if SINGLE_PATTERN_SELECT.fullmatch(letters) is None:
        return False
    pattern = [token.text[1:] for token in body if token.kind == "var" and token.depth == 1]
    return len(pattern) == len(set(pattern))


def _token_letter(token: Token) -> str:
    """v: a variable; t: an IRI, prefixed name, `a` or plain string; n: a number; S, W, L: SELECT, WHERE, LIMIT;
    `{ } . *` as they are; `?` for anything else."""
    if token.kind in ("var", "number"):
        return token.kind[0]
    if token.kind in ("iri", "string") or (token.kind == "name" and ":" in token.text):
        return "t"
    if token.kind == "name":
        return _KEYWORD_LETTERS.get(token.text.upper(), "?")
    return token.text if token.text in "{}.*" else "?"

"""What counts as a secret, and how one is hidden wherever it could be shown or kept.

One `Redactor` knows the keys this process uses (`REDACTOR`; `remember` adds one) and masks
each of them in every spelling a server, a proxy or a log could give it: as is, in any letter
case, JSON `\\u`-escaped (every character or some), percent-encoded, hex, base64 or base64url
at each of the three alignments inside a longer encoded text (so `Basic user:key` too), and,
in bytes, UTF-16. A stream is redacted piece by piece (`stream()`): a key cut across two pieces
is still found, and only a tail that could be the start of a key's spelling is held back.
"""

from __future__ import annotations

import base64
import logging
import re
import traceback
from collections.abc import Callable, Iterable
from functools import cached_property, lru_cache
from typing import Any, AnyStr, Generic, cast

# Headers that carry a credential: never kept in a preset or the history, never typed into the
# window, shown masked. The one list for requests and for what a response view displays; names
# that merely look like a credential's are caught by `_CREDENTIAL_PART` below.
SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "api-key", "x-api-key", "cookie", "set-cookie"}
)
# A part of a header's name that names a credential: X-Baseten-Key, X-Auth-Token, X-ApiKey,
# X-Client-Secret… A whole part only: X-RateLimit-Remaining-Tokens, Keep-Alive,
# WWW-Authenticate and X-Baseten-Request-Id say nothing secret.
_CREDENTIAL_PART = re.compile(
    r"(?:^|[-_.])(?:[a-z0-9]*(?:key|token|secret|password|passwd|credentials?)"
    r"|auth|authn|authz|authorization|cookie)(?=$|[-_.])"
)
# Named like a credential, and not one: the request's own idempotency token.
_NOT_SECRET = frozenset({"idempotency-key", "x-idempotency-key"})

MIN_KEY_LENGTH = 8  # shorter "keys" are too likely to be words to mask everywhere


def mask(key: str) -> str:
    """How a key is shown anywhere: its last four characters at most."""
    return "••••" + key[-4:] if len(key) > 8 else "••••"


def is_secret_header(name: str, value: str = "") -> bool:
    """A header that carries a credential: by its name, or by a value holding a key in use."""
    lowered = name.strip().lower()
    if lowered in SECRET_HEADERS:
        return True
    if lowered not in _NOT_SECRET and _CREDENTIAL_PART.search(lowered):
        return True
    return len(value) >= MIN_KEY_LENGTH and REDACTOR.finds(value)


# --- the spellings of a key ----------------------------------------------------------------------
# A spelling is a sequence of units; a unit, the strings one character may be written as.

Unit = tuple[str, ...]
Spelling = tuple[Unit, ...]


def _unit(char: str) -> Unit:
    """`char` in either case, and each case JSON-escaped (once, or twice: JSON quoted in a JSON
    string) or percent-encoded, the hex in either case: `\\u004c`, `\\\\u004C`, `%4c`, `%4C`."""
    out: list[str] = []
    for case in (char, char.lower(), char.upper()):
        utf16 = case.encode("utf-16-be")
        code_units = [utf16[i : i + 2].hex() for i in range(0, len(utf16), 2)]
        out.append(case)
        for digits in (str.lower, str.upper):
            for escape in ("\\u", "\\\\u"):
                out.append("".join(escape + digits(unit) for unit in code_units))
            out.append("".join("%" + digits(f"{byte:02x}") for byte in case.encode()))
        if case in '/"\\':
            out.append("\\" + case)  # JSON's short escapes
    return tuple(dict.fromkeys(out))


def base64_cores(raw: bytes) -> list[str]:
    """What base64 (and base64url) of `prefix + raw + suffix` always holds, whatever follows and
    whatever the prefix's length modulo 3 (`Basic user:` before a key, say)."""
    cores: list[str] = []
    for pad in range(3):
        encoded = base64.b64encode(b"\0" * pad + raw).decode()
        core = encoded[-(-pad * 8 // 6) : (pad + len(raw)) * 8 // 6]  # characters of `raw` alone
        cores += [core, core.replace("+", "-").replace("/", "_")]
    return list(dict.fromkeys(cores))


def spellings(key: str) -> list[Spelling]:
    """Every spelling of `key` a text can hold."""
    raw = key.encode()
    return [
        tuple(_unit(c) for c in key),
        tuple((h, h.upper()) if h.isalpha() else (h,) for h in raw.hex()),
        *(tuple((c,) for c in core) for core in base64_cores(raw)),
    ]


def _byte_spellings(key: str) -> list[Spelling]:
    """The spellings of `key` in bytes (each byte a latin-1 character), UTF-16 added."""

    def latin1(text: str) -> str:
        return text.encode().decode("latin-1")

    found = [tuple(tuple(latin1(a) for a in unit) for unit in s) for s in spellings(key)]
    for codec in ("utf-16-le", "utf-16-be"):
        wide = key.encode(codec).decode("latin-1")
        found.append(tuple((wide[i : i + 2],) for i in range(0, len(wide), 2)))
    return found


# --- finding them --------------------------------------------------------------------------------


class _Matcher:
    """Some keys' spellings compiled, for str or (`as_bytes`) for bytes: `pattern` finds them;
    `partial` finds, anchored at the end, a start of one that is not yet all of it."""

    def __init__(self, keys: tuple[str, ...], as_bytes: bool) -> None:
        def convert(text: str) -> Any:
            return text.encode("latin-1") if as_bytes else text

        self._convert = convert
        branches: dict[str, list[str]] = {}  # by first character: a position is tried once
        partials: dict[str, list[str]] = {}
        self._keys: list[tuple[str, Any]] = []  # each key's own regex, its mask
        self._own: list[tuple[re.Pattern[Any], Any]] = []  # compiled when first needed
        self.longest, self.shortest = 0, 1 << 30
        for key in keys:
            own: dict[str, list[str]] = {}
            found = _byte_spellings(key) if as_bytes else spellings(key)
            for spelling in found:
                rest = "".join(_alternation(unit) for unit in spelling[1:])
                for first, tails in _by_first(spelling[0]).items():
                    own.setdefault(first, []).append(_alternation(tails) + rest)
                for first, rests in _partial(spelling, escapes=spelling is found[0]).items():
                    partials.setdefault(first, []).extend(rests)
                self.longest = max(self.longest, sum(max(map(len, u)) for u in spelling))
                self.shortest = min(self.shortest, sum(min(map(len, u)) for u in spelling))
            for first, rests in own.items():
                branches.setdefault(first, []).extend(rests)
            self._keys.append((_trie(own), mask(key).encode() if as_bytes else mask(key)))
        self.pattern: re.Pattern[Any] = re.compile(convert(_trie(branches)))
        self._partial = f"(?:{_trie(partials)})\\Z"

    @cached_property
    def partial(self) -> re.Pattern[Any]:
        """Compiled when a stream first needs it: redacting a whole text never does."""
        return re.compile(self._convert(self._partial))

    def sub(self, text: Any) -> Any:
        return self.pattern.sub(self.replace, text)

    def replace(self, match: re.Match[Any]) -> Any:
        if len(self._keys) == 1:
            return self._keys[0][1]
        if not self._own:  # which key it was: rare enough to compile for only when it happens
            self._own = [(re.compile(self._convert(own)), masked) for own, masked in self._keys]
        found = match.group()
        return next(masked for own, masked in self._own if own.fullmatch(found))

    def held_from(self, text: Any, start: int) -> int:
        """Where the tail of `text` starts that could begin a spelling but holds none whole;
        `len(text)` when nothing need wait for what comes next."""
        found = self.partial.search(text, max(start, len(text) - self.longest + 1))
        return len(text) if found is None else found.start()


def _trie(branches: dict[str, list[str]]) -> str:
    return "|".join(
        re.escape(first) + "(?:" + "|".join(rests) + ")" for first, rests in branches.items()
    )


def _alternation(options: Iterable[str]) -> str:
    """A regex for any of `options`, as a trie: at each character the engine tries one branch
    per distinct next character, not one per option."""
    options = set(options)
    optional = "" in options
    singles = sorted(o for o in options if len(o) == 1)
    longer: dict[str, list[str]] = {}
    for option in sorted(o for o in options if len(o) > 1):
        longer.setdefault(option[0], []).append(option[1:])
    parts = [re.escape(first) + _alternation(rests) for first, rests in longer.items()]
    if len(singles) == 1:
        parts.insert(0, re.escape(singles[0]))
    elif singles:
        parts.insert(0, "[" + "".join(map(re.escape, singles)) + "]")
    if not parts:
        return ""
    if len(parts) == 1 and not optional and (len(singles) == 1 or not longer):
        return parts[0]
    return "(?:" + "|".join(parts) + ")" + ("?" if optional else "")


# The regex engine nests no deeper than a few hundred groups: past this many units a spelling's
# start is matched by its first units alone (which holds back more than needed, never less).
_DEEPEST = 120
# Past its first character, a spelling that may be escaped is matched loosely for holding back:
# any escape stands for any ASCII character (smaller, quicker to compile; never holds back less).
_ESCAPE = r'\\{1,2}u[0-9A-Fa-f]{4}|%[0-9A-Fa-f]{2}|\\[/"\\]'
_PART_OF_ESCAPE = r"\\{1,2}(?:u[0-9A-Fa-f]{0,3})?|%[0-9A-Fa-f]?"


def _partial(spelling: Spelling, *, escapes: bool) -> dict[str, list[str]]:
    """Regexes for a start of `spelling` that is not all of it (units whole, then part of one),
    by their first character."""
    units = spelling[:_DEEPEST]
    inner = ""  # what may follow unit i whole, as i goes down to 1; "" for nothing
    for i in reversed(range(1, len(units))):
        alts = units[i]
        loose = escapes and all((len(a) == 1 and a.isascii()) or a[0] in "\\%" for a in alts)
        if loose:
            alts = tuple(a for a in alts if len(a) == 1)  # the character as it is
        whole = _alternation(alts)
        part = _alternation({alt[:k] for alt in alts for k in range(1, len(alt))})
        if loose:
            whole = f"(?:{whole}|{_ESCAPE})"
            part = f"{part}|{_PART_OF_ESCAPE}" if part else _PART_OF_ESCAPE
        if i == len(spelling) - 1:
            follows = ""  # the last unit whole is the whole spelling: not a start
        elif i == len(units) - 1:
            follows = whole + "(?s:.*)"  # cut short: anything after its first units
        else:
            follows = whole + (f"(?:{inner})?" if inner else "")
        inner = "|".join(x for x in (part, follows) if x)
    out: dict[str, list[str]] = {}
    for first, tails in _by_first(spelling[0]).items():
        parts = {tail[:k] for tail in tails for k in range(len(tail))}  # this unit, not all of it
        rests = [_alternation(parts)] if parts else []
        if len(spelling) > 1:
            rests.append(_alternation(tails) + (f"(?:{inner})?" if inner else ""))
        out[first] = rests
    return out


def _by_first(unit: Unit) -> dict[str, set[str]]:
    """The spellings of a unit by their first character: what may follow it."""
    out: dict[str, set[str]] = {}
    for alt in unit:
        out.setdefault(alt[0], set()).add(alt[1:])
    return out


@lru_cache(maxsize=16)
def _compiled(keys: tuple[str, ...], as_bytes: bool) -> _Matcher:
    return _Matcher(keys, as_bytes)


class Redactor:
    """Masks the keys it knows, in every spelling (see the module's docstring), in text, bytes,
    JSON values and streams. Keys shorter than MIN_KEY_LENGTH are left alone."""

    def __init__(self, keys: Iterable[str] = ()) -> None:
        self._keys: tuple[str, ...] = ()
        self._matchers: dict[bool, tuple[tuple[str, ...], _Matcher]] = {}
        for key in keys:
            self.add(key)

    @property
    def keys(self) -> tuple[str, ...]:
        return self._keys

    def replace_keys(self, keys: Iterable[str]) -> None:
        """Know exactly `keys` from now on (tests start each with none)."""
        self._keys = ()
        for key in keys:
            self.add(key)

    def add(self, key: str) -> None:
        key = key.strip()
        if len(key) >= MIN_KEY_LENGTH and key not in self._keys:
            self._keys = (*self._keys, key)

    def matcher(self, *, as_bytes: bool) -> _Matcher | None:
        keys = self._keys  # once: another thread may add a key meanwhile
        if not keys:
            return None
        cached = self._matchers.get(as_bytes)
        if cached is None or cached[0] is not keys:  # a stream asks once per piece: be quick
            cached = self._matchers[as_bytes] = (keys, _compiled(keys, as_bytes))
        return cached[1]

    def text(self, text: str) -> str:
        matcher = self.matcher(as_bytes=False)
        return text if matcher is None else str(matcher.sub(text))

    def data(self, data: bytes) -> bytes:
        matcher = self.matcher(as_bytes=True)
        return data if matcher is None else bytes(matcher.sub(data))

    def finds(self, text: str | bytes) -> bool:
        matcher = self.matcher(as_bytes=isinstance(text, bytes))
        return matcher is not None and matcher.pattern.search(text) is not None

    def value(self, value: Any) -> Any:
        """A JSON value with every string in it redacted."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list | tuple):
            return type(value)(self.value(v) for v in value)
        if isinstance(value, dict):
            return {self.value(k): self.value(v) for k, v in value.items()}
        return value

    def stream(self) -> StreamRedactor[str]:
        return StreamRedactor(self, "")

    def data_stream(self) -> StreamRedactor[bytes]:
        return StreamRedactor(self, b"")


class StreamRedactor(Generic[AnyStr]):
    """One stream redacted piece by piece: what `feed` and `end` return, joined, is the whole
    stream redacted at once. Only a tail that could be the start of a key's spelling waits."""

    def __init__(self, redactor: Redactor, empty: AnyStr) -> None:
        self._redactor = redactor
        self._held: AnyStr = empty
        self._as_bytes = isinstance(empty, bytes)
        self._keys: tuple[str, ...] | None = None
        self._matcher: _Matcher | None = None

    def feed(self, piece: AnyStr) -> AnyStr:
        """What can be let go of the stream so far; this runs once per token of a chat."""
        text = self._held + piece if self._held else piece
        if self._redactor.keys is not self._keys:
            self._keys = self._redactor.keys
            self._matcher = self._redactor.matcher(as_bytes=self._as_bytes)
        matcher = self._matcher
        if matcher is None:
            self._held = text[:0]
            return text
        if len(text) < matcher.shortest:  # no room for a whole spelling: only the start of one
            # Once per token of a chat: inline, and nothing held is the usual answer.
            begun = matcher.partial.search(text, max(0, len(text) - matcher.longest + 1))
            if begun is None:
                if self._held:
                    self._held = text[:0]
                return text
            hold = begun.start()
            self._held = text[hold:]
            return text[:hold]
        out: list[AnyStr] = []
        pos = 0
        while True:
            hold = matcher.held_from(text, pos)
            found = matcher.pattern.search(text, pos)
            if found is None or found.start() >= hold:
                self._held = text[hold:]
                if pos == 0:
                    return text[:hold]
                out.append(text[pos:hold])
                return text[:0].join(out)
            out += [text[pos : found.start()], cast(AnyStr, matcher.replace(found))]
            pos = found.end()

    def end(self) -> AnyStr:
        """What was held back, now that nothing follows."""
        text, self._held = self._held, self._held[:0]
        matcher = self._redactor.matcher(as_bytes=self._as_bytes)
        return text if matcher is None else cast(AnyStr, matcher.sub(text))


# --- the keys this process uses --------------------------------------------------------------------

REDACTOR = Redactor()


def remember(key: str) -> None:
    """From now on `key` is masked wherever the app shows, writes or logs something."""
    REDACTOR.add(key)
    if REDACTOR.keys:
        _redact_logs()


class LogRedactor(logging.Filter):
    """Masks the keys in a record's message and traceback (a record is changed, never dropped)."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.redactor.keys:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format is the handler's to report
            return True
        clean = self.redactor.text(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            text = "".join(traceback.format_exception(*record.exc_info)).removesuffix("\n")
            if self.redactor.finds(text):
                record.exc_text = self.redactor.text(text)
        if record.stack_info:
            record.stack_info = self.redactor.text(record.stack_info)
        return True


def _redact_logs() -> None:
    """Every log record, from any logger (httpx's quotes what a server says), passes the filter
    as it is made: a filter on a logger or handler would miss the ones others add."""
    previous = logging.getLogRecordFactory()
    if isinstance(getattr(previous, "__self__", None), _RedactingFactory):
        return
    logging.setLogRecordFactory(_RedactingFactory(previous, LogRedactor(REDACTOR)).make)


class _RedactingFactory:
    def __init__(self, previous: Callable[..., logging.LogRecord], log_filter: LogRedactor) -> None:
        self.previous = previous
        self.log_filter = log_filter

    def make(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.previous(*args, **kwargs)
        self.log_filter.filter(record)
        return record

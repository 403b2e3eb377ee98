"""The Redactor: every spelling of a key masked, in text, bytes, JSON values and streams cut
anywhere; ordinary text left alone; only what could begin a key held back in a stream."""

from __future__ import annotations

import base64
import json
import logging
import random
from pathlib import Path

import pytest

from playground.core.secrets import (
    MIN_KEY_LENGTH,
    REDACTOR,
    LogRedactor,
    Redactor,
    is_secret_header,
    mask,
    remember,
)
from playground.emulator.behaviours import huge_json

KEY = "pgLEAK-5nX8qZ2vR7wK4mT9bY3cH6jD"
OTHER = "sk_live+Abc/def=0123456789"  # base64's own characters, and JSON's `\/`
MASKED = mask(KEY)


def escaped(text: str, every: int = 1, upper: bool = False) -> str:
    """JSON `\\u` escapes for every `every`-th character."""
    return "".join(
        (f"\\u{ord(c):04X}" if upper else f"\\u{ord(c):04x}") if i % every == 0 else c
        for i, c in enumerate(text)
    )


def percent(text: str, upper: bool = True) -> str:
    return "".join((f"%{b:02X}" if upper else f"%{b:02x}") for b in text.encode())


def b64(prefix: bytes, key: str, suffix: bytes = b"", url: bool = False) -> str:
    encode = base64.urlsafe_b64encode if url else base64.b64encode
    return encode(prefix + key.encode() + suffix).decode()


SPELLINGS = {
    "as is": KEY,
    "upper case": KEY.upper(),
    "lower case": KEY.lower(),
    "case swapped": KEY.swapcase(),
    "JSON-escaped": escaped(KEY),
    "JSON-escaped, upper-case hex": escaped(KEY, upper=True),
    "JSON-escaped in part": escaped(KEY, every=3),
    "JSON-escaped, upper case": escaped(KEY.upper(), every=2),
    "JSON-escaped twice (JSON in a JSON string)": json.dumps(escaped(KEY))[1:-1],
    "percent-encoded": percent(KEY),
    "percent-encoded, lower-case hex": percent(KEY, upper=False),
    "percent-encoded in part": "".join(percent(c) if i % 2 else c for i, c in enumerate(KEY)),
    "escapes mixed": "".join((escaped(c), percent(c), c)[i % 3] for i, c in enumerate(KEY)),
    "hex": KEY.encode().hex(),
    "HEX": KEY.encode().hex().upper(),
    **{f"base64 after {n} bytes": b64(b"x" * n, KEY, b"tail") for n in range(3)},
    **{f"base64url after {n} bytes": b64(b"\xfb" * n, KEY, b"\xff", url=True) for n in range(3)},
    **{f"Basic, a user of {n}": "Basic " + b64(b"u" * n + b":", KEY) for n in range(6)},
    "Bearer in base64": b64(b"Authorization: Bearer ", KEY),
}


@pytest.fixture
def redactor() -> Redactor:
    return Redactor([KEY])


@pytest.mark.parametrize("name", SPELLINGS)
def test_each_spelling_is_masked_in_text_and_in_bytes(redactor: Redactor, name: str) -> None:
    spelt = SPELLINGS[name]
    text = f"before «{spelt}» after"
    clean = redactor.text(text)
    assert MASKED in clean
    assert clean.startswith("before «")
    assert clean.endswith("» after")
    assert redactor.finds(text)
    assert redactor.data(text.encode()) == clean.encode()
    assert redactor.finds(text.encode())


def test_a_masked_text_keeps_nothing_of_the_key_but_its_last_four(redactor: Redactor) -> None:
    """What is left around a base64 spelling is the few characters shared with its neighbours."""
    for spelt in SPELLINGS.values():
        clean = redactor.text(spelt)
        assert not Redactor([KEY[:12]]).finds(clean), (spelt, clean)
        assert not Redactor([KEY[-12:]]).finds(clean), (spelt, clean)


@pytest.mark.parametrize("pad", range(3))
def test_base64_and_base64url_differ_and_both_are_masked(pad: int) -> None:
    """A key whose base64 holds `+` and `/`: base64url writes `-` and `_` there instead."""
    key = "pg>>>?LEAK~~~?0123"
    redactor = Redactor([key])
    plain, url = b64(b"x" * pad, key, b"!"), b64(b"x" * pad, key, b"!", url=True)
    assert plain != url
    for encoded in (plain, url):
        assert mask(key) in redactor.text(encoded), encoded


def test_utf16_in_bytes_and_json_short_escapes() -> None:
    redactor = Redactor([KEY, OTHER])
    for data in (KEY.encode("utf-16-le"), KEY.encode("utf-16-be")):
        assert redactor.data(b"<" + data + b">") == b"<" + MASKED.encode() + b">"
    assert redactor.text(OTHER.replace("/", "\\/")) == mask(OTHER)  # JSON may write / as \/


def test_every_key_is_masked_with_its_own_last_four() -> None:
    redactor = Redactor([KEY, OTHER, KEY])
    assert redactor.keys == (KEY, OTHER)
    assert redactor.text(f"{OTHER.upper()} and {KEY}") == f"{mask(OTHER)} and {MASKED}"


def test_ordinary_text_is_left_alone(redactor: Redactor) -> None:
    rng = random.Random(7)
    noise = bytes(rng.getrandbits(8) for _ in range(200_000))
    samples = [
        huge_json(300_000),
        base64.b64encode(noise),
        noise.hex().encode(),
        (Path(__file__).parents[2] / "playground" / "core" / "secrets.py").read_bytes(),
        noise,
        json.dumps({"pg": "pgLEAK-5nX8", "tail": KEY[10:], "masked": MASKED}).encode(),
    ]
    for sample in samples:
        assert redactor.data(sample) == sample
        assert not redactor.finds(sample)
    text = samples[0].decode()
    assert redactor.text(text) == text


def test_a_short_key_is_never_masked() -> None:
    """Keys shorter than 8 characters are too likely to be words: they are not taken at all."""
    short = "pa55wd7"
    assert len(short) == MIN_KEY_LENGTH - 1
    redactor = Redactor([short, "", "  "])
    assert redactor.keys == ()
    assert redactor.text(f"my {short} is here") == f"my {short} is here"
    shortest = Redactor(["pa55wd78"])
    assert shortest.text("my pa55wd78, or PA55WD78") == "my ••••, or ••••"
    assert shortest.text(b64(b"", "pa55wd78")).startswith("••••")  # then what `=` pads


def test_json_values_are_masked_wherever_a_string_is(redactor: Redactor) -> None:
    value = {"a": [KEY, 1, None, {"b": escaped(KEY)}], KEY: (KEY.upper(), 2.5)}
    assert redactor.value(value) == {"a": [MASKED, 1, None, {"b": MASKED}], MASKED: (MASKED, 2.5)}


# --- streams ---------------------------------------------------------------------------------------

STREAM = "A line.\n" + "".join(f"<{spelt}> " for spelt in SPELLINGS.values()) + "The end"


def test_a_stream_cut_at_any_point_reads_as_the_whole_redacted(redactor: Redactor) -> None:
    whole = redactor.text(STREAM)
    assert KEY not in whole
    for cut in range(len(STREAM) + 1):
        stream = redactor.stream()
        pieces = [stream.feed(STREAM[:cut]), stream.feed(STREAM[cut:]), stream.end()]
        assert "".join(pieces) == whole, cut


def test_bytes_cut_at_any_point_read_as_the_whole_redacted(redactor: Redactor) -> None:
    data = STREAM.encode() + KEY.encode("utf-16-le")
    whole = redactor.data(data)
    for cut in range(len(data) + 1):
        stream = redactor.data_stream()
        assert stream.feed(data[:cut]) + stream.feed(data[cut:]) + stream.end() == whole, cut


def test_a_stream_in_many_small_pieces_reads_as_the_whole_redacted() -> None:
    redactor = Redactor([KEY, OTHER])
    text = STREAM + f" then {OTHER} and {escaped(OTHER, every=2)}."
    whole = redactor.text(text)
    rng = random.Random(3)
    for _ in range(200):
        cuts = sorted(rng.sample(range(1, len(text)), rng.randint(1, 40)))
        stream = redactor.stream()
        out = [stream.feed(text[a:b]) for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
        assert "".join(out) + stream.end() == whole


def test_a_stream_holds_back_only_what_could_begin_a_key(redactor: Redactor) -> None:
    stream = redactor.stream()
    assert stream.feed("Nothing here could start one.") == "Nothing here could start one."
    assert stream.feed("a plain sentence, ending in a p") == "a plain sentence, ending in a "
    assert stream.feed("izza") == "pizza"  # no longer the start of the key: let go
    assert stream.feed("the key is pgLEAK-5n") == "the key is "
    assert stream.feed("X8qZ2vR7wK4mT9bY3cH6jD!") == f"{MASKED}!"
    assert stream.feed("50% off, \\") == "50% off, "
    assert stream.feed("n and %") == "\\n and "
    assert stream.feed("20") == "%20"
    assert stream.feed(" ends") == " ends"
    assert stream.end() == ""
    assert stream.feed("pgLEAK") == ""
    assert stream.end() == "pgLEAK"  # the end: what was held back is let go as it is


def test_with_no_key_known_nothing_waits() -> None:
    stream = Redactor().stream()
    assert stream.feed("pgLEAK-") == "pgLEAK-"
    assert Redactor().text(KEY) == KEY


# --- headers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Authorization",
        "proxy-authorization",
        "Api-Key",
        "X-Api-Key",
        "X-Baseten-Key",
        "x-apikey",
        "X-Auth-Token",
        "X-Access-Token",
        "X-Client-Secret",
        "X-Amz-Security-Token",
        "X-Password",
        "Cookie",
        "Set-Cookie",
        "X-Auth",
        "x_api_key",
    ],
)
def test_a_header_named_like_a_credential_is_secret(name: str) -> None:
    assert is_secret_header(name)


@pytest.mark.parametrize(
    "name",
    [
        "X-Baseten-Request-Id",
        "X-Baseten-Model-Id",
        "X-RateLimit-Remaining-Tokens",
        "Keep-Alive",
        "WWW-Authenticate",
        "X-Idempotency-Key",
        "Content-Type",
        "X-Trace",
        "X-Emulator-Fault",
        "X-Keyboard-Layout",
        "X-Tokens-Used",
    ],
)
def test_a_harmless_header_is_not(name: str) -> None:
    assert not is_secret_header(name, "some value")


def test_a_header_whose_value_holds_a_key_in_use_is_secret() -> None:
    assert not is_secret_header("X-Trace", KEY)  # not a key in use
    REDACTOR.add(KEY)
    assert is_secret_header("X-Trace", KEY)
    assert is_secret_header("X-Forwarded-For", f"Basic {b64(b'me:', KEY)}")
    assert not is_secret_header("X-Trace", "t-1")


# --- logs ----------------------------------------------------------------------------------------


def test_a_key_in_use_never_reaches_a_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    log = logging.getLogger("tests.secrets")
    log.info("before any key: %s", "plain")
    remember(KEY)
    log.info("a server said %s", KEY.lower())
    log.info(f"in the message itself: {escaped(KEY)}")
    try:
        raise ValueError(f"refused {KEY}")
    except ValueError:
        log.exception("it failed")
    assert "a server said " + MASKED in caplog.text
    assert "in the message itself: " + MASKED in caplog.text
    assert f"ValueError: refused {MASKED}" in caplog.text
    assert not Redactor([KEY]).finds(caplog.text)
    broken = logging.LogRecord("x", logging.INFO, __file__, 1, "%d", ("not a number",), None)
    assert LogRedactor(REDACTOR).filter(broken)  # a bad format is left for logging to report

"""The JSON-aware diff (paths, kinds, order, types), the word diff of text, and percentiles."""

from __future__ import annotations

import pytest

from playground.core.compare.diff import (
    Change,
    json_diff,
    similarity,
    summarize,
    text_diff,
    text_summary,
    words,
)
from playground.core.compare.results import Spread, percentile


def test_identical_values_have_no_changes_and_say_so() -> None:
    value = {"choices": [{"text": "hi", "index": 0}], "usage": {"total": 3}}
    assert json_diff(value, {**value}) == []
    assert summarize([]) == "identical"


def test_paths_point_into_objects_and_lists() -> None:
    a = {"choices": [{"text": "hello", "index": 0}], "id": "x"}
    b = {"choices": [{"text": "hullo", "index": 0}], "id": "x"}
    assert json_diff(a, b) == [Change("$.choices[0].text", "changed", "hello", "hullo")]


def test_added_removed_and_changed_in_document_order() -> None:
    a = {"label": "positive", "score": 0.9, "debug": {"hits": 2}}
    b = {"label": "POSITIVE", "score": 0.9, "model_version": "v2", "scores": [0.1]}
    changes = json_diff(a, b)
    assert [(c.path, c.kind) for c in changes] == [
        ("$.label", "changed"),
        ("$.debug", "removed"),
        ("$.model_version", "added"),
        ("$.scores", "added"),
    ]
    assert summarize(changes) == "4 differences: 2 added, 1 removed, 1 changed"
    assert [c.describe() for c in changes] == [
        '$.label changed: "positive" → "POSITIVE"',
        '$.debug removed (was {"hits": 2})',
        '$.model_version added: "v2"',
        "$.scores added: [0.1]",
    ]


def test_lists_are_compared_by_index() -> None:
    changes = json_diff([1, 2, 3], [1, 5])
    assert changes == [Change("$[1]", "changed", 2, 5), Change("$[2]", "removed", old=3)]
    assert json_diff([], [{"a": 1}]) == [Change("$[0]", "added", new={"a": 1})]


def test_a_type_change_is_a_change_even_when_python_calls_them_equal() -> None:
    assert json_diff({"n": 1}, {"n": True}) == [Change("$.n", "changed", 1, True)]
    assert (
        json_diff({"n": 1}, {"n": "1"})[0].describe() == '$.n changed from number 1 to string "1"'
    )
    assert json_diff({"o": {}}, {"o": []})[0].kind == "changed"
    assert json_diff({"o": None}, {"o": {}})[0].describe() == "$.o changed from null to object {}"
    # JSON has one number type.
    assert json_diff({"n": 1}, {"n": 1.0}) == []


def test_keys_that_are_not_identifiers_are_quoted() -> None:
    changes = json_diff({"a b": 1, "ü": {"x-y": 1}}, {"a b": 2, "ü": {"x-y": 2}})
    assert [c.path for c in changes] == ['$["a b"]', '$["ü"]["x-y"]']


def test_long_values_are_cut_in_the_description() -> None:
    change = json_diff({"t": "a" * 200}, {"t": "b"})[0]
    assert len(change.describe()) < 100
    assert change.describe().endswith('"b"')
    assert change.old == "a" * 200  # the change itself keeps the whole value


def test_change_to_dict_leaves_out_the_missing_side() -> None:
    assert Change("$.a", "added", new=1).to_dict() == {"path": "$.a", "kind": "added", "new": 1}
    assert Change("$.a", "removed", old=1).to_dict() == {"path": "$.a", "kind": "removed", "old": 1}


def test_words_join_back_to_the_text() -> None:
    text = "Hello, wörld!  Two\nlines 🙂 and 3.5 tokens"
    assert "".join(words(text)) == text
    assert "wörld" in words(text)


def test_text_diff_is_word_level_and_reconstructs_both_sides() -> None:
    a = "The quick brown fox jumps over the lazy dog."
    b = "The quick red fox leaps over the lazy dog!"
    ops = text_diff(a, b)
    assert "".join(op.old for op in ops) == a
    assert "".join(op.new for op in ops) == b
    changed = [(op.kind, op.old, op.new) for op in ops if op.kind != "equal"]
    assert changed == [
        ("replace", "brown", "red"),
        ("replace", "jumps", "leaps"),
        ("replace", ".", "!"),
    ]
    assert text_summary(ops) == "3 changed passages: 3 replaced"
    assert 0.5 < similarity(ops) < 1.0


def test_text_diff_of_equal_texts_says_identical() -> None:
    ops = text_diff("same words", "same words")
    assert [op.kind for op in ops] == ["equal"]
    assert text_summary(ops) == "identical"
    assert similarity(ops) == 1.0
    assert similarity(text_diff("", "")) == 1.0


def test_text_diff_inserts_and_deletes() -> None:
    ops = text_diff("a b", "a b c")
    assert [(op.kind, op.new) for op in ops if op.kind != "equal"] == [("insert", " c")]
    ops = text_diff("a b c", "a c")
    assert [(op.kind, op.old) for op in ops if op.kind != "equal"] == [("delete", "b ")]
    assert text_summary(ops) == "1 changed passage: 1 deleted"


def test_percentile_interpolates_between_ranks() -> None:
    values = [float(v) for v in range(1, 11)]
    assert percentile(values, 50) == pytest.approx(5.5)
    assert percentile(values, 95) == pytest.approx(9.55)
    assert percentile(values, 0) == 1.0
    assert percentile(values, 100) == 10.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0  # unsorted input
    assert percentile([0.7], 95) == 0.7


def test_percentile_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentile([1.0], 101)


def test_spread_skips_missing_values() -> None:
    assert Spread.of([None, 2.0, 4.0]) == Spread(2, 3.0, pytest.approx(3.9))
    assert Spread.of([None]) == Spread()

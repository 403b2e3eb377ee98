"""Structured outputs on the local server: JSON generated from the schema, valid against it."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator

from playground.emulator import demo
from tests.emulator.helpers import FAULT, chat_body, chunks_of, model_path, sse_data

CHAT = model_path(demo.CHAT) + "/sync/v1/chat/completions"
REASONER = model_path(demo.REASONER) + "/sync/v1/chat/completions"
FAST = {FAULT: "delay=0"}

ADDRESS = {
    "type": "object",
    "properties": {
        "street": {"type": "string", "minLength": 3},
        "zip": {"type": "string", "pattern": "^[0-9]{5}$"},
        "country": {"enum": ["CH", "FR", "DE"]},
    },
    "required": ["street", "zip", "country"],
    "additionalProperties": False,
}

SCHEMAS: dict[str, dict[str, Any]] = {
    "flat": {
        "type": "object",
        "properties": {"answer": {"type": "string"}, "confidence": {"type": "number"}},
        "required": ["answer", "confidence"],
        "additionalProperties": False,
    },
    "nested": {
        "type": "object",
        "properties": {
            "person": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "maxLength": 12},
                    "age": {"type": "integer", "minimum": 18, "maximum": 99},
                    "address": ADDRESS,
                },
                "required": ["name", "age", "address"],
                "additionalProperties": False,
            }
        },
        "required": ["person"],
        "additionalProperties": False,
    },
    "arrays": {
        "type": "object",
        "properties": {
            "tags": {
                "type": "array",
                "items": {"type": "string"},
                "minItems": 2,
                "maxItems": 4,
                "uniqueItems": True,
            },
            "matrix": {
                "type": "array",
                "items": {"type": "array", "items": {"type": "integer"}, "minItems": 3},
                "minItems": 1,
                "maxItems": 1,
            },
            "pair": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "boolean"}]},
        },
        "required": ["tags", "matrix", "pair"],
    },
    "enum_const": {
        "type": "object",
        "properties": {
            "kind": {"const": "report"},
            "level": {"enum": [1, 2, 3]},
            "flag": {"type": "boolean"},
            "nothing": {"type": "null"},
        },
        "required": ["kind", "level", "flag", "nothing"],
        "additionalProperties": False,
    },
    "any_one_of": {
        "type": "object",
        "properties": {
            "value": {"anyOf": [{"type": "string", "format": "email"}, {"type": "integer"}]},
            "shape": {
                "oneOf": [
                    {
                        "type": "object",
                        "properties": {"radius": {"type": "number", "exclusiveMinimum": 0}},
                        "required": ["radius"],
                        "additionalProperties": False,
                    },
                    {"type": "string", "const": "square"},
                ]
            },
            "maybe": {"type": ["string", "null"]},
        },
        "required": ["value", "shape", "maybe"],
    },
    "refs": {
        "$defs": {
            "step": {
                "type": "object",
                "properties": {
                    "explanation": {"type": "string"},
                    "output": {"type": "string"},
                },
                "required": ["explanation", "output"],
                "additionalProperties": False,
            },
            "tree": {
                "type": "object",
                "properties": {
                    "label": {"type": "string"},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/tree"}},
                },
                "required": ["label", "children"],
                "additionalProperties": False,
            },
        },
        "type": "object",
        "properties": {
            "steps": {"type": "array", "items": {"$ref": "#/$defs/step"}, "minItems": 1},
            "final_answer": {"type": "string"},
            "tree": {"$ref": "#/$defs/tree"},
        },
        "required": ["steps", "final_answer", "tree"],
        "additionalProperties": False,
    },
    "numbers_and_formats": {
        "type": "object",
        "properties": {
            "price": {"type": "number", "minimum": 10, "maximum": 20, "multipleOf": 0.5},
            "count": {"type": "integer", "exclusiveMaximum": 0},
            "when": {"type": "string", "format": "date-time"},
            "id": {"type": "string", "format": "uuid"},
            "code": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{2}$"},
        },
        "required": ["price", "count", "when", "id", "code"],
    },
    "required_beyond_properties": {
        "type": "object",
        "properties": {"a": {"type": "string"}},
        "required": ["a", "b"],
        "additionalProperties": {"type": "integer", "maximum": -1},
        "minProperties": 4,
    },
    "all_of": {
        "allOf": [
            {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
            {"properties": {"b": {"type": "integer", "minimum": 5}}, "required": ["b"]},
        ]
    },
    "top_level_array": {
        "type": "array",
        "items": {"$ref": "#/definitions/x"},
        "minItems": 2,
        "definitions": {"x": {"type": "string", "minLength": 2}},
    },
}


def schema_format(schema: dict[str, Any], name: str = "answer") -> dict[str, Any]:
    return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}


@pytest.mark.parametrize("name", sorted(SCHEMAS))
@pytest.mark.parametrize("question", ["What is a cold start?", "Plan a trip to Zürich in May"])
def test_an_answer_is_valid_against_its_schema(
    http: httpx.Client, name: str, question: str
) -> None:
    schema = SCHEMAS[name]
    body = chat_body(question, response_format=schema_format(schema))
    response = http.post(CHAT, json=body, headers=FAST)
    assert response.status_code == 200, response.text
    content = response.json()["choices"][0]["message"]["content"]
    Draft202012Validator(schema).validate(json.loads(content))
    # Deterministic from the prompt: the same question, the same answer.
    again = http.post(CHAT, json=body, headers=FAST).json()["choices"][0]["message"]["content"]
    assert again == content


def test_the_answer_is_generated_from_the_schema_not_fixed(http: httpx.Client) -> None:
    answers = set()
    for question in ("one", "two words", "three little words"):
        body = chat_body(question, response_format=schema_format(SCHEMAS["nested"]))
        answers.add(
            http.post(CHAT, json=body, headers=FAST).json()["choices"][0]["message"]["content"]
        )
    assert len(answers) == 3
    for answer in answers:
        assert set(json.loads(answer)["person"]) == {"name", "age", "address"}


def test_a_streamed_answer_splits_the_json_across_deltas(http: httpx.Client) -> None:
    schema = SCHEMAS["refs"]
    body = chat_body("Solve 8x + 7 = -23", stream=True, response_format=schema_format(schema))
    with http.stream("POST", REASONER, json={**body, "model": "demo-reasoner"}, headers=FAST) as r:
        assert r.status_code == 200
        chunks = chunks_of(sse_data(r.iter_lines()))
    pieces = [c["choices"][0]["delta"].get("content") for c in chunks if c["choices"]]
    pieces = [p for p in pieces if p]
    reasoning = [c["choices"][0]["delta"].get("reasoning_content") for c in chunks]
    assert any(reasoning)
    assert len(pieces) > 5
    Draft202012Validator(schema).validate(json.loads("".join(pieces)))


def test_json_object_is_answered_with_json(http: httpx.Client) -> None:
    body = chat_body("Give me JSON", response_format={"type": "json_object"})
    content = http.post(CHAT, json=body, headers=FAST).json()["choices"][0]["message"]["content"]
    assert isinstance(json.loads(content), dict)


@pytest.mark.parametrize(
    ("response_format", "words"),
    [
        (
            {"type": "json_schema", "json_schema": {"name": "", "schema": {"type": "object"}}},
            "Validation: `response_format.json_schema.name` cannot be empty",
        ),
        (
            schema_format({"type": "objekt"}),
            "Validation: `response_format.json_schema.schema` is not a valid JSON Schema at type:",
        ),
        (
            schema_format({"type": "object", "properties": {"a": {"minLength": -1}}}),
            "is not a valid JSON Schema at properties/a/minLength:",
        ),
        (
            {"type": "json_schema", "json_schema": {"name": "x", "schema": []}},
            "Validation: `response_format.json_schema.schema` must be a JSON object",
        ),
        ({"type": "json_schema"}, "Validation: `response_format.json_schema` is required"),
    ],
)
@pytest.mark.parametrize("streamed", [False, True])
def test_a_malformed_schema_gets_the_engines_400(
    http: httpx.Client, response_format: dict[str, Any], words: str, streamed: bool
) -> None:
    body = chat_body(stream=streamed, response_format=response_format)
    response = http.post(CHAT, json=body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == 400
    assert error["type"] == "Bad Request"
    assert words in error["message"]

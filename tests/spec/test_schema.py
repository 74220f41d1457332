"""The JSON Schema: committed and current, deterministic, complete, and a working validator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from reconciler.protocol import catalogue
from reconciler.spec import paramdoc, schema

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "schemas" / "spec.schema.json"


def test_committed_schema_is_current() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == schema.text(), (
        "schemas/spec.schema.json is stale: run "
        "`.venv/bin/xrt-reconcile schema > schemas/spec.schema.json`"
    )


def test_output_is_deterministic_across_processes() -> None:
    """Hash randomisation or import order must not reorder anything."""
    outputs = set()
    for seed in ("0", "1", "12345"):
        result = subprocess.run(
            [sys.executable, "-c", "from reconciler.spec import schema; print(schema.text(), end='')"],
            capture_output=True, text=True, check=True, cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        outputs.add(result.stdout)
    assert outputs == {schema.text()}


def test_is_a_valid_draft_2020_12_schema() -> None:
    document = schema.json_schema()
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(document)


def _defs() -> dict:
    return schema.json_schema()["$defs"]


@pytest.mark.parametrize("block", ["Defaults", "Template", "Source"])
def test_every_global_parameter_with_type_choices_default_and_description(block: str) -> None:
    properties = _defs()[block]["properties"]
    for name, param in catalogue.GLOBALS.items():
        if name == "name":
            assert "name" not in properties  # the source key is the job name
            continue
        assert properties[name] == paramdoc.json_schema("globals", param)
        assert properties[name]["description"].startswith(param.doc)
        if param.has_default:
            assert properties[name]["default"] == paramdoc.json_value(param.default)
    for product in catalogue.ALL_PRODUCTS:
        assert properties[product]["anyOf"] == [{"$ref": f"#/$defs/{product}"},
                                                {"type": "null"}]
    assert _defs()[block]["additionalProperties"] is False
    assert ("use" in properties) == (block == "Source")
    assert properties["rebuild"]["anyOf"] == [{"$ref": "#/$defs/Rebuild"}, {"type": "null"}]


@pytest.mark.parametrize("product", catalogue.ALL_PRODUCTS)
def test_every_product_parameter(product: str) -> None:
    definition = _defs()[product]
    assert definition["additionalProperties"] is False
    properties = definition["properties"]
    params = catalogue.PRODUCTS[product].params
    aliases = {a: p for p in params.values() for a in p.aliases}
    assert set(properties) == set(params) | set(aliases)
    for name, param in params.items():
        entry = properties[name]
        if param.choices and param.kind is catalogue.Kind.STR:
            assert set(param.choices) <= set(entry["enum"])
        if param.kind is catalogue.Kind.INT:
            assert entry["type"] == "integer"
        if param.kind in (catalogue.Kind.FLOAT, catalogue.Kind.NUMBER):
            assert entry["type"] == "number"
        lo, hi = param.bounds
        assert entry.get("minimum") == lo and entry.get("maximum") == hi
        assert ("default" in entry) == param.has_default
    for alias, param in aliases.items():
        assert properties[alias]["deprecated"] is True
        assert param.name in properties[alias]["description"]


def test_limits_and_durations() -> None:
    limits = _defs()["Limits"]["properties"]
    assert limits["max_active_jobs"]["default"] == 5
    assert limits["submissions_per_minute"]["default"] == 6
    assert limits["poll_interval"]["default"] == "1m"
    pattern = limits["poll_interval"]["pattern"]
    validator = jsonschema.Draft202012Validator({"type": "string", "pattern": pattern})
    assert all(validator.is_valid(text) for text in ("90s", "30d", "0.2s", "1.5m"))
    assert not any(validator.is_valid(text) for text in ("1w", "PT1M", "1.s", ".5s", "-1s"))
    assert limits["max_submissions_per_run"] == {
        "default": 100, "minimum": 1, "type": "integer",
        "description": "A run that would submit more stops before submitting anything unless "
                       "--allow-large."}


@pytest.mark.parametrize(("document", "valid"), [
    ({"version": 1, "sources": {}}, True),
    ({"version": 1, "sources": {"A": {"LightCurve": {"binMeth": "counts", "pcCounts": 20}}}},
     True),
    ({"version": 1, "sources": {"A": {"StandardPos": None, "centroid": 1}}}, True),
    ({"version": 1, "sources": {"A": {"Spectrum": {"models": "apec", "grades": 0}}}}, True),
    ({"version": 2, "sources": {}}, False),
    ({"sources": {}}, False),
    ({"version": 1, "sources": {}, "extra": 1}, False),
    ({"version": 1, "sources": {"A": {"LightCurve": {"pcCount": 20}}}}, False),
    ({"version": 1, "sources": {"A": {"LightCurve": {"binMeth": "count"}}}}, False),
    ({"version": 1, "sources": {"A": {"targ": 30842}}}, False),
    ({"version": 1, "sources": {"A": {"RA": 400.0}}}, False),
    ({"version": 1, "sources": {"A": {"name": "B"}}}, False),
    ({"version": 1, "defaults": {"use": ["x"]}, "sources": {}}, False),
    ({"version": 1, "sources": {"A": {"rebuild": {"max_age": "1w"}}}}, False),
    ({"version": 1, "server": "sim", "sources": {}}, True),
    ({"version": 1, "server": "https://www.swift.ac.uk/user_objects/", "sources": {}}, True),
    ({"version": 1, "server": "http:///x", "sources": {}}, False),
    ({"version": 1, "server": "www.swift.ac.uk", "sources": {}}, False),
])
def test_schema_accepts_and_rejects_like_the_loader(document: dict, valid: bool) -> None:
    validator = jsonschema.Draft202012Validator(schema.json_schema())
    assert validator.is_valid(document) is valid


def test_committed_file_is_plain_json() -> None:
    assert json.loads(COMMITTED.read_text(encoding="utf-8")) == schema.json_schema()

"""The spec's JSON Schema, generated from the models, as deterministic text.

Editors (yaml-language-server) use it to complete and check specs; the committed copy in
``schemas/spec.schema.json`` is compared with this output by the tests, so it cannot go stale.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from . import durations
from .models import Spec

DIALECT = "https://json-schema.org/draft/2020-12/schema"


class _Generator(GenerateJsonSchema):
    """Pydantic's generator without auto titles per field and with spec-style defaults."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        default = self.get_default_value(schema)
        if default is None:  # "not set": the parameter's own schema carries the real default
            return self.generate_inner(schema["schema"])
        if isinstance(default, timedelta):
            inner = self.generate_inner(schema["schema"])
            return {**inner, "default": durations.spell(default)}
        return super().default_schema(schema)


def json_schema() -> dict[str, Any]:
    body = Spec.model_json_schema(schema_generator=_Generator)
    return {"$schema": DIALECT, **body}


def text() -> str:
    """The schema as committed: stable key order, two-space indent, final newline."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"

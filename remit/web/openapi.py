"""The OpenAPI 3.1 description of /api/v1, built from ``remit.datasets``: never by hand."""

from __future__ import annotations

from functools import cache

from ..datasets import INDEX_COLUMNS, RESOURCES, SERIES_COLUMNS, STAT_FILTERS, Column, Filter

_PROBLEM = {"description": "A problem (RFC 9457)",
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def _column_schema(column: Column) -> dict:
    schema: dict = {"type": [column.type, "null"] if column.nullable else column.type,
                    "description": column.description}
    if column.format:
        schema["format"] = column.format
    return schema


def _row_schema(columns: tuple[Column, ...]) -> dict:
    return {"type": "object", "additionalProperties": False,
            "required": [column.name for column in columns],
            "properties": {column.name: _column_schema(column) for column in columns}}


def _parameter(spec: Filter) -> dict:
    schema: dict = {"type": "string"}
    if spec.enum:
        schema["enum"] = list(spec.enum)
    elif spec.type == "boolean":
        schema["enum"] = ["true", "false"]
    elif spec.name in ("since", "until"):
        schema["format"] = "date"
    return {"name": spec.name, "in": "query", "required": False, "description": spec.description,
            "schema": schema}


_CONTROL = [
    {"name": "_size", "in": "query", "required": False, "description": "rows per JSON page (1-1000, default 100)",
     "schema": {"type": "integer", "minimum": 1, "maximum": 1000}},
    {"name": "_next", "in": "query", "required": False, "description": "the cursor of the next page (from `next`)",
     "schema": {"type": "string"}},
    {"name": "_dl", "in": "query", "required": False, "description": "1: download as a file",
     "schema": {"type": "string", "enum": ["1"]}},
]


def _operation(summary: str, columns: tuple[Column, ...], parameters: list[dict], paged: bool,
               fmt: str, schema_name: str) -> dict:
    if fmt == "csv":
        content = {"text/csv": {"schema": {"type": "string"},
                                "example": ",".join(column.name for column in columns) + "\n"}}
    else:
        page = {"type": "object", "required": ["data", "count", "next", "next_url"], "properties": {
            "data": {"type": "array", "items": {"$ref": f"#/components/schemas/{schema_name}"}},
            "count": {"type": "integer"},
            "next": {"type": ["string", "null"], "description": "cursor of the next page, null on the last"},
            "next_url": {"type": ["string", "null"]}}}
        content = {"application/json": {"schema": page}}
    control = _CONTROL[2:] if fmt == "csv" else _CONTROL if paged else []  # CSV: only _dl
    responses = {"200": {"description": summary, "content": content}, "400": _PROBLEM, "404": _PROBLEM,
                 "429": _PROBLEM}
    if fmt == "json":
        responses["304"] = {"description": "Not modified (ETag)"}
    return {"get": {"summary": f"{summary} ({fmt.upper()})", "parameters": parameters + control,
                    "responses": responses}}


@cache
def openapi_document() -> dict:
    """The whole description, as a dict ready for JSON."""
    paths: dict = {}
    schemas: dict = {"Problem": {"type": "object", "required": ["type", "title", "status", "detail"],
                                 "properties": {"type": {"type": "string"}, "title": {"type": "string"},
                                                "status": {"type": "integer"}, "detail": {"type": "string"},
                                                "instance": {"type": "string"}, "parameter": {"type": "string"}}}}
    for resource in RESOURCES.values():
        name = resource.title.replace(" ", "")
        schemas[name] = _row_schema(resource.columns)
        for fmt in ("json", "csv"):
            paths[f"/api/v1/{resource.name}.{fmt}"] = _operation(
                resource.description, resource.columns, [_parameter(f) for f in resource.filters],
                True, fmt, name)
    corridor = {"name": "corridor", "in": "path", "required": True,
                "description": "corridor key, e.g. RUS-TJK", "schema": {"type": "string", "pattern": "^[A-Za-z]{3}-[A-Za-z]{3}$"}}
    schemas["SeriesPoint"] = _row_schema(SERIES_COLUMNS)
    schemas["Index"] = _row_schema(INDEX_COLUMNS)
    for fmt in ("json", "csv"):
        paths[f"/api/v1/series/{{corridor}}.{fmt}"] = _operation(
            "A corridor's statistic per period", SERIES_COLUMNS,
            [corridor] + [_parameter(f) for f in STAT_FILTERS], False, fmt, "SeriesPoint")
        paths[f"/api/v1/indices.{fmt}"] = _operation(
            "Global indices per period", INDEX_COLUMNS, [_parameter(f) for f in STAT_FILTERS[1:]],
            False, fmt, "Index")
    paths["/api/v1/partner/quotes"] = {"post": {
        "summary": "Submit a provider's own price sheet (docs/price-feed.md)",
        "security": [{"partnerKey": []}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}},
        "responses": {
            "201": {"description": "Stored (counts of stored, already stored and quarantined prices)",
                    "content": {"application/json": {"schema": {"type": "object", "required": ["status"],
                                                                 "properties": {"status": {"type": "string"}}}}}},
            "400": _PROBLEM, "401": _PROBLEM, "403": _PROBLEM, "413": _PROBLEM, "429": _PROBLEM}}}
    paths["/api/v1/openapi.json"] = {"get": {"summary": "This description", "responses": {
        "200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": {"type": "object"}}}}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "remit data API", "version": "1.0.0",
                 "description": "Remittance prices and corridor statistics, World Bank RPW method. "
                                "remit's own data: CC BY 4.0.",
                 "license": {"name": "CC BY 4.0", "identifier": "CC-BY-4.0"}},
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {
            "partnerKey": {"type": "http", "scheme": "bearer",
                           "description": "an API key created in the partner portal"}}},
    }

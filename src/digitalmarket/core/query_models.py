"""Query parameters validated together, by one pydantic model.

FastAPI validates a route's query parameters one at a time, and works out again at every request what
each one is (its aliases, whether it is a list): for the search API's sixteen parameters about 0.17 ms a
request more than one model's validation (docs/performance.md, stop 41). A route that takes many
declares them as a model instead: `parsed` validates them at once (pydantic's core does it all), and
`documented` lists the same fields in the API's description as FastAPI lists declared parameters. A wrong
value is answered as FastAPI's own checks answer it: a `RequestValidationError` at ``("query", name)``,
the same 422 in the caller's language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def parsed(model: type[M]) -> Callable[[Request], M]:
    """A dependency giving the request's query parameters as ``model`` (unknown ones ignored; a name given
    twice counts its last value, as with declared parameters)."""

    def dependency(request: Request) -> M:
        try:
            return model.model_validate(dict(request.query_params))
        except ValidationError as error:
            raise RequestValidationError(
                [{**e, "loc": ("query", *e["loc"])} for e in error.errors(include_url=False)]
            ) from None

    return dependency


def documented(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` for a route that takes ``model`` through `parsed`: each field an optional query
    parameter with its schema and description (the schemas of enumerations written in place)."""
    schema = model.model_json_schema()
    definitions = schema.get("$defs", {})

    def written(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return written(definitions[node["$ref"].rsplit("/", 1)[-1]])
            return {key: written(value) for key, value in node.items()}
        if isinstance(node, list):
            return [written(item) for item in node]
        return node

    parameters = []
    for name, field in schema["properties"].items():
        field = {key: value for key, value in written(field).items() if key != "default"}
        parameter = {"name": name, "in": "query", "required": False, "schema": field}
        if "description" in field:
            parameter["description"] = field["description"]
        parameters.append(parameter)
    return {"parameters": parameters}

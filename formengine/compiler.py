"""Spec → Pydantic v2 model.

The model is the authoritative shape of a submission: one optional attribute per field
(required-ness depends on conditions, so :mod:`formengine.semantics` enforces it), nested
models for table rows and tree nodes, grids as mappings. Titles and descriptions come from
the labels so ``model_json_schema()`` documents the form.
"""

from __future__ import annotations

from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, create_model
from pydantic import Field as PField

from .fieldtypes import annotation, json_field
from .spec import Field, FormSpec, Grid, Table, Tree

_CONFIG = ConfigDict(extra="forbid", validate_default=False, str_strip_whitespace=True,
                     ser_json_inf_nan="strings")


def _model_name(form_id: str, suffix: str = "") -> str:
    return "".join(part.capitalize() for part in f"{form_id}_{suffix}".split("_") if part)


def _fields(columns: tuple[Field, ...]) -> dict[str, Any]:
    return {c.id: (annotation(c), json_field(c)) for c in columns}


def _row_model(form_id: str, table: Table) -> type[BaseModel]:
    model: type[BaseModel] = create_model(_model_name(form_id, f"{table.id}_row"), __config__=_CONFIG,
                                           __doc__=table.title.zh if table.title else None, **_fields(table.columns))
    return model


def _node_model(form_id: str, tree: Tree) -> type[BaseModel]:
    name = _model_name(form_id, f"{tree.id}_node")
    fields = _fields(tree.columns)
    fields["children"] = (Optional[list[name]], PField(default=None, title="下级 / children"))  # type: ignore[valid-type]
    model: type[BaseModel] = create_model(name, __config__=_CONFIG, **fields)
    model.model_rebuild(_types_namespace={name: model})
    return model


def _grid_annotation(grid: Grid) -> Any:
    if grid.one_per_row:
        return Optional[dict[str, str | None]]
    cell = annotation(grid.cell)
    return Optional[dict[str, dict[str, cell] | None]]  # type: ignore[valid-type]


def _title(item: Table | Tree | Grid) -> dict[str, Any]:
    return {"title": item.title.zh if item.title else item.id,
            "description": item.title.en if item.title and item.title.en else None}


def build_model(spec: FormSpec) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for m in spec.members:
        if isinstance(m, Field):
            fields[m.id] = (annotation(m), json_field(m))
        elif isinstance(m, Table):
            fields[m.id] = (Optional[list[_row_model(spec.id, m) | None]], PField(default=None, **_title(m)))  # type: ignore[misc]
        elif isinstance(m, Tree):
            fields[m.id] = (Optional[list[_node_model(spec.id, m)]], PField(default=None, **_title(m)))  # type: ignore[misc]
        else:
            fields[m.id] = (_grid_annotation(m), PField(default=None, **_title(m)))
    model: type[BaseModel] = create_model(_model_name(spec.id), __config__=_CONFIG,
                                          __doc__=spec.title.get("en") if spec.title.en else spec.title.zh, **fields)
    return model

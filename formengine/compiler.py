"""Spec → Pydantic v2 model, written directly as pydantic-core schemas.

The model is the authoritative shape of a submission: one optional attribute per field
(required-ness depends on conditions, so :mod:`formengine.semantics` enforces it), nested
models for table rows and tree nodes, grids as mappings. Titles and descriptions come from
the labels so ``model_json_schema()`` documents the form.

Pydantic spends about 0.3 ms per field deriving a schema from an annotation. A field's schema
here is always a base type inside its type's validators (:class:`~formengine.fieldtypes.Shape`),
so it is written directly — the schema Pydantic derives from ``Annotated[base, *validators]``
(``tests/test_perf_model.py`` compares the two) — and handed to Pydantic through
``__get_pydantic_core_schema__``; ``model_fields`` carry the same annotations and validators, so
the classes are ordinary models (a subclass is built by Pydantic from them as usual).

Each form also gets a *fast* validator (:func:`fast_validator`, made on its first validation):
the same schema with each field's native schema tried before its Python validators. It
returns instances of the same classes; what it refuses, the model itself validates and explains.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Optional

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, WrapValidator
from pydantic.fields import FieldInfo
from pydantic_core import CoreConfig, CoreSchema, SchemaError, SchemaValidator
from pydantic_core import core_schema as cs

from .fieldtypes import Shape, describe, required_natively, shape
from .spec import Field, FormSpec, Grid, Table, Tree

_CONFIG = ConfigDict(extra="forbid", validate_default=False, str_strip_whitespace=True,
                     ser_json_inf_nan="strings")
_ModelMeta: Any = type(BaseModel)
_FAST = "__formengine_fast__"  # class attribute of a form's model: its fast validator


def _core_config(title: str) -> CoreConfig:
    """``_CONFIG`` as Pydantic hands it to pydantic-core."""
    return {"title": title, "extra_fields_behavior": "forbid", "str_strip_whitespace": True,
            "validate_default": False, "ser_json_inf_nan": "strings"}


def _model_name(form_id: str, suffix: str = "") -> str:
    return "".join(part.capitalize() for part in f"{form_id}_{suffix}".split("_") if part)


def _ref(cls: type) -> str:
    """The reference Pydantic gives a class in schemas (JSON Schema ``$defs`` are named from it)."""
    return f"{cls.__module__}.{cls.__qualname__}:{id(cls)}"


class _Definitions:
    """Models a schema refers to (shared value shapes, rows, nodes), each defined once."""

    def __init__(self) -> None:
        self.schemas: dict[str, CoreSchema] = {}

    def ref(self, model: type[BaseModel]) -> CoreSchema:
        """A complete model, by reference — what Pydantic writes for a model it has built."""
        schema = model.__pydantic_core_schema__
        if schema["type"] == "definitions":
            for d in schema["definitions"]:
                self.schemas.setdefault(d["ref"], d)
            schema = schema["schema"]
        if schema["type"] == "definition-ref":
            return schema
        self.schemas.setdefault(schema["ref"], schema)
        return {"type": "definition-ref", "schema_ref": schema["ref"]}

    def add(self, schema: CoreSchema) -> None:
        self.schemas[schema["ref"]] = schema

    def around(self, schema: CoreSchema) -> CoreSchema:
        return cs.definitions_schema(schema, list(self.schemas.values())) if self.schemas else schema


# The schemas below are written as dict literals: pydantic_core.core_schema's helpers cost
# a few µs each, and a form's schemas take hundreds of them.
_WRAP: dict[type, str] = {BeforeValidator: "function-before", AfterValidator: "function-after",
                          WrapValidator: "function-wrap"}


def _exact(s: Shape, defs: _Definitions) -> CoreSchema:
    """The schema Pydantic derives from ``Annotated[base, *validators]``."""
    schema = s.base.core(defs.ref)
    for v in s.validators:
        schema = {"type": _WRAP[type(v)], "function": {"type": "no-info", "function": v.func}, "schema": schema}
    return schema


def _tried_first(s: Shape, defs: _Definitions) -> CoreSchema:
    exact = _exact(s, defs)
    return exact if s.fast is None else {"type": "union", "choices": [s.fast, exact], "mode": "left_to_right"}


def _fast_field(f: Field, s: Shape, defs: _Definitions, checks_required: bool) -> cs.ModelField:
    """A field of the fast validator; ``checks_required``: the semantic pass relies on it to refuse
    the fields :func:`~formengine.fieldtypes.required_natively` names when absent or empty."""
    if not (checks_required and required_natively(f, s)):
        return _field(_tried_first(s, defs))
    assert s.base.filled is not None
    # Not null, not absent (no default), and the Python rules' value not empty; the native
    # schema's values are never empty (Shape.fast), so only its null is left out.
    schema: CoreSchema = {"type": "chain", "steps": [_exact(s, defs), s.base.filled]}
    if s.fast is not None:
        assert s.fast["type"] == "nullable"
        schema = {"type": "union", "choices": [s.fast["schema"], schema], "mode": "left_to_right"}
    return {"type": "model-field", "schema": schema}


def _info(annotation: Any, title: str, description: str | None, validators: tuple[Any, ...] = ()) -> FieldInfo:
    info = FieldInfo(annotation=annotation, default=None, title=title, description=description)
    info.metadata = list(validators)
    return info


def _field(schema: CoreSchema, info: FieldInfo | None = None) -> cs.ModelField:
    field: cs.ModelField = {"type": "model-field", "schema": {"type": "default", "schema": schema, "default": None}}
    if info is not None:  # not the fast validator, which has no JSON Schema to document
        updates = {"title": info.title} if info.description is None else {"title": info.title, "description": info.description}
        field["metadata"] = {"pydantic_js_updates": updates}
    return field


def _model(cls: type[BaseModel], fields: dict[str, cs.ModelField], ref: str | None = None) -> CoreSchema:
    inner = cs.model_fields_schema(fields, model_name=cls.__name__, computed_fields=[])
    return cs.model_schema(cls, inner, custom_init=False, root_model=False, config=_core_config(cls.__name__), ref=ref)


# ---------------------------------------------------------------- the classes

Build = Callable[[type[BaseModel]], tuple[dict[str, FieldInfo], CoreSchema]]


@classmethod  # type: ignore[misc]
def _own_schema(cls: type[BaseModel], source: Any, handler: Any) -> CoreSchema:
    build: Build | None = cls.__dict__.get("__formengine_build__")
    if build is None or source is not cls:  # a subclass: Pydantic derives it from model_fields as usual
        derived: CoreSchema = handler(source)
        return derived
    fields, schema = build(cls)
    cls.__pydantic_fields__.update(fields)
    return schema


def _new_model(name: str, doc: str | None, build: Build) -> type[BaseModel]:
    """A model class whose fields and schema ``build`` gives when Pydantic completes it."""
    namespace: dict[str, Any] = {"__module__": __name__, "__qualname__": name, "model_config": _CONFIG,
                                 "__formengine_build__": build, "__get_pydantic_core_schema__": _own_schema}
    if doc:
        namespace["__doc__"] = doc
    model: type[BaseModel] = _ModelMeta(name, (BaseModel,), namespace, __pydantic_reset_parent_namespace__=False)
    if not model.__pydantic_complete__:  # Pydantic leaves a model it could not build incomplete, silently
        raise RuntimeError(f"formengine could not build the Pydantic model {name}")
    del model.__formengine_build__  # type: ignore[attr-defined]
    # For subclasses and get_type_hints(): Pydantic finds inherited fields through annotations.
    model.__annotations__ = {k: f.annotation for k, f in model.__pydantic_fields__.items()}
    return model


Exact = Callable[[_Definitions], CoreSchema]  # a member's schema in the model (its references collected)
Fast = Callable[[], cs.ModelField]  # a member's field in the fast validator, written when that is built


class _Form:
    """Builds the model of one form and, on its first validation, its fast validator."""

    def __init__(self, spec: FormSpec):
        self.spec = spec
        self.fast_defs = _Definitions()

    def columns(self, columns: tuple[Field, ...], checks_required: bool) -> tuple[
            dict[str, FieldInfo], Callable[[_Definitions], dict[str, cs.ModelField]], Callable[[], dict[str, cs.ModelField]]]:
        shapes = {c.id: shape(c) for c in columns}
        infos = {c.id: _info(shapes[c.id].base.annotation, *describe(c), shapes[c.id].validators) for c in columns}

        def exact(defs: _Definitions) -> dict[str, cs.ModelField]:
            return {k: _field(_exact(s, defs), infos[k]) for k, s in shapes.items()}

        def fast() -> dict[str, cs.ModelField]:
            return {c.id: _fast_field(c, shapes[c.id], self.fast_defs, checks_required) for c in columns}
        return infos, exact, fast

    def row_model(self, table: Table) -> tuple[type[BaseModel], Callable[[], CoreSchema]]:
        infos, exact, fast = self.columns(table.columns, checks_required=True)

        def build(cls: type[BaseModel]) -> tuple[dict[str, FieldInfo], CoreSchema]:
            defs = _Definitions()
            return infos, defs.around(_model(cls, exact(defs), _ref(cls)))
        row = _new_model(_model_name(self.spec.id, f"{table.id}_row"), table.title.zh if table.title else None, build)

        def fast_row() -> CoreSchema:
            schema = _model(row, fast())
            # A null row is an empty one: refused where the semantic pass leaves the row checks to the fast validator.
            return schema if any(required_natively(c) for c in table.columns) else cs.nullable_schema(schema)
        return row, fast_row

    def node_model(self, tree: Tree) -> tuple[type[BaseModel], Callable[[], CoreSchema]]:
        infos, exact, fast = self.columns(tree.columns, checks_required=False)  # nodes are checked in full

        def build(cls: type[BaseModel]) -> tuple[dict[str, FieldInfo], CoreSchema]:
            ref, defs = _ref(cls), _Definitions()
            children = _info(Optional[list[cls]], "下级 / children", None)  # type: ignore[valid-type]
            fields = {**exact(defs), "children": _field(_nullable_list(cs.definition_reference_schema(ref)), children)}
            return {**infos, "children": children}, defs.around(_model(cls, fields, ref))
        node = _new_model(_model_name(self.spec.id, f"{tree.id}_node"), None, build)

        def fast_node() -> CoreSchema:
            fast_ref = _ref(node) + ":fast"
            children = _field(_nullable_list(cs.definition_reference_schema(fast_ref)))
            self.fast_defs.add(_model(node, {**fast(), "children": children}, fast_ref))
            return cs.definition_reference_schema(fast_ref)
        return node, fast_node

    def member(self, m: Field | Table | Tree | Grid) -> tuple[FieldInfo, Exact, Fast]:
        """The model_fields entry of one member of the form, its schema, its fast field."""
        if isinstance(m, Field):
            s = shape(m)
            return (_info(s.base.annotation, *describe(m), s.validators), lambda defs: _exact(s, defs),
                    lambda: _fast_field(m, s, self.fast_defs, checks_required=True))
        title, description = (m.title.zh if m.title else m.id), (m.title.en if m.title and m.title.en else None)
        if isinstance(m, Table):
            row, fast_row = self.row_model(m)
            info = _info(Optional[list[row | None]], title, description)  # type: ignore[valid-type]
            return (info, lambda defs: _nullable_list(cs.nullable_schema(defs.ref(row))),
                    lambda: _field(_nullable_list(fast_row())))
        if isinstance(m, Tree):
            node, fast_node = self.node_model(m)
            info = _info(Optional[list[node]], title, description)  # type: ignore[valid-type]
            return info, lambda defs: _nullable_list(defs.ref(node)), lambda: _field(_nullable_list(fast_node()))
        if m.one_per_row:
            plain = cs.nullable_schema(cs.dict_schema(cs.str_schema(), cs.nullable_schema(cs.str_schema())))
            return _info(Optional[dict[str, str | None]], title, description), lambda defs: plain, lambda: _field(plain)
        cell = shape(m.cell)
        info = _info(Optional[dict[str, dict[str, cell.annotation] | None]], title, description)  # type: ignore[name-defined]

        def cells(schema: CoreSchema) -> CoreSchema:
            return cs.nullable_schema(cs.dict_schema(cs.str_schema(), cs.nullable_schema(cs.dict_schema(cs.str_schema(), schema))))
        return info, lambda defs: cells(_exact(cell, defs)), lambda: _field(cells(_tried_first(cell, self.fast_defs)))

    def build(self) -> type[BaseModel]:
        spec = self.spec
        members = {m.id: self.member(m) for m in spec.members}

        def build(cls: type[BaseModel]) -> tuple[dict[str, FieldInfo], CoreSchema]:
            defs = _Definitions()
            fields = {k: _field(exact(defs), info) for k, (info, exact, _) in members.items()}
            return {k: info for k, (info, _, _) in members.items()}, defs.around(_model(cls, fields, _ref(cls)))
        model = _new_model(_model_name(spec.id), spec.title.get("en") if spec.title.en else spec.title.zh, build)

        def fast() -> SchemaValidator | None:
            schema = self.fast_defs.around(_model(model, {k: f() for k, (_, _, f) in members.items()}))
            try:  # its own row and node schemas, not the models' validators pydantic-core would reuse
                return SchemaValidator(schema, _core_config(model.__name__), _use_prebuilt=False)
            except (TypeError, SchemaError):  # a pydantic-core without that switch (…): the model validates alone
                return None
        setattr(model, _FAST, fast)  # built on the first validation, like the semantic pass's plan
        return model


def _nullable_list(items: CoreSchema) -> CoreSchema:
    return cs.nullable_schema(cs.list_schema(items))


def build_model(spec: FormSpec) -> type[BaseModel]:
    return _Form(spec).build()


def fast_validator(model: type[BaseModel]) -> SchemaValidator | None:
    """The fast validator of a form's model, built on first use: it gives the instance the model
    would give where it accepts, and refuses what the model must look at (None: not a form's model)."""
    fast = model.__dict__.get(_FAST)
    if fast is None or isinstance(fast, SchemaValidator):
        return fast
    validator: SchemaValidator | None = fast()
    setattr(model, _FAST, validator)
    return validator

"""formengine: business forms written once in YAML — validated models and printable documents.

    >>> import formengine
    >>> form = formengine.load("forms/sales/sales_contract.yaml")
    >>> result = form.validate({"buyer": "上海华东贸易有限公司"})
    >>> result.ok
    False

The names below are imported on first use (PEP 562), so ``import formengine`` costs almost
nothing and a command that only reads definitions never imports what it does not need.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .errors import FormDefinitionError, FormEngineError, Problem, ValidationIssue
    from .form import Form, load, load_dir
    from .rendering import Renderer, RendererError
    from .rendering import register as register_renderer
    from .validation import ValidationResult

__version__ = "0.1.0"

_LAZY = {
    "FormDefinitionError": ("errors", "FormDefinitionError"),
    "FormEngineError": ("errors", "FormEngineError"),
    "Problem": ("errors", "Problem"),
    "ValidationIssue": ("errors", "ValidationIssue"),
    "Form": ("form", "Form"),
    "load": ("form", "load"),
    "load_dir": ("form", "load_dir"),
    "Renderer": ("rendering", "Renderer"),
    "RendererError": ("rendering", "RendererError"),
    "register_renderer": ("rendering", "register"),
    "ValidationResult": ("validation", "ValidationResult"),
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:  # a submodule, as after the eager imports of old: formengine.rendering
        try:
            return import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module 'formengine' has no attribute {name!r}") from None
    module, attr = _LAZY[name]
    value = getattr(import_module(f".{module}", __name__), attr)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "Form",
    "FormDefinitionError",
    "FormEngineError",
    "Problem",
    "Renderer",
    "RendererError",
    "ValidationIssue",
    "ValidationResult",
    "__version__",
    "load",
    "load_dir",
    "register_renderer",
]

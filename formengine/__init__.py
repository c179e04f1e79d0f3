"""formengine: business forms written once in YAML — validated models and printable documents.

    >>> import formengine
    >>> form = formengine.load("forms/sales/sales_contract.yaml")
    >>> result = form.validate({"buyer": "上海华东贸易有限公司"})
    >>> result.ok
    False
"""

from __future__ import annotations

from .errors import FormDefinitionError, FormEngineError, Problem, ValidationIssue
from .form import Form, load, load_dir
from .rendering import Renderer, RendererError
from .rendering import register as register_renderer
from .validation import ValidationResult

__version__ = "0.1.0"

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

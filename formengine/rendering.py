"""Renderer plugins: one small interface, found through entry points, loaded on first use.

Built-in renderers register in the ``formengine.renderers`` entry-point group exactly as a
third-party package would, so ``import formengine`` never imports python-docx or Jinja2.
Data is validated before anything is rendered: a document is never printed half-right.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from .errors import FormEngineError, Lang

if TYPE_CHECKING:
    from .form import Form
    from .validation import ValidationResult

GROUP = "formengine.renderers"
ALIASES = {"markdown": "md", "word": "docx"}


@runtime_checkable
class Renderer(Protocol):
    """What a renderer provides. ``render`` gets validated values (or None for a blank form)."""

    name: str
    extension: str  # without the dot: "html"
    media_type: str

    def render(self, form: Form, values: Any, options: dict[str, Any]) -> str | bytes: ...


class RendererError(FormEngineError):
    """Unknown format, or data that does not validate (``.result`` holds the errors)."""

    def __init__(self, message: str, result: ValidationResult | None = None):
        super().__init__(message)
        self.result = result


_registered: dict[str, Any] = {}  # name → Renderer instance or class, added by register()
_cache: dict[str, Renderer] = {}


def register(renderer: Any) -> None:
    """Register a renderer in this process (entry points do it for installed packages)."""
    _registered[renderer.name] = renderer
    _cache.pop(renderer.name, None)


def available() -> set[str]:
    return set(_registered) | {ep.name for ep in entry_points(group=GROUP)} | set(ALIASES)


def get(name: str) -> Renderer:
    name = ALIASES.get(name, name)
    if name in _cache:
        return _cache[name]
    found: Any = _registered.get(name)
    if found is None:
        for ep in entry_points(group=GROUP):
            if ep.name == name:
                found = ep.load()
                break
    if found is None:
        known = ", ".join(sorted(available()))
        raise RendererError(f"未知格式 / unknown format {name!r}; available: {known}")
    instance: Renderer = found() if isinstance(found, type) else found
    if instance.name != name:
        raise RendererError(f"renderer registered as {name!r} calls itself {instance.name!r}")
    _cache[name] = instance
    return instance


@dataclass(frozen=True)
class Output:
    """One rendered document."""

    content: str | bytes
    extension: str
    media_type: str


def render(form: Form, format: str, data: Any = None, **options: Any) -> str | bytes:
    renderer = get(format)
    values = None
    if data is not None:
        result = form.validate(data)
        if not result.ok:
            raise RendererError(f"{form.id}: data does not validate / 数据未通过校验:\n{result.format('en')}", result)
        values = result.value
    return renderer.render(form, values, options)


def output_name(form_id: str, renderer: Renderer, options: dict[str, Any]) -> str:
    suffix = "-fillable" if options.get("fillable") else ""
    return f"{form_id}{suffix}.{renderer.extension}"


def _render_one(args: tuple[str, list[str], Any, str, dict[str, Any]]) -> tuple[str, list[str], str]:
    """Render one form file into every format; returns (file, written paths, error text)."""
    from .errors import FormDefinitionError
    from .form import load

    path, formats, data, out_dir, options = args
    written: list[str] = []
    try:
        form = load(path)
        for fmt in formats:
            renderer = get(fmt)
            content = render(form, fmt, data, **options)
            target = Path(out_dir) / output_name(form.id, renderer, options)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
            written.append(str(target))
    except FormDefinitionError as exc:
        return path, written, exc.format(options.get("lang", "zh"))
    except RendererError as exc:
        return path, written, str(exc)
    return path, written, ""


def render_files(paths: list[Path], formats: list[str], data: Any, out_dir: Path, *, fillable: bool = False,
                 jobs: int = 1, lang: Lang = "zh") -> bool:
    """Render many forms with a progress bar; True when all succeeded."""
    from rich.progress import Progress

    out_dir.mkdir(parents=True, exist_ok=True)
    options = {"fillable": fillable, "lang": lang}
    tasks = [(str(p), formats, data, str(out_dir), options) for p in paths]
    failures: list[tuple[str, str]] = []
    with Progress(transient=True, disable=len(tasks) < 2) as progress:
        bar = progress.add_task("rendering / 生成中", total=len(tasks))
        if jobs > 1 and len(tasks) > 1:
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(max_workers=jobs) as pool:
                results = pool.map(_render_one, tasks, chunksize=max(1, len(tasks) // (jobs * 4)))
                for path, _written, error in results:
                    if error:
                        failures.append((path, error))
                    progress.advance(bar)
        else:
            for task in tasks:
                path, _written, error = _render_one(task)
                if error:
                    failures.append((path, error))
                progress.advance(bar)
    import click

    for path, error in failures:
        click.echo(f"{path}:\n{error}", err=True)
    done = len(tasks) - len(failures)
    click.echo(f"{done}/{len(tasks)} → {out_dir}", err=bool(failures))
    return not failures

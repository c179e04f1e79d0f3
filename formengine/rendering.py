"""Renderer plugins: one small interface, found through entry points, loaded on first use.

Built-in renderers register in the ``formengine.renderers`` entry-point group exactly as a
third-party package would, so ``import formengine`` never imports python-docx or Jinja2.
Data is validated before anything is rendered: a document is never printed half-right.
"""

from __future__ import annotations

from collections.abc import Iterator
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
            lang = options.get("lang", "zh")
            raise RendererError(f"{form.id}: data does not validate / 数据未通过校验:\n{result.format(lang)}", result)
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


# ---------------------------------------------------------------- batches: one document per record

BATCH_SUFFIXES = (".jsonl", ".ndjson")
DATA_SUFFIXES = (".json", ".yaml", ".yml")
BATCH_CHUNK = 32  # records per task sent to a worker process
_IN_FLIGHT = 4  # chunks queued per worker: enough to keep it busy, few enough to stay flat in memory


def is_batch(data: Path) -> bool:
    """Whether ``--data`` names many records: a JSON Lines file or a folder of data files."""
    return data.is_dir() or data.suffix.lower() in BATCH_SUFFIXES


@dataclass(frozen=True)
class Record:
    """One submission of a batch, not parsed yet: a JSON Lines line or a data file."""

    number: int  # 1-based; the document is named ``<form_id>-<number>.<ext>``
    where: str  # for messages: ``file.jsonl:LINE`` or the data file
    text: str | None = None  # the JSON text of a JSON Lines record
    path: str | None = None  # a data file (JSON or YAML) of a folder


def iter_records(data: Path) -> Iterator[Record]:
    """The records of a batch, read lazily: a JSON Lines file line by line (blank lines
    skipped), or a folder's ``.json`` / ``.yaml`` / ``.yml`` files in name order."""
    n = 0
    if data.is_dir():
        for p in sorted(p for p in data.iterdir() if p.suffix.lower() in DATA_SUFFIXES and p.is_file()):
            n += 1
            yield Record(n, str(p), path=str(p))
        return
    with data.open(encoding="utf-8-sig") as lines:
        for line_no, line in enumerate(lines, 1):
            if line.strip():
                n += 1
                yield Record(n, f"{data}:{line_no}", text=line)


def count_records(data: Path) -> int:
    if data.is_dir():
        return sum(1 for p in data.iterdir() if p.suffix.lower() in DATA_SUFFIXES and p.is_file())
    with data.open("rb") as f:
        return sum(1 for line in f if line.strip())


_FORMS: dict[tuple[str, int, int], Form] = {}  # per process: a batch loads and compiles its form once


def _cached_form(path: str) -> Form:
    """The form at ``path``, loaded and compiled once per process while the file is unchanged."""
    from .form import load

    try:
        stat = Path(path).stat()
    except OSError:  # load() reports the file as unreadable
        return load(path)
    key = (path, stat.st_mtime_ns, stat.st_size)
    form = _FORMS.get(key)
    if form is None:
        form = load(path)
        form.model  # noqa: B018 - compile now, once
        if len(_FORMS) >= 64:
            _FORMS.clear()
        _FORMS[key] = form
    return form


def batch_name(form_id: str, number: int, renderer: Renderer, options: dict[str, Any]) -> str:
    suffix = "-fillable" if options.get("fillable") else ""
    return f"{form_id}-{number}{suffix}.{renderer.extension}"


def _record_data(record: Record) -> Any:
    import json

    from .form import load_data

    if record.text is not None:
        return json.loads(record.text)
    assert record.path is not None
    return load_data(record.path)


def _render_records(args: tuple[str, tuple[str, ...], list[Record], str, dict[str, Any]]) -> tuple[int, list[tuple[str, str]]]:
    """Render a chunk of records with one form (in a worker, or in-process for ``--jobs 1``);
    each document is written as soon as it is made. Returns (documents written, failures)."""
    from .errors import FormDefinitionError

    path, formats, records, out_dir, options = args
    lang = options.get("lang", "zh")
    try:
        form = _cached_form(path)
    except FormDefinitionError as exc:
        return 0, [(path, exc.format(lang))]
    written = 0
    failures: list[tuple[str, str]] = []
    for record in records:
        try:
            data = _record_data(record)
            for fmt in formats:
                renderer = get(fmt)
                content = render(form, fmt, data, **options)
                target = Path(out_dir) / batch_name(form.id, record.number, renderer, options)
                if isinstance(content, bytes):
                    target.write_bytes(content)
                else:
                    target.write_text(content, encoding="utf-8")
            written += 1
        except FormDefinitionError as exc:  # a YAML data file that does not parse
            failures.append((record.where, exc.format(lang)))
        except RendererError as exc:
            failures.append((record.where, str(exc)))
        except (ValueError, OSError) as exc:  # JSON syntax, unreadable file
            failures.append((record.where, f"{type(exc).__name__}: {exc}"))
    return written, failures


def _chunks(items: Iterator[Record], size: int) -> Iterator[list[Record]]:
    chunk: list[Record] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def render_batch(paths: list[Path], formats: list[str], data: Path, out_dir: Path, *, fillable: bool = False,
                 jobs: int = 1, lang: Lang = "zh") -> bool:
    """One document per record of ``data`` (JSON Lines or a folder of data files) for each form,
    named ``<form_id>-<n>.<ext>``. Streams: records are read as they are needed, at most a few
    chunks per worker are in flight, and each worker writes its documents itself, so memory
    stays flat whatever the number of records. True when every record rendered."""
    import click
    from rich.progress import Progress

    from .errors import FormDefinitionError

    out_dir.mkdir(parents=True, exist_ok=True)
    options = {"fillable": fillable, "lang": lang}
    done = 0
    failed = 0
    forms: list[Path] = []
    for p in paths:  # load (and compile) each form once here: worker processes inherit them
        try:
            _cached_form(str(p))
            forms.append(p)
        except FormDefinitionError as exc:
            click.echo(exc.format(lang), err=True)
            failed += 1
    paths = forms
    total = count_records(data) * len(paths)

    def report(result: tuple[int, list[tuple[str, str]]], progress: Progress, bar: Any, size: int) -> None:
        nonlocal done, failed
        written, failures = result
        done += written
        failed += len(failures)
        for where, error in failures:
            click.echo(f"{where}:\n{error}", err=True)
        progress.advance(bar, size)

    def tasks() -> Iterator[tuple[tuple[str, tuple[str, ...], list[Record], str, dict[str, Any]], int]]:
        for p in paths:
            for chunk in _chunks(iter_records(data), BATCH_CHUNK):
                yield (str(p), tuple(formats), chunk, str(out_dir), options), len(chunk)

    if jobs > 1 and total > BATCH_CHUNK:
        from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

        with ProcessPoolExecutor(max_workers=jobs) as pool:
            # start every worker with the form compiled before the progress bar's thread runs
            warm = [pool.submit(_cached_form_id, str(p)) for p in paths for _ in range(jobs)]
            wait(warm)
            with Progress(transient=True, disable=total < 2) as progress:
                bar = progress.add_task("rendering / 生成中", total=total)
                pending: dict[Future[tuple[int, list[tuple[str, str]]]], int] = {}
                for task, size in tasks():
                    if len(pending) >= jobs * _IN_FLIGHT:
                        finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                        for f in finished:
                            report(f.result(), progress, bar, pending.pop(f))
                    pending[pool.submit(_render_records, task)] = size
                for f in list(pending):
                    report(f.result(), progress, bar, pending.pop(f))
    else:
        with Progress(transient=True, disable=total < 2) as progress:
            bar = progress.add_task("rendering / 生成中", total=total)
            for task, size in tasks():
                report(_render_records(task), progress, bar, size)
    click.echo(f"{done}/{done + failed} → {out_dir}", err=bool(failed))
    return not failed


def _cached_form_id(path: str) -> str:
    from .errors import FormDefinitionError

    try:
        return _cached_form(path).id
    except FormDefinitionError:
        return ""  # reported by the first chunk

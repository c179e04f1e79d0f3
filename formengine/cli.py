"""The ``formengine`` command: check, validate, schema, new, render, extract.

Every failure a user can cause ends in a message and exit code 1 (2 for a wrong command
line), never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from .errors import FormDefinitionError, Lang

LANGS = click.Choice(["zh", "en"])


def _lang_option(f: Any) -> Any:
    return click.option("--lang", type=LANGS, default="zh", show_default=True,
                        help="Language of messages / 消息语言")(f)


def _echo_problems(exc: FormDefinitionError, lang: Lang, hint: bool = True) -> None:
    click.echo(exc.format(lang, hint=hint), err=True)


def _form_paths(paths: tuple[str, ...]) -> list[Path]:
    from .form import form_files

    out: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            out.extend(form_files(path))
        else:
            out.append(path)
    return out


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="formengine")
def main() -> None:
    """formengine — 用 YAML 写一次业务表单，得到校验模型和可打印文档。

    Business forms written once in YAML: validated models and printable documents.
    """


def _check_one(file: Path) -> list[Any] | None:
    """The problems of one form file (None when it has none)."""
    from .form import load

    try:
        load(file)
    except FormDefinitionError as exc:
        return exc.problems
    return None


def _check_chunk(files: list[Path]) -> list[list[Any] | None]:
    return [_check_one(f) for f in files]


PARALLEL_CHECK_FROM = 16  # forms; below that, starting processes costs more than it saves


def _check_all(files: list[Path], jobs: int) -> list[list[Any] | None]:
    """Check every file, in forked worker processes when there are many (results in file order)."""
    import os

    if jobs == 0:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        jobs = min(cores, 4)
    if jobs < 2 or len(files) < PARALLEL_CHECK_FROM or os.name != "posix":
        return [_check_one(f) for f in files]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from . import form  # noqa: F401 - imported before forking: the workers inherit it
    from .schema_check import _is_valid

    _is_valid()  # the compiled schema check too
    size = -(-len(files) // (jobs * 2))  # two chunks per worker: an even finish without many round trips
    chunks = [files[i:i + size] for i in range(0, len(files), size)]
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        return [result for chunk in pool.map(_check_chunk, chunks) for result in chunk]


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--hints/--no-hints", default=True, help="Show how to fix each problem / 显示修改提示")
@click.option("--jobs", type=click.IntRange(min=0), default=0, show_default=True,
              help="Processes checking files at once; 0: one per core (up to 4) / 并行进程数")
@_lang_option
def check(paths: tuple[str, ...], hints: bool, jobs: int, lang: Lang) -> None:
    """Check form files or folders; report every problem / 检查表单定义，报告所有问题。"""
    files = _form_paths(paths)
    failed = 0
    problems = 0
    for found in _check_all(files, jobs):
        if found is not None:
            exc = FormDefinitionError(found)
            failed += 1
            problems += len(exc.problems)
            _echo_problems(exc, lang, hints)
    if lang == "zh":
        summary = f"检查了 {len(files)} 个表单：{len(files) - failed} 个通过，{failed} 个有问题（共 {problems} 处）"
    else:
        summary = f"checked {len(files)} forms: {len(files) - failed} ok, {failed} with problems ({problems} in all)"
    click.echo(summary, err=bool(failed))
    sys.exit(1 if failed else 0)


def _load_form(path: str, lang: Lang) -> Any:
    from .form import load

    try:
        return load(path)
    except FormDefinitionError as exc:
        _echo_problems(exc, lang)
        sys.exit(1)


def _load_data(path: str, lang: Lang) -> Any:
    from .form import load_data

    try:
        return load_data(path)
    except FormDefinitionError as exc:
        _echo_problems(exc, lang, hint=False)
        sys.exit(1)
    except (OSError, ValueError) as exc:
        click.echo(f"{path}: {exc}", err=True)
        sys.exit(1)


@main.command()
@click.argument("form", type=click.Path(exists=True, dir_okay=False))
@click.argument("data", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON")
@_lang_option
def validate(form: str, data: str, as_json: bool, lang: Lang) -> None:
    """Validate a submission (JSON or YAML) against a form / 校验提交的数据。"""
    f = _load_form(form, lang)
    result = f.validate(_load_data(data, lang))
    if as_json:
        out = {"ok": result.ok, "data": result.data(), "errors": [e.as_dict() for e in result.errors]}
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    elif result.ok:
        click.echo("通过" if lang == "zh" else "valid")
    else:
        click.echo(result.format(lang), err=True)
    sys.exit(0 if result.ok else 1)


@main.command()
@click.argument("form", type=click.Path(exists=True, dir_okay=False))
@_lang_option
def schema(form: str, lang: Lang) -> None:
    """Print the JSON Schema of a form's data / 输出数据的 JSON Schema。"""
    f = _load_form(form, lang)
    click.echo(json.dumps(f.json_schema(), ensure_ascii=False, indent=2))


@main.command()
@click.argument("form_id")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File to write (default: FORM_ID.yaml)")
@click.option("--title", default="新表单", help="Chinese title / 中文标题")
@click.option("--force", is_flag=True, help="Overwrite an existing file")
@_lang_option
def new(form_id: str, output: str | None, title: str, force: bool, lang: Lang) -> None:
    """Write a commented starter form that passes check / 生成一个可通过检查的新表单。"""
    import re

    from .starter import starter_form

    if not re.fullmatch(r"[a-z][a-z0-9_]*", form_id):
        click.echo("id 只能用小写字母、数字和下划线，以字母开头 / the id uses a-z, 0-9 and _, starting with a letter",
                   err=True)
        sys.exit(2)
    path = Path(output or f"{form_id}.yaml")
    if path.exists() and not force:
        click.echo(f"{path} 已存在（用 --force 覆盖） / exists (use --force)", err=True)
        sys.exit(1)
    path.write_text(starter_form(form_id, title, path), encoding="utf-8")
    click.echo(f"{path}")


@main.command()
@click.argument("filled", type=click.Path(exists=True, dir_okay=False))
@click.option("--form", "form_path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="The form the file was made from / 文件对应的表单")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Also write the data read to this JSON file")
@_lang_option
def extract(filled: str, form_path: str, output: str | None, lang: Lang) -> None:
    """Read a filled Word/Excel file back, print its data as JSON and validate it / 读回已填写的文件并校验。

    Prints {"ok", "data", "errors"}: data is the validated value when ok, else what was read;
    each error names its field and where it sits in the file. Exit code 1 when not ok.
    """
    from .extraction import ExtractError

    f = _load_form(form_path, lang)
    try:
        result = f.extract(filled)
    except ExtractError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    data = result.data() if result.ok else result.read
    out = {"ok": result.ok, "data": data, "errors": [e.as_dict() for e in result.errors]}
    text = json.dumps(out, ensure_ascii=False, indent=2, default=str)
    if output:
        Path(output).write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    click.echo(text)
    if not result.ok:
        click.echo(result.format(lang), err=True)
    sys.exit(0 if result.ok else 1)


def _split_formats(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--to", "formats", default="html", show_default=True, help="Comma-separated formats: html,md,docx,xlsx")
@click.option("--data", type=click.Path(exists=True),
              help="Fill with this data (JSON or YAML); a JSON Lines file (.jsonl) or a folder of data files "
                   "makes one document per record, named FORM_ID-N.EXT / 每条记录生成一份文档")
@click.option("--fillable", is_flag=True,
              help="HTML: a page with live rules; DOCX: content controls; XLSX is always fillable / 可填写版本")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), default="out", show_default=True)
@click.option("--jobs", type=int, default=1, show_default=True, help="Parallel processes")
@_lang_option
def render(paths: tuple[str, ...], formats: str, data: str | None, fillable: bool, out_dir: str, jobs: int,
           lang: Lang) -> None:
    """Render forms blank or filled / 生成空白或已填写的文档。"""
    from .rendering import RendererError, available, is_batch, render_batch, render_files

    wanted = _split_formats(formats)
    names = available()
    unknown = [f for f in wanted if f not in names]
    if unknown:
        click.echo(f"未知格式 / unknown format: {', '.join(unknown)}; 可用 / available: {', '.join(sorted(names))}",
                   err=True)
        sys.exit(2)
    if data and is_batch(Path(data)):
        ok = render_batch(_form_paths(paths), wanted, Path(data), Path(out_dir), fillable=fillable, jobs=jobs,
                          lang=lang)
        sys.exit(0 if ok else 1)
    values = _load_data(data, lang) if data else None
    try:
        ok = render_files(_form_paths(paths), wanted, values, Path(out_dir), fillable=fillable, jobs=jobs, lang=lang)
    except RendererError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":  # pragma: no cover
    main()

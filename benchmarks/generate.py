"""Synthetic forms and submissions for the benchmarks (deterministic: same input, same text).

``python benchmarks/generate.py`` rewrites ``benchmarks/data/form60.yaml``; the scaling
forms (100 / 1,000 fields with a table) are written to a temporary folder by ``run.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"

# One field of each kind, cycled: (type, extra YAML, sample value, XLSForm type, XLSForm extras)
KINDS: list[tuple[str, str, Any, str, dict[str, str]]] = [
    ("text", "required: true", "上海华东贸易有限公司", "text", {"required": "yes"}),
    ("integer", "min: 0, max: 100000", 42, "integer", {"constraint": ". >= 0 and . <= 100000"}),
    ("money", "min: 0", "1234.50", "decimal", {"constraint": ". >= 0"}),
    ("date", "", "2026-01-15", "date", {}),
    ("choice", "choices: [甲, 乙, 丙, 丁]", "乙", "select_one abcd", {}),
    ("boolean", "", True, "select_one yes_no", {}),
    ("phone", "", "021-58881234", "text", {"constraint": "regex(., '^[0-9-]{7,20}$')"}),
    ("textarea", "lines: 2", "本合同一式四份，甲乙双方各执两份。", "text", {"appearance": "multiline"}),
    ("decimal", "places: 2, min: 0", "3.25", "decimal", {"constraint": ". >= 0"}),
]
SECTION = 10  # fields per section


def _label(i: int) -> str:
    return f"{{zh: 字段{i + 1}, en: Field {i + 1}}}"


def form_yaml(n_fields: int, rows_table: bool = False, form_id: str | None = None) -> str:
    """A form of ``n_fields`` fields in sections of ten; every tenth field is computed
    (sum of the section's two number fields) and each section has one check.
    With ``rows_table`` a line-item table (price × qty, total) closes the form."""
    fid = form_id or f"bench_{n_fields}"
    out = [f"id: {fid}", f"title: {{zh: 基准表单{n_fields}, en: Benchmark form {n_fields}}}",
           "numbering: chinese", "sections:"]
    for start in range(0, n_fields, SECTION):
        out.append(f"  - title: {{zh: 第{start // SECTION + 1}部分, en: Part {start // SECTION + 1}}}")
        out.append("    items:")
        ids = []
        for i in range(start, min(start + SECTION, n_fields)):
            fid_i = f"f{i + 1}"
            ids.append(fid_i)
            if i % SECTION == SECTION - 1:  # computed: integer + money of this section
                out.append(f"      - {{id: {fid_i}, label: {_label(i)}, type: money, "
                           f"compute: f{start + 2} + f{start + 3}}}")
                continue
            kind, extra, _, _, _ = KINDS[(i - start) % len(KINDS)]
            out.append(f"      - {{id: {fid_i}, label: {_label(i)}, type: {kind}"
                       + (f", {extra}" if extra else "") + "}")
        if len(ids) >= 3:
            out.append("    checks:")
            out.append(f"      - rule: f{start + 2} <= 100000")
            out.append(f"        path: f{start + 2}")
            out.append("        message: {zh: 数值过大, en: Too large}")
    if rows_table:
        out += [
            "  - title: {zh: 明细, en: Lines}",
            "    items:",
            "      - table:",
            "          id: lines",
            "          min_rows: 1",
            "          print_rows: 5",
            "          columns:",
            "            - {id: name, label: {zh: 名称, en: Name}, type: text, required: true}",
            "            - {id: spec, label: {zh: 规格, en: Specification}, type: text}",
            "            - {id: unit_price, label: {zh: 单价, en: Price}, type: money, required: true, min: 0}",
            "            - {id: qty, label: {zh: 数量, en: Qty}, type: integer, required: true, min: 1}",
            "            - {id: total, label: {zh: 金额, en: Amount}, type: money, compute: unit_price * qty}",
            "      - {id: grand_total, label: {zh: 合计, en: Total}, type: money, compute: sum(lines.total)}",
            ("      - {id: grand_total_upper, label: {zh: 合计大写, en: In words}, type: text, "
             "compute: rmb_upper(grand_total)}"),
        ]
    return "\n".join(out) + "\n"


def form_data(n_fields: int, n_rows: int = 0) -> dict[str, Any]:
    """A valid submission for :func:`form_yaml` (computed fields left out)."""
    data: dict[str, Any] = {}
    for start in range(0, n_fields, SECTION):
        for i in range(start, min(start + SECTION, n_fields)):
            if i % SECTION == SECTION - 1:
                continue
            data[f"f{i + 1}"] = KINDS[(i - start) % len(KINDS)][2]
    if n_rows:
        data["lines"] = line_items(n_rows)
    return data


def line_items(n: int) -> list[dict[str, Any]]:
    return [{"name": f"货品{i + 1}", "spec": f"规格{i % 7}", "unit_price": f"{10 + i % 90}.{i % 100:02d}",
             "qty": 1 + i % 9} for i in range(n)]


def xlsform(n_fields: int, path: Path) -> Path:
    """The XLSForm equivalent of :func:`form_yaml` (same fields, groups, constraints and
    calculations), written with openpyxl."""
    from openpyxl import Workbook

    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    survey.append(["type", "name", "label::Chinese (zh)", "label::English (en)", "required", "constraint",
                   "constraint_message::Chinese (zh)", "constraint_message::English (en)", "calculation", "appearance"])
    for start in range(0, n_fields, SECTION):
        part = start // SECTION + 1
        survey.append(["begin group", f"part{part}", f"第{part}部分", f"Part {part}"])
        for i in range(start, min(start + SECTION, n_fields)):
            name = f"f{i + 1}"
            if i % SECTION == SECTION - 1:
                survey.append(["calculate", name, f"字段{i + 1}", f"Field {i + 1}", "", "", "", "",
                               f"${{f{start + 2}}} + ${{f{start + 3}}}"])
                continue
            _, _, _, xtype, extra = KINDS[(i - start) % len(KINDS)]
            constraint = extra.get("constraint", "")
            if i == start + 1:
                constraint = ". <= 100000" if not constraint else f"({constraint}) and . <= 100000"
            survey.append([xtype, name, f"字段{i + 1}", f"Field {i + 1}", extra.get("required", ""), constraint,
                           "数值过大" if constraint else "", "Too large" if constraint else "", "",
                           extra.get("appearance", "")])
        survey.append(["end group"])
    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", "label::Chinese (zh)", "label::English (en)"])
    for j, v in enumerate("甲乙丙丁"):
        choices.append(["abcd", f"o{j}", v, v])
    choices.append(["yes_no", "yes", "是", "Yes"])
    choices.append(["yes_no", "no", "否", "No"])
    settings = wb.create_sheet("settings")
    settings.append(["form_title", "form_id", "default_language"])
    settings.append([f"基准表单{n_fields}", f"bench_{n_fields}", "Chinese (zh)"])
    wb.save(path)
    return path


def write_form60() -> Path:
    DATA.mkdir(exist_ok=True)
    path = DATA / "form60.yaml"
    path.write_text("# Generated by benchmarks/generate.py: a 60-field form for the load + compile benchmark.\n"
                    + form_yaml(60, form_id="bench_form60"), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write_form60())

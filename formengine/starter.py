"""The commented starter form ``formengine new`` writes."""

from __future__ import annotations

import os
from pathlib import Path

from .library import find_root

TEMPLATE = """\
# yaml-language-server: $schema={schema}
# 新表单：按需修改下面的内容，然后运行  formengine check {name}
# A new form: edit it, then run  formengine check {name}
id: {form_id}
title: {{zh: {title}, en: New form}}
version: "1.0"
# code: 文件编号（印在页眉） / document code printed in the header
# copies: 2            # 一式两联 / printed in two copies
sections:
  - title: 基本信息
    items:
      - {{id: name, label: {{zh: 姓名, en: Name}}, type: text, required: true}}
      - {{id: phone, label: 联系电话, type: phone}}
      - {{id: visit_date, label: 来访日期, type: date, default_expr: today()}}
      - id: satisfaction
        label: 满意度
        type: choice
        choices: [满意, 一般, 不满意]
      - id: reason
        label: 不满意原因
        type: textarea
        visible_if: satisfaction == '不满意'   # 只在选“不满意”时出现
        required: true
  - title: 签字
    items:
      - {{id: handler, label: 经办人, type: signature}}
notes:
  - 本表一式两份。
"""


def starter_form(form_id: str, title: str, path: Path) -> str:
    root = find_root(path.resolve())
    repo_schema = _schema_path(root, path.resolve().parent)
    return TEMPLATE.format(form_id=form_id, title=title, name=path.name, schema=repo_schema)


def _schema_path(root: Path, folder: Path) -> str:
    """Relative path to schemas/form.schema.json when the form sits in a checkout, else the URL."""
    for base in (root, *root.parents):
        candidate = base / "schemas" / "form.schema.json"
        if candidate.is_file():
            return Path(os.path.relpath(candidate, folder)).as_posix()
    return "https://formengine.dev/schemas/form.schema.json"

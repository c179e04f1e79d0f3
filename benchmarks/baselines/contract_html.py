"""Baseline: the filled 买卖合同 printed by a hand-written Jinja2 template (templates/contract.html).

The template is compiled once (as any web app would) and rendered from the validated
hand-written model of :mod:`contract_model`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader

from formengine.cn import rmb_digit_boxes

ENV = Environment(loader=FileSystemLoader(str(Path(__file__).resolve().parent / "templates")), autoescape=True,
                  trim_blocks=True, lstrip_blocks=True)
ENV.filters["money"] = lambda v: "" if v is None else format(Decimal(v).quantize(Decimal("0.01")), "f")
ENV.filters["cn_date"] = lambda d: f"{d.year}年{d.month}月{d.day}日" if isinstance(d, dt.date) else ""
TEMPLATE = ENV.get_template("contract.html")


def render(contract: Any) -> str:
    return TEMPLATE.render(c=contract, boxes=rmb_digit_boxes(contract.grand_total, 10))

"""The 仟佰拾万仟佰拾元角分 boxes of an amount, in every format: no amount is left out of its boxes."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

import formengine

from .helpers import write_form

FORM = """\
id: voucher
title: 收款凭证
sections:
  - title: 金额
    items:
      - {id: amount, label: 金额, type: money, print: digit_boxes}
"""


@pytest.fixture(scope="module")
def voucher(tmp_path_factory: pytest.TempPathFactory) -> formengine.Form:
    return formengine.load(write_form(tmp_path_factory.mktemp("boxes"), FORM))


def html_boxes(form: formengine.Form, amount: str) -> tuple[list[str], list[str]]:
    html = str(form.render("html", {"amount": amount}))
    table = re.search(r'<table class="rmb-boxes">(.*?)</table>', html, re.DOTALL)
    assert table is not None
    return re.findall(r"<th>(.*?)</th>", table.group(1)), re.findall(r"<td>(.*?)</td>", table.group(1))


def test_ten_boxes_for_amounts_below_one_hundred_million(voucher: formengine.Form) -> None:
    units, digits = html_boxes(voucher, "1234.50")
    assert units == list("仟佰拾万仟佰拾元角分")
    assert digits == ["", "", "", "", "壹", "贰", "叁", "肆", "伍", "零"]


@pytest.mark.parametrize(("amount", "units", "digits"), [
    ("123456789.12", "亿仟佰拾万仟佰拾元角分", "壹贰叁肆伍陆柒捌玖壹贰"),
    ("20000000000", "佰拾亿仟佰拾万仟佰拾元角分", "贰零零零零零零零零零零零零"),
])
def test_amounts_of_an_yi_and_more_get_boxes_of_their_own(voucher: formengine.Form, amount: str, units: str,
                                                          digits: str) -> None:
    assert html_boxes(voucher, amount) == (list(units), list(digits))
    md = str(voucher.render("md", {"amount": amount}))
    assert all(d in md for d in digits)


def test_docx_prints_the_same_boxes(voucher: formengine.Form) -> None:
    docx = pytest.importorskip("docx")
    content = voucher.render("docx", {"amount": "123456789.12"})
    assert isinstance(content, bytes)
    cells = [c.text for t in docx.Document(io.BytesIO(content)).tables for row in t.rows for c in row.cells]
    joined = "".join(cells)
    assert "亿仟佰拾万仟佰拾元角分" in joined and "壹贰叁肆伍陆柒捌玖壹贰" in joined

"""Property tests: generated valid submissions are accepted, and survive dump → validate unchanged."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import formengine
from formengine.cn import rmb_upper

CONTRACT = formengine.load(Path(__file__).resolve().parents[1] / "forms" / "sales" / "sales_contract.yaml")

names = st.text(alphabet=st.characters(categories=["Lo", "Nd"]), min_size=1, max_size=12).map(str.strip).filter(bool)
prices = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False)
lines = st.lists(st.fixed_dictionaries({"name": names, "unit_price": prices.map(str),
                                        "qty": st.integers(min_value=1, max_value=1000)}),
                 min_size=1, max_size=20)
dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31))


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(lines=lines, sign=dates, days=st.integers(min_value=0, max_value=365))
def test_generated_contracts_are_accepted_and_exact(lines: list[dict], sign: dt.date, days: int) -> None:
    data = {"buyer": "甲方公司", "seller": "乙方公司", "lines": lines,
            "sign_date": f"{sign.year}年{sign.month}月{sign.day}日",
            "delivery_date": (sign + dt.timedelta(days=days)).isoformat()}
    result = CONTRACT.validate(data)
    assert result.ok, result.format("en")
    expected = sum(Decimal(x["unit_price"]) * x["qty"] for x in lines)
    assert result.value.grand_total == expected
    assert result.value.grand_total_upper == rmb_upper(expected)


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(lines=lines, sign=dates)
def test_valid_value_survives_dump_and_validate(lines: list[dict], sign: dt.date) -> None:
    first = CONTRACT.validate({"buyer": "甲", "seller": "乙", "lines": lines, "sign_date": sign.isoformat(),
                               "delivery_date": sign.isoformat()})
    assert first.ok
    dumped = json.loads(json.dumps(first.data(), ensure_ascii=False))
    second = CONTRACT.validate(dumped)
    assert second.ok and second.value == first.value


@given(amount=st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False, allow_infinity=False))
def test_money_keeps_exact_cents_and_refuses_fractions_of_a_cent(amount: Decimal) -> None:
    result = CONTRACT.validate({"buyer": "甲", "seller": "乙", "lines": [{"name": "x", "unit_price": str(amount), "qty": 1}],
                                "delivery_date": "2026-01-02", "sign_date": "2026-01-01"})
    if amount == amount.quantize(Decimal("0.01")):
        assert result.ok and result.value.grand_total == amount
    else:
        assert [(e.path, e.code) for e in result.errors] == [("lines[0].unit_price", "places")]

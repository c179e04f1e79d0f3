"""Baseline: the 买卖合同 (forms/sales/sales_contract.yaml) as a hand-written Pydantic v2 model.

What a developer would write without formengine, with the same checks: required fields,
money with at most two places, quantity ≥ 1, line total = unit price × quantity (given and
different is an error, absent is filled in), grand total, 大写 via ``formengine.cn.rmb_upper``,
dates in Chinese or ISO form, delivery not before signing, and every error reported at once.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from formengine.cn import parse_date, rmb_upper

CENT = Decimal("0.01")


def _date(v: Any) -> Any:
    return parse_date(v) if isinstance(v, str) else v


Money = Annotated[Decimal, Field(ge=0, decimal_places=2)]
Date = Annotated[dt.date, BeforeValidator(_date)]
Text = Annotated[str, Field(min_length=1)]
CONFIG = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Signature(BaseModel):
    model_config = CONFIG
    name: str | None = None
    date: Date | None = None


class Line(BaseModel):
    model_config = CONFIG
    name: Text
    spec: str | None = None
    unit_price: Money
    qty: Annotated[int, Field(ge=1)]
    total: Money | None = None

    @model_validator(mode="after")
    def _total(self) -> Line:
        expected = (self.unit_price * self.qty).quantize(CENT, rounding=ROUND_HALF_UP)
        if self.total is not None and self.total != expected:
            raise ValueError(f"总价应为 {expected} / the amount should be {expected}")
        self.total = expected
        return self


class SalesContract(BaseModel):
    model_config = CONFIG
    contract_no: str | None = None
    buyer: Text
    seller: Text
    lines: Annotated[list[Line], Field(min_length=1, max_length=50)]
    grand_total: Money | None = None
    grand_total_upper: str | None = None
    delivery_date: Date
    delivery_place: str | None = None
    delivery_method: str | None = None
    freight: str | None = None
    inspection_place: str | None = None
    warranty: str | None = None
    penalties: str | None = None
    other_terms: str | None = None
    buyer_signatory: Signature | None = None
    buyer_address: str | None = None
    seller_signatory: Signature | None = None
    seller_address: str | None = None
    sign_date: Date = Field(default_factory=dt.date.today)

    @model_validator(mode="after")
    def _totals_and_dates(self) -> SalesContract:
        errors = []
        total = sum((line.total or Decimal(0) for line in self.lines), Decimal(0)).quantize(CENT)
        if self.grand_total is not None and self.grand_total != total:
            errors.append(f"grand_total: 总价应为 {total}")
        upper = rmb_upper(total)
        if self.grand_total_upper not in (None, "", upper):
            errors.append(f"grand_total_upper: 应为 {upper}")
        self.grand_total, self.grand_total_upper = total, upper
        if self.delivery_date < self.sign_date:
            errors.append("delivery_date: 交货期限不得早于签约日期 / Delivery cannot precede signing")
        if errors:
            raise ValueError("; ".join(errors))
        return self


def validate(data: Any) -> SalesContract:
    """Raise pydantic.ValidationError listing every problem."""
    return SalesContract.model_validate(data)

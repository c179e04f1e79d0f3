"""Chinese business helpers: 大写金额, ID / credit-code / plate / phone checks, pinyin, dates.

Small pure functions meant to be called from form validators and renderers.  The
heavier third-party libraries (cn2an, python-stdnum, pypinyin) are imported inside
the functions that need them, so ``import formengine`` stays fast.

Validators (``is_valid_*``) never raise: anything that is not a well-formed string
gives ``False``.  Parsers raise ``ValueError`` with an English message, which is what
Pydantic turns into a field error.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

__all__ = [
    "id_card_birth_date",
    "id_card_gender",
    "is_valid_bank_account",
    "is_valid_id_card",
    "is_valid_mobile",
    "is_valid_phone",
    "is_valid_plate_number",
    "is_valid_postcode",
    "is_valid_uscc",
    "number_zh",
    "parse_date",
    "parse_year_month",
    "pinyin_initial_table",
    "pinyin_initials",
    "rmb_digit_boxes",
    "rmb_upper",
    "weekday_zh",
]

# ---------------------------------------------------------------------------
# 人民币金额
# ---------------------------------------------------------------------------

_CENT = Decimal("0.01")
_AMOUNT_LIMIT = Decimal(10) ** 12  # 万亿: beyond what 大写 forms (仟亿) can hold
_UPPER_DIGITS = "零壹贰叁肆伍陆柒捌玖"
# Box units, highest first.  The last 11 are the classic 亿仟佰拾万仟佰拾元角分
# grid; the three above 亿 let a grid cover every amount below 1e12.
_BOX_UNITS = ("仟", "佰", "拾", "亿", "仟", "佰", "拾", "万", "仟", "佰", "拾", "元", "角", "分")


def _to_amount(amount: Decimal | int | str) -> Decimal:
    """Parse *amount* and round it half-up to 分; ValueError if not a finite number < 1e12."""
    if isinstance(amount, bool):  # an int subclass, but True元 is a bug: "non-numeric"
        raise ValueError(f"amount must be a number, got {amount!r}")  # noqa: TRY004
    if isinstance(amount, float):  # not in the signature; repr gives the digits the user meant
        amount = repr(amount)
    try:
        value = Decimal(amount.strip()) if isinstance(amount, str) else Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"amount is not a number: {amount!r}") from None
    if not value.is_finite():
        raise ValueError(f"amount is not a finite number: {amount!r}")
    if abs(value) >= _AMOUNT_LIMIT:
        raise ValueError(f"amount out of range (must be below 1e12): {amount!r}")
    rounded = value.quantize(_CENT, rounding=ROUND_HALF_UP)
    if abs(rounded) >= _AMOUNT_LIMIT:  # 999999999999.995 rounds up to 1e12
        raise ValueError(f"amount out of range (must be below 1e12): {amount!r}")
    return rounded


def rmb_upper(amount: Decimal | int | str) -> str:
    """Write *amount* as 人民币大写金额, e.g. 1234.5 → "壹仟贰佰叁拾肆元伍角".

    The amount is first rounded half-up to 分 (cn2an itself truncates: it turns
    "1.009" into 壹元整).  cn2an's "rmb" mode does the conversion and already
    follows the 《支付结算办法》 rules for filling in 票据:

    * 整 after 元 when there is no 角/分 (100 → 壹佰元整, 0 → 零元整); nothing after 角/分;
    * 零 between 元 and 分 when 角 is 0 (10.05 → 壹拾元零伍分), none without 元 (0.05 → 伍分);
    * one 零 for a run of zeros inside the number (1001.01 → 壹仟零壹元零壹分); the
      optional 零 when only 元 is 0 before a non-zero 角 is left out
      (1680.32 → 壹仟陆佰捌拾元叁角贰分, allowed by the rules) and zeros at the end of
      the 万 group are not read (1001000 → 壹佰万壹仟元整, standard numeral reading).

    One post-processing step: when the whole 万 group is zero between 亿 and a
    non-zero 仟, cn2an drops the 零 (400006590 → 肆亿陆仟伍佰玖拾元) although it writes
    it in the analogous 100000001 → 壹亿零壹元整 and 101000000 → 壹亿零壹佰万元整; the
    standard reading is 肆亿零陆仟伍佰玖拾元, so the 零 is inserted after 亿.
    Negative amounts get the prefix "负".  ValueError for non-numbers and |amount| ≥ 1e12.
    """
    value = _to_amount(amount)
    import cn2an  # lazy: slow to import

    magnitude = abs(value)
    text = str(cn2an.an2cn(f"{magnitude:f}", "rmb"))
    digits = f"{int(magnitude):012d}"
    if digits[:4] != "0000" and digits[4:8] == "0000" and digits[8] != "0":
        text = text.replace("亿", "亿零", 1)
    return "负" + text if value < 0 else text


def rmb_digit_boxes(amount: Decimal | int | str, places: int = 10) -> list[tuple[str, str]]:
    """Fill the paper 仟佰拾万仟佰拾元角分 boxes: one (unit, 大写 digit) pair per box.

    The units are the last *places* of 仟 佰 拾 亿 仟 佰 拾 万 仟 佰 拾 元 角 分 (so
    places=10 gives 仟…分, places=11 adds 亿).  The boxes hold the digits of the amount
    as it is written in figures, rounded half-up to 分: boxes above its highest digit are
    "" and a sum below one 元 still gets 零 in the 元 box, e.g. 0.5 → 元 零, 角 伍, 分 零.
    No "¥" is put in the first empty box; the template draws any such mark.
    ValueError if the amount is negative or has more digits than there are boxes, or
    places is outside 3–14.
    """
    if isinstance(places, bool) or not isinstance(places, int):
        raise TypeError(f"places must be an int, got {places!r}")
    if not 3 <= places <= len(_BOX_UNITS):
        raise ValueError(f"places must be between 3 and {len(_BOX_UNITS)}, got {places}")
    value = _to_amount(amount)
    if value < 0:
        raise ValueError(f"amount boxes cannot hold a negative amount: {amount!r}")
    digits = f"{value:f}".replace(".", "")  # e.g. "123450" for 1234.50, "050" for 0.50
    if len(digits) > places:
        raise ValueError(f"amount {value} does not fit in {places} boxes")
    units = _BOX_UNITS[-places:]
    padded = [""] * (places - len(digits)) + [_UPPER_DIGITS[int(d)] for d in digits]
    return list(zip(units, padded, strict=True))


# ---------------------------------------------------------------------------
# 身份证 / 统一社会信用代码
# ---------------------------------------------------------------------------

_ID_CARD_RE = re.compile(r"[0-9]{17}[0-9X]")


def _id_card(value: object) -> tuple[str, date] | None:
    """Return (normalised number, birth date) for a valid 18-digit ID, else None."""
    if not isinstance(value, str):
        return None
    from stdnum.cn import ric
    from stdnum.exceptions import ValidationError

    number = ric.compact(value)  # strips surrounding space, upper-cases the x
    if not _ID_CARD_RE.fullmatch(number) or ric.calc_check_digit(number) != number[-1]:
        return None
    try:
        return number, ric.get_birth_date(number)
    except ValidationError:
        return None


def is_valid_id_card(value: str) -> bool:
    """Check an 18-character resident ID (居民身份证号码, GB 11643-1999).

    Checks the ISO 7064 MOD 11-2 check character (a lower-case x is accepted) and that
    characters 7–14 are a real calendar date.  Surrounding spaces are ignored and
    full-width digits are folded to ASCII (``stdnum.cn.ric.compact``).  Unlike ``stdnum.cn.ric.is_valid`` it does
    not require the 6-digit area code to be in stdnum's (dated) table of counties, and
    it does not compare the birth date with today (that would make it impure).
    15-digit first-generation numbers are rejected.
    """
    return _id_card(value) is not None


def id_card_birth_date(value: str) -> date | None:
    """Birth date encoded in a valid resident ID; None if the number is not valid."""
    parsed = _id_card(value)
    return parsed[1] if parsed else None


def id_card_gender(value: str) -> str | None:
    """Gender 男/女 from a valid resident ID (17th digit odd = male); None if not valid."""
    parsed = _id_card(value)
    if parsed is None:
        return None
    return "男" if int(parsed[0][16]) % 2 else "女"


# GB 32100-2015: 登记管理部门代码 1-9 or A (军队), N (农业), Y (其他); 机构类别代码 1-9;
# 6-digit 行政区划码; 9-character 主体标识码 and check character from 0-9 and the
# capital letters without I, O, S, V, Z.
_USCC_RE = re.compile(r"[1-9ANY][1-9][0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}")


def is_valid_uscc(value: str) -> bool:
    """Check a 统一社会信用代码 (GB 32100-2015) including its check character.

    Normalisation and the check character come from ``stdnum.cn.uscc`` (spaces and
    dashes dropped, lower case accepted).  The format test is done here because
    stdnum requires the first 8 characters to be digits and so rejects real codes
    whose registering authority is A, N (农村集体经济组织, "N2…") or Y.
    """
    if not isinstance(value, str):
        return False
    from stdnum.cn import uscc

    number = uscc.compact(value)
    return bool(_USCC_RE.fullmatch(number)) and uscc.calc_check_digit(number) == number[-1]


# ---------------------------------------------------------------------------
# 电话 / 手机 / 车牌 / 邮编 / 账号
# ---------------------------------------------------------------------------

_MOBILE_RE = re.compile(r"(?:\+?86)?1[3-9][0-9]{9}")
_SEPARATORS_RE = re.compile(r"[\s\-]+")


def is_valid_mobile(value: str) -> bool:
    """Mainland mobile number 1[3-9]xxxxxxxxx, optionally +86/86-prefixed.

    Spaces and dashes anywhere are ignored ("+86 138-0013-8000").
    """
    if not isinstance(value, str):
        return False
    return bool(_MOBILE_RE.fullmatch(_SEPARATORS_RE.sub("", value)))


# Landline digits once separators are gone: 3-digit area codes (010, 02x) take an
# 8-digit local number, 4-digit ones 7 or 8 digits.  Real local numbers start with
# 2-9, but 1 is allowed too: 021-12345678 is what people write on sample forms.
# 400/800 service numbers are 10 digits.
_LANDLINE_RE = re.compile(
    r"0(?:10|2[0-9])[1-9][0-9]{7}|0[3-9][0-9]{2}[1-9][0-9]{6,7}|[48]00[0-9]{7}"
)
_AREA_IN_PARENS_RE = re.compile(r"[(（]\s*(0[0-9]{2,3})\s*[)）](.*)")
_EXTENSION_RE = re.compile(r"(.*?)\s*(?:转|分机|ext\.?|x|#|-)\s*([0-9]{1,6})", re.IGNORECASE)


def _is_landline(value: str) -> bool:
    """Landline or 400/800 number without extension, separators and (区号) allowed."""
    value = value.strip()
    match = _AREA_IN_PARENS_RE.fullmatch(value)
    if match:
        value = match.group(1) + match.group(2)
    return bool(_LANDLINE_RE.fullmatch(_SEPARATORS_RE.sub("", value)))


def is_valid_phone(value: str) -> bool:
    """Telephone/fax number: a landline with area code, a 400/800 number, or a mobile.

    Accepted: 021-12345678, (0755)12345678 / （0755）12345678, 0755 1234 5678,
    400-800-8888, each optionally followed by an extension of 1–6 digits written
    转123, 分机123, -123, ext.123, ext 123, x123 or #123.  A local number without its
    area code (12345678) is rejected: on a form it is ambiguous.
    """
    if not isinstance(value, str):
        return False
    if is_valid_mobile(value) or _is_landline(value):
        return True
    match = _EXTENSION_RE.fullmatch(value.strip())
    return match is not None and _is_landline(match.group(1))


_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_L = "A-HJ-NP-Z"  # letters without I and O
_PLATE_RE = re.compile(
    rf"[{_PROVINCES}][{_L}][·・•.\s]?"
    rf"(?:[{_L}0-9]{{4}}[{_L}0-9挂学警港澳领试超]"  # ordinary: 5 characters
    rf"|[A-HJK][{_L}0-9][0-9]{{4}}"  # small new-energy: D/F(+A-K) first
    rf"|[0-9]{{5}}[DF])"  # large new-energy: D/F last
    rf"|使[0-9]{{3}}[·・•.\s]?[0-9]{{3}}"  # embassy: 使 + 3-digit mission + 3 digits
)


def is_valid_plate_number(value: str) -> bool:
    """Mainland motor-vehicle plate number (机动车号牌, GA 36-2018).

    Province abbreviation + 发牌机关代号 (letter, no I/O) + serial, with an optional
    "·"/space after the letter (京A·12345):

    * ordinary, 5 characters: letters (no I/O) or digits; the last may instead be
      挂 (trailer), 学 (driving school), 警, 港, 澳, 领 (consulate), 试, 超;
    * small new-energy, 6: D (pure electric) or F (other), then a letter or digit,
      then 4 digits (京AD12345).  Also accepted as first character: A B C E (pure
      electric) and G H J K (other), the 号段 extension later added to the small NEV
      plate; not checked against the primary amendment text;
    * large new-energy, 6: 5 digits then D or F (粤B12345D);
    * embassy: 使 + 6 digits (使014578).  领馆 plates are the ordinary form ending in
      领; 领 is not a leading character.

    Lower case letters are accepted.  Not covered: military, 武警 (WJ), 民航 and
    other plates outside GA 36, and GA 36's limit on how many letters a serial has.
    """
    if not isinstance(value, str):
        return False
    return bool(_PLATE_RE.fullmatch(value.strip().upper()))


def is_valid_postcode(value: str) -> bool:
    """Mainland postcode (邮政编码): exactly 6 ASCII digits."""
    return isinstance(value, str) and re.fullmatch(r"[0-9]{6}", value.strip()) is not None


def is_valid_bank_account(value: str) -> bool:
    """Bank account or card number: 8–30 digits once spaces are removed.

    No Luhn check: UnionPay cards pass it, but 对公账户 numbers generally do not.
    """
    if not isinstance(value, str):
        return False
    return re.fullmatch(r"[0-9]{8,30}", re.sub(r"\s+", "", value)) is not None


# ---------------------------------------------------------------------------
# 拼音首字母
# ---------------------------------------------------------------------------

_CJK_FIRST, _CJK_LAST = 0x4E00, 0x9FFF


@lru_cache(maxsize=1)
def _initial_table() -> dict[str, str]:
    """Shared cache behind pinyin_initials and pinyin_initial_table."""
    from pypinyin import Style, lazy_pinyin

    chars = [chr(code) for code in range(_CJK_FIRST, _CJK_LAST + 1)]
    # A list is taken as pre-segmented words, so each character is converted on its
    # own (same as lazy_pinyin(ch) per character) in one call.  Characters without a
    # reading come back unchanged and map to "".
    initials = lazy_pinyin(chars, style=Style.FIRST_LETTER)
    return {
        ch: ini.upper() if len(ini) == 1 and ini.isascii() and ini.isalpha() else ""
        for ch, ini in zip(chars, initials, strict=True)
    }


def pinyin_initial_table() -> dict[str, str]:
    """Initial of every character in U+4E00..U+9FFF, as pinyin_initials uses it.

    Embedded in the fillable HTML page so the browser computes exactly the same
    initials.  Values are one upper-case letter, or "" for the few characters that
    pypinyin has no reading for.  Returns a fresh copy of a cached table.
    """
    return dict(_initial_table())


def pinyin_initials(text: str) -> str:
    """Upper-case pinyin initials, e.g. "华星电子" → "HXDZ", "ABC科技2号" → "ABCKJ2H".

    Chinese characters (U+4E00..U+9FFF) map through pinyin_initial_table, i.e. pypinyin
    ``lazy_pinyin(ch, style=Style.FIRST_LETTER)`` one character at a time.  Going char by
    char drops pypinyin's phrase context (银行 gives YX, not YH; 重庆 ZQ), but keeps the
    result identical to the browser's.  ASCII letters are upper-cased, ASCII digits
    kept, everything else (punctuation, spaces, full-width forms, rarer CJK blocks)
    dropped.
    """
    table = _initial_table()
    out: list[str] = []
    for ch in text:
        if ch.isascii():
            if ch.isalnum():
                out.append(ch.upper())
        else:
            out.append(table.get(ch, ""))
    return "".join(out)


# ---------------------------------------------------------------------------
# 日期 / 数字
# ---------------------------------------------------------------------------

_WEEKDAYS = "一二三四五六日"


def weekday_zh(d: date) -> str:
    """Weekday name 星期一 … 星期日 for *d*."""
    return "星期" + _WEEKDAYS[d.weekday()]


# Full-width digits and separators (２０２６／１／５) become ASCII before parsing.
_FULLWIDTH = str.maketrans("０１２３４５６７８９－／．", "0123456789-/.")
_DATE_FORMATS = (
    re.compile(r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})"),
    re.compile(r"([0-9]{4})\s*(年)\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*[日号]"),
)
_YEAR_MONTH_FORMATS = (
    re.compile(r"([0-9]{4})[-/.]([0-9]{1,2})"),
    re.compile(r"([0-9]{4})\s*年\s*([0-9]{1,2})\s*月"),
)
_DATE_EXAMPLES = "2026-01-15, 2026/1/15, 2026.1.15 or 2026年1月15日"


def parse_date(value: str) -> date:
    """Parse the ways dates are written on Chinese forms.

    2026-01-15, 2026-1-5, 2026/1/15, 2026.1.15 (one separator throughout),
    2026年1月15日 and 2026年01月15号; full-width digits are fine.  ValueError with an
    English message for any other text and for impossible dates (2026-02-30);
    TypeError if *value* is not a str.
    """
    if not isinstance(value, str):
        raise TypeError(f"date must be a string, got {type(value).__name__}")
    text = value.strip().translate(_FULLWIDTH)
    for pattern in _DATE_FORMATS:
        match = pattern.fullmatch(text)
        if match:
            year, month, day = int(match.group(1)), int(match.group(3)), int(match.group(4))
            try:
                return date(year, month, day)
            except ValueError as exc:
                raise ValueError(f"not a valid date: {value!r} ({exc})") from None
    raise ValueError(f"unrecognised date {value!r}; expected e.g. {_DATE_EXAMPLES}")


def parse_year_month(value: str) -> str:
    """Normalise a year-month ("2026-1", "2026/01", "2026.1", "2026年1月") to "2026-01".

    ValueError for other text, month outside 1–12 or year 0000; TypeError for a non-str.
    """
    if not isinstance(value, str):
        raise TypeError(f"year-month must be a string, got {type(value).__name__}")
    text = value.strip().translate(_FULLWIDTH)
    for pattern in _YEAR_MONTH_FORMATS:
        match = pattern.fullmatch(text)
        if match:
            year, month = int(match.group(1)), int(match.group(2))
            if year < 1 or not 1 <= month <= 12:
                raise ValueError(f"not a valid year-month: {value!r}")
            return f"{year:04d}-{month:02d}"
    raise ValueError(f"unrecognised year-month {value!r}; expected e.g. 2026-01 or 2026年1月")


def number_zh(n: int) -> str:
    """Chinese numeral for section numbering (一、二、…): 10 → "十", 12 → "十二", 21 → "二十一".

    Written like cn2an (10–19 without a leading 一, one 零 for a run of zeros inside the
    number); below 10 000 without importing cn2an, which takes most of a second to import.
    ValueError for negative numbers and non-integers.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"expected a non-negative int, got {n!r}")
    if n < 10_000:
        return _small_number_zh(n)
    import cn2an  # lazy: slow to import

    return str(cn2an.an2cn(n))


_ZH_DIGITS = "零一二三四五六七八九"
_ZH_UNITS = ("", "十", "百", "千")


def _small_number_zh(n: int) -> str:
    if n == 0:
        return _ZH_DIGITS[0]
    out = ""
    zero = False
    for pos in (3, 2, 1, 0):
        d = n // 10**pos % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out += _ZH_DIGITS[0]
            zero = False
        out += _ZH_DIGITS[d] + _ZH_UNITS[pos]
    return out[1:] if 10 <= n < 20 else out

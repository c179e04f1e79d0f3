"""Tests for formengine.cn (Chinese business helpers).

Check digits and the 大写 reading are recomputed here from their definitions, so the
tests do not just repeat what stdnum / cn2an say.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from formengine import cn

# ---------------------------------------------------------------------------
# Independent reference implementations
# ---------------------------------------------------------------------------


def mod11_2_check(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of a resident ID (GB 11643-1999)."""
    weights = [2 ** (17 - i) % 11 for i in range(17)]  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    check = (12 - total % 11) % 11
    return "X" if check == 10 else str(check)


USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I O S V Z


def uscc_check(first17: str) -> str:
    """Check character of a 统一社会信用代码 (GB 32100-2015): weights 3^i mod 31."""
    total = sum(USCC_ALPHABET.index(c) * (3**i % 31) for i, c in enumerate(first17))
    return USCC_ALPHABET[(31 - total % 31) % 31]


UPPER = "零壹贰叁肆伍陆柒捌玖"


def reference_rmb_upper(cents: int) -> str:
    """Textbook 大写 reading: 4-digit groups (亿/万/个); zeros at the end of a group are
    not read, any other run of zeros is one 零; 元 is followed by 整 when there are no
    角/分, by 零 when 角 is 0 and 分 is not; the optional 零 for a zero 元 digit before
    a non-zero 角 is left out."""
    yuan, frac = divmod(cents, 100)
    jiao, fen = divmod(frac, 10)
    out = ""
    if yuan:
        groups = f"{yuan:012d}"
        started = pending_zero = False
        for group, name in zip((groups[0:4], groups[4:8], groups[8:12]), ("亿", "万", "")):
            if group == "0000":
                pending_zero = pending_zero or started
                continue
            if started and (pending_zero or group[0] == "0"):
                out += "零"
            text, zero = "", False
            for digit, unit in zip(group, ("仟", "佰", "拾", "")):
                if digit == "0":
                    zero = True
                    continue
                if zero and text:
                    text += "零"
                zero = False
                text += UPPER[int(digit)] + unit
            out += text + name
            started, pending_zero = True, False
        out += "元"
    if not jiao and not fen:
        return (out or "零元") + "整"
    if jiao:
        out += UPPER[jiao] + "角"
    elif yuan:
        out += "零"
    if fen:
        out += UPPER[fen] + "分"
    return out


# ---------------------------------------------------------------------------
# Import cost
# ---------------------------------------------------------------------------


def test_import_is_lazy() -> None:
    code = (
        "import sys, formengine.cn\n"
        "heavy = [m for m in ('cn2an', 'pypinyin', 'stdnum') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------------------
# 大写金额
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0.1", "壹角"),
        ("0.05", "伍分"),
        ("0.5", "伍角"),
        ("0", "零元整"),
        (1, "壹元整"),
        (10, "壹拾元整"),
        (100, "壹佰元整"),
        ("100.1", "壹佰元壹角"),
        ("1001.01", "壹仟零壹元零壹分"),
        ("10.05", "壹拾元零伍分"),
        ("1234.5", "壹仟贰佰叁拾肆元伍角"),
        (Decimal("1234.56"), "壹仟贰佰叁拾肆元伍角陆分"),
        (1000000, "壹佰万元整"),
        ("120000.50", "壹拾贰万元伍角"),
        ("1409.50", "壹仟肆佰零玖元伍角"),  # 《支付结算办法》 examples
        ("6007.14", "陆仟零柒元壹角肆分"),
        ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
        ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
        ("325.04", "叁佰贰拾伍元零肆分"),
        ("100000001", "壹亿零壹元整"),
        ("101000000", "壹亿零壹佰万元整"),
        ("1001000", "壹佰万壹仟元整"),
        ("400006590.5", "肆亿零陆仟伍佰玖拾元伍角"),  # cn2an alone drops this 零
        ("100001000", "壹亿零壹仟元整"),
        ("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
        ("-5", "负伍元整"),
        ("-1234.5", "负壹仟贰佰叁拾肆元伍角"),
        (" 8.8 ", "捌元捌角"),
    ],
)
def test_rmb_upper_known(amount: Decimal | int | str, expected: str) -> None:
    assert cn.rmb_upper(amount) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("1.005", "壹元零壹分"),  # half-up, cn2an alone would truncate to 壹元整
        ("0.995", "壹元整"),
        ("1.004", "壹元整"),
        ("-0.004", "零元整"),  # rounds to zero: no 负
        ("2.675", "贰元陆角捌分"),
    ],
)
def test_rmb_upper_rounds_half_up(amount: str, expected: str) -> None:
    assert cn.rmb_upper(amount) == expected


@pytest.mark.parametrize(
    "amount",
    [
        "1e12",
        "1000000000000",
        "-1000000000000",
        "999999999999.995",
        "abc",
        "",
        "NaN",
        "Infinity",
        "1,000",
        True,
        None,
    ],
)
def test_rmb_upper_rejects(amount: object) -> None:
    with pytest.raises(ValueError):
        cn.rmb_upper(amount)  # type: ignore[arg-type]


# Sparse digit strings so that runs of zeros (the hard part) are common.
sparse_cents = st.lists(st.sampled_from("000000123456789"), min_size=1, max_size=14).map(
    lambda digits: int("".join(digits))
)


@settings(deadline=None, max_examples=500)
@given(sparse_cents)
def test_rmb_upper_matches_reference(cents: int) -> None:
    amount = Decimal(cents) / 100
    assert cn.rmb_upper(amount) == reference_rmb_upper(cents)
    assert cn.rmb_upper(f"{amount:f}") == reference_rmb_upper(cents)
    if cents:
        assert cn.rmb_upper(-amount) == "负" + reference_rmb_upper(cents)


# ---------------------------------------------------------------------------
# 金额格子
# ---------------------------------------------------------------------------


def test_digit_boxes_1234_5() -> None:
    assert cn.rmb_digit_boxes("1234.5") == [
        ("仟", ""), ("佰", ""), ("拾", ""), ("万", ""),
        ("仟", "壹"), ("佰", "贰"), ("拾", "叁"), ("元", "肆"), ("角", "伍"), ("分", "零"),
    ]  # fmt: skip


def test_digit_boxes_units_and_edges() -> None:
    assert [u for u, _ in cn.rmb_digit_boxes(1, 11)] == list("亿仟佰拾万仟佰拾元角分")
    assert cn.rmb_digit_boxes("0.5", 3) == [("元", "零"), ("角", "伍"), ("分", "零")]
    assert cn.rmb_digit_boxes("99999999.99") == [(u, "玖") for u in "仟佰拾万仟佰拾元角分"]
    assert cn.rmb_digit_boxes("10000000")[0] == ("仟", "壹")
    with pytest.raises(ValueError):
        cn.rmb_digit_boxes("100000000")  # 亿 does not fit in 10 boxes
    assert cn.rmb_digit_boxes("100000000", 11)[0] == ("亿", "壹")
    with pytest.raises(ValueError):
        cn.rmb_digit_boxes("-1")
    with pytest.raises(ValueError):
        cn.rmb_digit_boxes("1", 2)
    with pytest.raises(ValueError):
        cn.rmb_digit_boxes("x")


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=10**10 - 1), st.integers(min_value=10, max_value=14))
def test_digit_boxes_roundtrip(cents: int, places: int) -> None:
    boxes = cn.rmb_digit_boxes(Decimal(cents) / 100, places)
    assert len(boxes) == places
    digits = "".join(str(UPPER.index(d)) for _, d in boxes if d)
    assert int(digits) == cents
    filled = [d for _, d in boxes]
    first = next(i for i, d in enumerate(filled) if d)
    assert all(filled[first:]) and not any(filled[:first])


# ---------------------------------------------------------------------------
# 身份证
# ---------------------------------------------------------------------------


def make_id(prefix17: str) -> str:
    return prefix17 + mod11_2_check(prefix17)


def test_id_card_reference_algorithm() -> None:
    # The GB 11643-1999 sample number; its check character is X.
    assert mod11_2_check("11010519491231002") == "X"


def test_id_card_known() -> None:
    female = "11010519491231002X"
    assert cn.is_valid_id_card(female)
    assert cn.is_valid_id_card(female.lower())
    assert cn.is_valid_id_card(f"  {female} ")
    assert cn.id_card_birth_date(female) == date(1949, 12, 31)
    assert cn.id_card_gender(female.lower()) == "女"

    male = make_id("44030420000229123")  # 2000-02-29 exists
    assert cn.is_valid_id_card(male)
    assert cn.id_card_birth_date(male) == date(2000, 2, 29)
    assert cn.id_card_gender(male) == "男"


def test_id_card_invalid() -> None:
    good = make_id("32010619850615201")
    wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert not cn.is_valid_id_card(wrong_check)
    assert cn.id_card_birth_date(wrong_check) is None
    assert cn.id_card_gender(wrong_check) is None
    assert not cn.is_valid_id_card(make_id("32010619850230201"))  # 02-30
    assert not cn.is_valid_id_card(make_id("32010619001301201"))  # month 13
    assert not cn.is_valid_id_card(make_id("32010619990229201"))  # 1999 not leap
    assert not cn.is_valid_id_card(good[:-1])  # 17 characters
    assert not cn.is_valid_id_card(good + "1")
    assert not cn.is_valid_id_card("3201061985061520X1")  # X not last
    assert not cn.is_valid_id_card("320106850615201")  # 15-digit old format
    assert not cn.is_valid_id_card("")
    assert not cn.is_valid_id_card(None)  # type: ignore[arg-type]
    assert not cn.is_valid_id_card("32010619850615201" + "Y")


def test_id_card_fullwidth_is_normalised() -> None:
    # stdnum's compact() folds full-width digits (typed with a Chinese IME) to ASCII.
    good = make_id("32010619850615201")
    assert cn.is_valid_id_card("３２０１０６１９８５０６１５２０１" + good[-1])


@given(
    st.sampled_from(["110105", "310104", "440304", "510107", "650102"]),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
def test_id_card_generated(area: str, born: date, seq: int) -> None:
    number = make_id(f"{area}{born:%Y%m%d}{seq:03d}")
    assert cn.is_valid_id_card(number)
    assert cn.id_card_birth_date(number) == born
    assert cn.id_card_gender(number) == ("男" if seq % 2 else "女")
    for other in "0123456789X":
        if other != number[-1]:
            assert not cn.is_valid_id_card(number[:-1] + other)


# ---------------------------------------------------------------------------
# 统一社会信用代码
# ---------------------------------------------------------------------------


def test_uscc_known() -> None:
    code = "91350100M000100Y43"
    assert uscc_check(code[:17]) == code[-1]  # independently verified
    assert cn.is_valid_uscc(code)
    assert cn.is_valid_uscc(code.lower())
    assert cn.is_valid_uscc("9135 0100 M000 100Y 43")
    assert not cn.is_valid_uscc(code[:-1] + "4")
    assert not cn.is_valid_uscc(code[:-1] + "Z")  # Z is not in the alphabet
    assert not cn.is_valid_uscc(code[:-1])
    assert not cn.is_valid_uscc("")
    assert not cn.is_valid_uscc(None)  # type: ignore[arg-type]


def test_uscc_letter_authority() -> None:
    # 农村集体经济组织 codes start with N (registering authority 农业); stdnum's own
    # is_valid rejects them, ours must not.
    code = "N2330106" + "MA2B3C4D5"
    code += uscc_check(code)
    assert cn.is_valid_uscc(code)
    assert not cn.is_valid_uscc("B" + code[1:])  # B is not an authority code


@given(st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9), st.integers(100000, 999999))
def test_uscc_generated(body: str, region: int) -> None:
    code = f"91{region}{body}"
    code += uscc_check(code)
    assert cn.is_valid_uscc(code)
    wrong = USCC_ALPHABET[(USCC_ALPHABET.index(code[-1]) + 1) % 31]
    assert not cn.is_valid_uscc(code[:-1] + wrong)


# ---------------------------------------------------------------------------
# 电话 / 手机 / 车牌 / 邮编 / 账号
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "13800138000",
        "19912345678",
        "+8613800138000",
        "8613800138000",
        "+86 138 0013 8000",
        "138-0013-8000",
        " 13800138000 ",
    ],
)
def test_mobile_valid(value: str) -> None:
    assert cn.is_valid_mobile(value)


@pytest.mark.parametrize(
    "value",
    [
        "12800138000",
        "1380013800",
        "138001380000",
        "+85213800138000",
        "1380013800a",
        "１３８００１３８０００",
        "",
        "021-12345678",
    ],
)
def test_mobile_invalid(value: str) -> None:
    assert not cn.is_valid_mobile(value)


@pytest.mark.parametrize(
    "value",
    [
        "021-12345678",
        "010-87654321",
        "(0755)12345678",
        "（0755）12345678",
        "(0755) 1234-5678",
        "0755 1234 5678",
        "0755-1234567",
        "02112345678",
        "400-800-8888",
        "4008008888",
        "800-820-8820",
        "021-12345678转123",
        "021-12345678-123",
        "021-12345678 ext.123",
        "021-12345678 ext 45",
        "0755-12345678 分机 8",
        "13800138000",
    ],
)
def test_phone_valid(value: str) -> None:
    assert cn.is_valid_phone(value)


@pytest.mark.parametrize(
    "value",
    [
        "12345678",
        "021-1234567",
        "021-123456789",
        "21-12345678",
        "021-02345678",
        "500-800-8888",
        "400-800-888",
        "021-12345678转",
        "021-12345678转1234567",
        "phone",
        "",
    ],
)
def test_phone_invalid(value: str) -> None:
    assert not cn.is_valid_phone(value)


@pytest.mark.parametrize(
    "value",
    [
        "京A12345",
        "沪B9X8Y7",
        "京A·12345",
        "京A 12345",
        "粤Z1234港",
        "粤Z1234澳",
        "京A1234警",
        "沪A1234领",
        "粤A1234学",
        "川A1234挂",
        "京a12345",
        "沪AD12345",
        "京AFA1234",
        "粤B·D12345",
        "京AA12345",
        "京AK12345",  # small NEV
        "粤B12345D",
        "京A12345F",  # large NEV
        "使014578",
    ],
)
def test_plate_valid(value: str) -> None:
    assert cn.is_valid_plate_number(value)


@pytest.mark.parametrize(
    "value",
    [
        "京A1234",
        "京AI2345",
        "京AO2345",
        "京I12345",
        "京O12345",
        "京A123456",
        "港A12345",
        "领A12345",
        "A12345",
        "京12345",
        "京AD1234A",
        "京AL12345",
        "京AD1A234",
        "京A12345X",
        "京A12警345",
        "京A··12345",
        "沪AD1A2345",
        "",
    ],
)
def test_plate_invalid(value: str) -> None:
    assert not cn.is_valid_plate_number(value)


def test_postcode_and_bank_account() -> None:
    assert cn.is_valid_postcode("100000")
    assert cn.is_valid_postcode("518057")
    assert not cn.is_valid_postcode("10000")
    assert not cn.is_valid_postcode("1000000")
    assert not cn.is_valid_postcode("10000a")
    assert not cn.is_valid_postcode("１０００００")
    assert cn.is_valid_bank_account("6222 0212 3456 7890 123")
    assert cn.is_valid_bank_account("12345678")
    assert cn.is_valid_bank_account("1" * 30)
    assert not cn.is_valid_bank_account("1234567")
    assert not cn.is_valid_bank_account("1" * 31)
    assert not cn.is_valid_bank_account("6222-0212-3456")
    assert not cn.is_valid_bank_account(None)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# 拼音首字母
# ---------------------------------------------------------------------------


def test_pinyin_initials_examples() -> None:
    assert cn.pinyin_initials("华星电子") == "HXDZ"
    assert cn.pinyin_initials("华星电子abc123 有限公司") == "HXDZABC123YXGS"
    assert cn.pinyin_initials("中国（北京）-科技·2号") == "ZGBJKJ2H"
    assert cn.pinyin_initials("") == ""
    assert cn.pinyin_initials("ＡＢＣ！") == ""  # full-width forms are dropped
    # Char by char: no phrase context (银行 would be YH with it).
    assert cn.pinyin_initials("银行") == cn.pinyin_initials("银") + cn.pinyin_initials("行")


def test_pinyin_initial_table_whole_block() -> None:
    from pypinyin import Style, lazy_pinyin

    table = cn.pinyin_initial_table()
    assert len(table) == 0x9FFF - 0x4E00 + 1
    assert set(table.values()) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ") | {""}
    assert sum(1 for v in table.values() if v) > 20000
    assert table["华"] == "H" and table["一"] == "Y"
    for code in range(0x4E00, 0xA000):  # per-character pypinyin call, ~0.5 s
        ch = chr(code)
        (initial,) = lazy_pinyin(ch, style=Style.FIRST_LETTER)
        expected = initial.upper() if initial != ch else ""
        assert table[ch] == expected, ch
    table["华"] = "?"  # callers get a copy
    assert cn.pinyin_initial_table()["华"] == "H"


cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)


@settings(deadline=None)
@given(st.text(alphabet=cjk, max_size=30))
def test_pinyin_initials_agree_with_table(text: str) -> None:
    table = cn.pinyin_initial_table()
    assert cn.pinyin_initials(text) == "".join(table[ch] for ch in text)


@settings(deadline=None)
@given(st.text(alphabet=st.one_of(cjk, st.characters(max_codepoint=0x7F)), max_size=30))
def test_pinyin_initials_mixed_text(text: str) -> None:
    table = cn.pinyin_initial_table()
    expected = "".join(
        ch.upper() if ch.isascii() and ch.isalnum() else table.get(ch, "") for ch in text
    )
    assert cn.pinyin_initials(text) == expected


# ---------------------------------------------------------------------------
# 日期 / 数字
# ---------------------------------------------------------------------------


def test_weekday_zh() -> None:
    assert cn.weekday_zh(date(2026, 1, 12)) == "星期一"
    assert cn.weekday_zh(date(2026, 1, 17)) == "星期六"
    assert cn.weekday_zh(date(2026, 1, 18)) == "星期日"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-15", date(2026, 1, 15)),
        ("2026-1-5", date(2026, 1, 5)),
        ("2026/1/15", date(2026, 1, 15)),
        ("2026.1.15", date(2026, 1, 15)),
        ("2026年1月15日", date(2026, 1, 15)),
        ("2026年01月15号", date(2026, 1, 15)),
        ("２０２６年１月１５日", date(2026, 1, 15)),
        ("２０２６－０１－１５", date(2026, 1, 15)),
        (" 2024-02-29 ", date(2024, 2, 29)),
    ],
)
def test_parse_date_valid(text: str, expected: date) -> None:
    assert cn.parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2026-02-30",
        "2025-02-29",
        "2026-13-01",
        "2026-00-10",
        "2026-01-00",
        "2026年2月30日",
        "0000-01-01",
        "2026-01/15",
        "26-01-15",
        "20260115",
        "2026-01",
        "2026年1月15",
        "15/01/2026",
        "2026-001-15",
        "tomorrow",
        "",
    ],
)
def test_parse_date_invalid(text: str) -> None:
    with pytest.raises(ValueError, match="date"):
        cn.parse_date(text)


def test_parse_date_message_is_clear() -> None:
    with pytest.raises(ValueError, match=r"not a valid date: '2026-02-30'"):
        cn.parse_date("2026-02-30")
    with pytest.raises(ValueError, match=r"unrecognised date 'x'; expected e\.g\. 2026-01-15"):
        cn.parse_date("x")
    with pytest.raises(TypeError):
        cn.parse_date(None)  # type: ignore[arg-type]


@given(st.dates(min_value=date(1000, 1, 1)))
def test_parse_date_roundtrip(d: date) -> None:
    assert cn.parse_date(f"{d.year}年{d.month}月{d.day}日") == d
    assert cn.parse_date(d.isoformat()) == d
    assert cn.parse_date(f"{d.year}/{d.month}/{d.day}") == d


@pytest.mark.parametrize(
    "text", ["2026-01", "2026-1", "2026/01", "2026.1", "2026年1月", "2026年01月", "２０２６年１月"]
)
def test_parse_year_month_valid(text: str) -> None:
    assert cn.parse_year_month(text) == "2026-01"


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-0", "2026年13月", "0000-01", "26-01", "2026-01-15", "2026", "", "x"]
)
def test_parse_year_month_invalid(text: str) -> None:
    with pytest.raises(ValueError):
        cn.parse_year_month(text)


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "一"),
        (2, "二"),
        (9, "九"),
        (10, "十"),
        (11, "十一"),
        (12, "十二"),
        (20, "二十"),
        (21, "二十一"),
        (99, "九十九"),
        (0, "零"),
    ],
)
def test_number_zh(n: int, expected: str) -> None:
    assert cn.number_zh(n) == expected


def test_number_zh_rejects() -> None:
    for bad in (-1, True, 1.5, "3"):
        with pytest.raises(ValueError):
            cn.number_zh(bad)  # type: ignore[arg-type]

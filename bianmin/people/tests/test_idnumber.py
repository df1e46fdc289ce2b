"""Tests for bianmin.people.idnumber: pure Python, no Django settings or database needed."""

import json
from datetime import date

import pytest

from bianmin.people import idnumber
from bianmin.people.idnumber import (
    ERROR_MESSAGES,
    IdNumberCheck,
    age_on,
    check_character,
    check_id_number,
    convert_15_to_18,
    make_id_number,
    mask_id_number,
    region_exists,
    region_name,
)

TODAY = date(2025, 6, 15)


# --- check character ------------------------------------------------------------------------


def test_check_character_verified_vectors() -> None:
    assert check_character("11010519491231002") == "X"
    assert check_character("44052418800101001") == "4"


def test_check_character_rejects_non_digits_and_wrong_length() -> None:
    with pytest.raises(ValueError, match="expected 17 digits"):
        check_character("1101051949123100")
    with pytest.raises(ValueError, match="expected 17 digits"):
        check_character("1101051949123100X")


def test_verified_vectors_are_valid() -> None:
    result = check_id_number("11010519491231002X", today=TODAY)
    assert result == IdNumberCheck(
        valid=True,
        normalized="11010519491231002X",
        birth_date=date(1949, 12, 31),
        gender="female",
        region_code="110105",
        region_name="北京市朝阳区",
        error_code=None,
        error=None,
        converted=None,
    )
    result = check_id_number("440524188001010014", today=TODAY)
    assert result.valid is True
    assert result.birth_date == date(1880, 1, 1)
    assert result.gender == "male"
    assert result.region_code == "440524"


# --- normalization and format errors --------------------------------------------------------


def test_lower_case_x_and_whitespace_are_normalized() -> None:
    result = check_id_number("  11010519491231002x \n", today=TODAY)
    assert result.valid is True
    assert result.normalized == "11010519491231002X"


def test_full_width_input_is_normalized() -> None:
    result = check_id_number("１１０１０５１９４９１２３１００２Ｘ", today=TODAY)
    assert result.valid is True
    assert result.normalized == "11010519491231002X"


def test_length_error() -> None:
    result = check_id_number("1101051949123100", today=TODAY)
    assert result.valid is False
    assert result.error_code == "length"
    assert result.error == "身份证号码应为18位，当前为 16 位"
    assert result.birth_date is None
    assert result.region_code is None


def test_x_only_allowed_in_last_position() -> None:
    result = check_id_number("1101051949123100X2", today=TODAY)
    assert result.error_code == "characters"
    assert result.error == "身份证号码只能由数字组成，仅最后一位可以是 X"


def test_other_letters_rejected() -> None:
    assert check_id_number("11010519491231002A", today=TODAY).error_code == "characters"
    assert check_id_number("A1010519491231002X", today=TODAY).error_code == "characters"


def test_non_ascii_digits_rejected() -> None:
    # Arabic-Indic digits survive NFKC and are str.isdigit(), but are not valid here.
    value = "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X"
    assert check_id_number(value, today=TODAY).error_code == "characters"


def test_check_digit_error() -> None:
    result = check_id_number("110105194912310021", today=TODAY)
    assert result.valid is False
    assert result.error_code == "check_digit"
    assert result.error == "校验位错误，应为 X"


# --- birth date -----------------------------------------------------------------------------


def test_impossible_birth_date() -> None:
    number = "61052219990230" + "123"
    number += check_character(number)
    result = check_id_number(number, today=TODAY)
    assert result.error_code == "birth_date"
    assert result.error == "出生日期不存在：19990230"
    assert result.birth_date is None
    assert result.gender == "male"
    assert result.region_code == "610522"


def test_feb_29_on_leap_year_is_valid() -> None:
    number = make_id_number("610522", date(2000, 2, 29), 124)
    assert number[6:14] == "20000229"
    result = check_id_number(number, today=TODAY)
    assert result.valid is True
    assert result.birth_date == date(2000, 2, 29)


def test_feb_29_on_non_leap_years_is_rejected() -> None:
    for year in ("1999", "1900"):  # 1900: divisible by 100, not by 400
        first17 = f"610522{year}0229124"
        result = check_id_number(first17 + check_character(first17), today=TODAY)
        assert result.error_code == "birth_date"
        assert result.error == f"出生日期不存在：{year}0229"


def test_future_birth_date_with_pinned_today() -> None:
    number = make_id_number("610522", date(2025, 6, 16), 123)
    result = check_id_number(number, today=TODAY)
    assert result.valid is False
    assert result.error_code == "future_birth_date"
    assert result.error == "出生日期晚于今天：20250616"
    assert result.birth_date == date(2025, 6, 16)


def test_born_today_is_valid() -> None:
    number = make_id_number("610522", TODAY, 123)
    assert check_id_number(number, today=TODAY).valid is True


def test_default_today_comes_from_module_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    number = make_id_number("610522", date(2030, 1, 1), 123)
    monkeypatch.setattr(idnumber, "clock", lambda: date(2029, 12, 31))
    assert check_id_number(number).error_code == "future_birth_date"
    monkeypatch.setattr(idnumber, "clock", lambda: date(2030, 1, 1))
    assert check_id_number(number).valid is True


# --- region codes ---------------------------------------------------------------------------


def test_weinan_codes_exist() -> None:
    for code in (
        "610500", "610502", "610503", "610522", "610523", "610524", "610525",
        "610526", "610527", "610528", "610581", "610582",
    ):  # fmt: skip
        assert region_exists(code), code
    assert region_name("610522") == "陕西省渭南市潼关县"
    assert region_name("610502") == "陕西省渭南市临渭区"
    assert region_name("610523") == "陕西省渭南市大荔县"
    assert region_name("610581") == "陕西省渭南市韩城市"


def test_region_name_in_result() -> None:
    result = check_id_number(make_id_number("610522", date(1990, 1, 1), 124), today=TODAY)
    assert result.region_code == "610522"
    assert result.region_name == "陕西省渭南市潼关县"


def _abolished_codes() -> set[str]:
    with idnumber.REGIONS_PATH.open(encoding="utf-8") as fh:
        return set(json.load(fh)["abolished"])


def test_historical_region_codes_are_accepted() -> None:
    abolished = _abolished_codes()
    # 华县 became 华州区 (610503) in 2015; 渭南地区 (6121xx) became 渭南市 (6105xx) in 1994.
    for code, name in (
        ("610521", "陕西省渭南市华县"),
        ("612126", "陕西省渭南地区潼关县"),
        ("612124", "陕西省渭南地区华县"),
        ("110223", "北京市通县"),
    ):
        assert code in abolished
        number = make_id_number(code, date(1970, 5, 1), 31)
        result = check_id_number(number, today=TODAY)
        assert result.valid is True, code
        assert result.region_code == code
        assert result.region_name == name


def test_hong_kong_macau_taiwan_codes_are_accepted() -> None:
    for code, name in (
        ("810000", "香港特别行政区"),
        ("820000", "澳门特别行政区"),
        ("830000", "台湾省"),
    ):
        result = check_id_number(make_id_number(code, date(1988, 8, 8), 2), today=TODAY)
        assert result.valid is True
        assert result.region_name == name
        assert result.gender == "female"


def test_unknown_region_rejected() -> None:
    first17 = "12345619900101123"
    result = check_id_number(first17 + check_character(first17), today=TODAY)
    assert result.valid is False
    assert result.error_code == "region_code"
    assert result.error == "地址码 123456 不在行政区划代码表中（含历史代码）"
    assert result.region_code == "123456"
    assert result.region_name is None
    assert result.birth_date == date(1990, 1, 1)


def test_region_exists() -> None:
    assert region_exists("610522") is True
    assert region_exists("123456") is False
    assert region_exists("61052") is False
    assert region_name("123456") is None


# --- gender ---------------------------------------------------------------------------------


def test_gender_from_position_17() -> None:
    assert check_id_number(make_id_number("610522", date(1990, 1, 1), 123)).gender == "male"
    assert check_id_number(make_id_number("610522", date(1990, 1, 1), 124)).gender == "female"


def test_gender_matches() -> None:
    number = make_id_number("610522", date(1990, 1, 1), 123)
    assert check_id_number(number, gender="male", today=TODAY).valid is True


def test_gender_mismatch() -> None:
    number = make_id_number("610522", date(1990, 1, 1), 124)
    result = check_id_number(number, gender="male", today=TODAY)
    assert result.valid is False
    assert result.error_code == "gender_mismatch"
    assert result.error == "性别与身份证号码不符：号码第17位表示女性"
    assert result.gender == "female"
    male = make_id_number("610522", date(1990, 1, 1), 123)
    result = check_id_number(male, gender="female", today=TODAY)
    assert result.error == "性别与身份证号码不符：号码第17位表示男性"


def test_invalid_gender_argument_raises() -> None:
    with pytest.raises(ValueError, match="gender must be one of"):
        check_id_number("11010519491231002X", gender="F", today=TODAY)


# --- 15-digit numbers -----------------------------------------------------------------------


def test_convert_15_to_18() -> None:
    assert convert_15_to_18("110105491231002") == "11010519491231002X"
    assert convert_15_to_18("440524800101001") == "440524198001010013"
    with pytest.raises(ValueError, match="expected 15 digits"):
        convert_15_to_18("11010549123100X")


def test_15_digit_number_needs_conversion() -> None:
    result = check_id_number("110105491231002", today=TODAY)
    assert result == IdNumberCheck(
        valid=False,
        normalized="110105491231002",
        birth_date=date(1949, 12, 31),
        gender="female",
        region_code="110105",
        region_name="北京市朝阳区",
        error_code="needs_conversion",
        error="15位旧号码需先升级为18位：建议 11010519491231002X",
        converted="11010519491231002X",
    )
    assert check_id_number(result.converted or "", today=TODAY).valid is True


def test_15_digit_number_with_bad_date_reports_the_date() -> None:
    result = check_id_number("610522990230123", today=TODAY)
    assert result.error_code == "birth_date"
    assert result.error == "出生日期不存在：19990230"
    assert result.converted is None


# --- masking, age, generation ---------------------------------------------------------------


def test_mask_id_number() -> None:
    assert mask_id_number("61052219900101124X") == "610522********124X"
    assert mask_id_number(" 61052219900101124x ") == "610522********124X"
    assert mask_id_number("610522900101124") == "610522*****1124"
    assert mask_id_number("6105221990") == "**********"
    assert mask_id_number("") == ""


def test_age_on_around_birthday() -> None:
    number = make_id_number("610522", date(1990, 6, 15), 123)
    assert age_on(number, date(2025, 6, 14)) == 34
    assert age_on(number, date(2025, 6, 15)) == 35
    assert age_on(number, date(2025, 6, 16)) == 35
    assert age_on(number, date(1990, 6, 15)) == 0


def test_age_on_leap_day_birthday() -> None:
    number = make_id_number("610522", date(2000, 2, 29), 123)
    assert age_on(number, date(2018, 2, 28)) == 17
    assert age_on(number, date(2018, 3, 1)) == 18
    assert age_on(number, date(2020, 2, 28)) == 19
    assert age_on(number, date(2020, 2, 29)) == 20


def test_age_on_accepts_15_digits_and_rejects_garbage() -> None:
    assert age_on("110105491231002", date(2025, 1, 1)) == 75
    with pytest.raises(ValueError, match="no birth date"):
        age_on("61052219990230123X", date(2025, 1, 1))
    with pytest.raises(ValueError, match="before the birth date"):
        age_on("11010519491231002X", date(1949, 12, 30))


def test_make_id_number_round_trip() -> None:
    number = make_id_number("610522", date(1985, 3, 7), 57)
    assert number == "610522198503070576"  # check character worked out by hand: 270 % 11 = 6
    assert number[14:17] == "057"
    result = check_id_number(number, gender="male", today=TODAY)
    assert result.valid is True
    assert result.birth_date == date(1985, 3, 7)
    assert result.region_code == "610522"
    assert make_id_number("110105", date(1949, 12, 31), 2) == "11010519491231002X"


def test_make_id_number_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="unknown region code"):
        make_id_number("123456", date(1990, 1, 1), 1)
    with pytest.raises(ValueError, match="sequence must be"):
        make_id_number("610522", date(1990, 1, 1), 1000)
    with pytest.raises(ValueError, match="sequence must be"):
        make_id_number("610522", date(1990, 1, 1), -1)


def test_every_error_code_has_a_message() -> None:
    assert set(ERROR_MESSAGES) == {
        "length",
        "characters",
        "check_digit",
        "birth_date",
        "future_birth_date",
        "region_code",
        "gender_mismatch",
        "needs_conversion",
    }

"""Numbers typed by people (core/numbers.py): read strictly in their language's format,
never another way. Pure, no database."""

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from core.numbers import (
    ENGLISH,
    NumberError,
    NumberFormat,
    active_number_format,
    format_plain,
    parse_decimal,
)

FRENCH = NumberFormat(",", "\u00a0")  # Django's fr: decimal comma, no-break space groups
GERMAN = NumberFormat(",", ".")
NBSP, NNBSP = "\u00a0", "\u202f"
D = Decimal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.5", D("12.5")),
        ("77.9", D("77.9")),
        ("0", D("0")),
        ("-3", D("-3")),
        ("+3", D("3")),
        ("\u22123.5", D("-3.5")),  # the minus sign, as word processors write it
        ("-0", D("0")),  # never "-0"
        (".5", D("0.5")),
        ("5.", D("5")),
        ("  12.5 ", D("12.5")),
        ("1,234.5", D("1234.5")),
        ("12,500", D("12500")),  # correctly grouped: twelve thousand five hundred
        ("1,234,567.89", D("1234567.89")),
        ("1 234.5", D("1234.5")),  # spaces group digits in every language
        (f"1{NBSP}234{NBSP}567", D("1234567")),
        ("1250000", D("1250000")),
        ("0.000001", D("0.000001")),
        ("12.500", D("12.500")),  # as typed: the places are the caller's business
    ],
)
def test_english_reads(text, expected):
    assert parse_decimal(text, ENGLISH) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # The bug of release 1: "77,9" was stored as 779. Refused, saying how to write it.
        ("77,9", "Write 77.9 for a decimal; a comma separates thousands, as in 12,500."),
        ("12,5", "Write 12.5 for a decimal; a comma separates thousands, as in 12,500."),
        ("-12,5", "Write -12.5 for a decimal; a comma separates thousands, as in 12,500."),
        ("1,2345", "Write 1.2345 for a decimal; a comma separates thousands, as in 12,500."),
        # "0,500" is grouped like a thousand but no number starts a group with 0.
        ("0,500", "Write 0.500 for a decimal; a comma separates thousands, as in 12,500."),
        ("12,34.5", "'12,34.5': group the digits by three, as in 1,234,567.5."),
        ("1,23,456", "'1,23,456': group the digits by three, as in 1,234,567.5."),
        ("1,234 567", "'1,234 567': group the digits by three, as in 1,234,567.5."),
        ("12 5", "'12 5': group the digits by three, as in 1,234,567.5."),
        (
            "1.234,5",
            "'1.234,5': write the decimals after a point, with digits only, as in 1,234.5.",
        ),
        (
            "1.234.567",
            "'1.234.567' has more than one decimal separator; write it as in 1,234,567.5.",
        ),
        ("lots", "'lots' is not a number."),
        ("12a", "'12a' is not a number."),
        ("1e5", "'1e5' is not a number."),
        ("NaN", "'NaN' is not a number."),
        ("Infinity", "'Infinity' is not a number."),
        ("0x1F", "'0x1F' is not a number."),
        ("€12", "'€12' is not a number."),
        ("\u0663", "'\u0663' is not a number."),  # an Arabic-Indic three: ASCII digits only
        ("\u00b2", "'\u00b2' is not a number."),  # a superscript two
        ("- 5", "'- 5' is not a number."),
        ("--5", "'--5' is not a number."),
        ("-", "'-' is not a number."),
        (".", "'.' is not a number."),
        ("45%", "Write the number without the % sign, as in 45.5."),
        ("", "Enter a number."),
        ("   ", "Enter a number."),
        ("1" * 61, "This is too long for a number."),
    ],
)
def test_english_refuses_with_a_message(text, message):
    with pytest.raises(NumberError) as info:
        parse_decimal(text, ENGLISH)
    assert info.value.message == message
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12,5", D("12.5")),
        ("77,9", D("77.9")),
        ("-0,5", D("-0.5")),
        (",5", D("0.5")),
        ("1 234,5", D("1234.5")),
        (f"1{NBSP}234,5", D("1234.5")),  # as Django's French formats write it
        (f"1{NNBSP}234{NNBSP}567,25", D("1234567.25")),  # as Excel and macOS write it
        ("1250000", D("1250000")),
        ("12,500", D("12.5")),  # the comma is the decimal separator here
    ],
)
def test_french_reads(text, expected):
    assert parse_decimal(text, FRENCH) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12.5", "Write 12,5 for a decimal: the decimal separator here is a comma."),
        ("-77.9", "Write -77,9 for a decimal: the decimal separator here is a comma."),
        ("1.234.567", "'1.234.567': group the digits by three, as in 1 234 567,5."),
        ("1.234,5", "'1.234,5': group the digits by three, as in 1 234 567,5."),
        ("12,5,0", "'12,5,0' has more than one decimal separator; write it as in 1 234 567,5."),
        ("1 23,5", "'1 23,5': group the digits by three, as in 1 234 567,5."),
        ("douze", "'douze' is not a number."),
        ("45%", "Write the number without the % sign, as in 45,5."),
    ],
)
def test_french_refuses_with_a_message(text, message):
    with pytest.raises(NumberError) as info:
        parse_decimal(text, FRENCH)
    assert info.value.message == message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12,5", D("12.5")),
        ("1.234,5", D("1234.5")),
        ("1.234.567", D("1234567")),
        ("1 234,5", D("1234.5")),
        ("12.500", D("12500")),  # a point groups thousands in German
    ],
)
def test_german_reads(text, expected):
    assert parse_decimal(text, GERMAN) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12.5", "Write 12,5 for a decimal; a point separates thousands, as in 12.500."),
        (
            "1,234.5",
            "'1,234.5': write the decimals after a comma, with digits only, as in 1.234,5.",
        ),
        ("1.23.456", "'1.23.456': group the digits by three, as in 1.234.567,5."),
    ],
)
def test_german_refuses_with_a_message(text, message):
    with pytest.raises(NumberError) as info:
        parse_decimal(text, GERMAN)
    assert info.value.message == message


def test_a_nonsense_format_is_refused():
    with pytest.raises(ValueError):
        NumberFormat(",", ",")
    with pytest.raises(ValueError):
        NumberFormat(";", ",")


def test_non_text_is_not_a_number():
    with pytest.raises(NumberError):
        parse_decimal(12.5, ENGLISH)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "fmt", "text"),
    [
        (D("36.300000"), ENGLISH, "36.3"),  # never the stored six places
        (D("36.300000"), FRENCH, "36,3"),
        (D("100.000000"), ENGLISH, "100"),
        (D("1E+2"), ENGLISH, "100"),
        (D("1250000"), GERMAN, "1250000"),  # no grouping in a field
        (D("-0.500"), GERMAN, "-0,5"),
        (D("-0.000"), ENGLISH, "0"),
        (D("0.000001"), ENGLISH, "0.000001"),
    ],
)
def test_format_plain(value, fmt, text):
    assert format_plain(value, fmt) == text


@pytest.mark.parametrize(
    ("digits", "fmt", "text"),
    [
        ("12500", ENGLISH, "12,500"),
        ("1234567.5", FRENCH, "1 234 567,5"),
        ("1234567.5", GERMAN, "1.234.567,5"),
        ("-1234", ENGLISH, "-1,234"),
        ("123", ENGLISH, "123"),
    ],
)
def test_write_groups_by_three(digits, fmt, text):
    assert fmt.write(digits) == text


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", ENGLISH), ("en-us", ENGLISH), ("fr", FRENCH), ("de", GERMAN)],
)
def test_active_number_format_follows_the_language(language, expected):
    with translation.override(language):
        assert active_number_format() == expected


decimals = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=6, allow_nan=False
)


@given(value=decimals, fmt=st.sampled_from([ENGLISH, FRENCH, GERMAN]))
def test_what_is_written_plainly_reads_back(value, fmt):
    assert parse_decimal(format_plain(value, fmt), fmt) == value


@given(value=decimals, fmt=st.sampled_from([ENGLISH, FRENCH, GERMAN]))
def test_what_is_written_grouped_reads_back(value, fmt):
    assert parse_decimal(fmt.write(format(value.normalize(), "f")), fmt) == value


@given(text=st.text(max_size=20))
def test_any_text_is_a_number_or_a_message(text):
    """Never an exception other than NumberError, and a number only from digits."""
    for fmt in (ENGLISH, FRENCH, GERMAN):
        try:
            value = parse_decimal(text, fmt)
        except NumberError as error:
            assert error.message
        else:
            assert value.is_finite()
            assert any(char in "0123456789" for char in text)


@given(whole=st.integers(min_value=1, max_value=999), decimals_=st.integers(1, 999))
def test_an_english_decimal_comma_is_never_read_as_a_whole_number(whole, decimals_):
    """ "77,9"-like text in English: refused unless it is a correctly grouped thousand, and
    then it is exactly that thousand."""
    text = f"{whole},{decimals_}"
    try:
        value = parse_decimal(text, ENGLISH)
    except NumberError as error:
        assert error.message.startswith(f"Write {whole}.{decimals_} for a decimal")
    else:
        assert len(str(decimals_)) == 3 and value == whole * 1000 + decimals_

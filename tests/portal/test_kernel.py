"""The shared kernel: one numbering service, one money parser, one display name."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from marketing_portal.models import NumberCounter
from marketing_portal.money import AmountError, format_yuan, parse_amount
from marketing_portal.numbering import check_pattern, format_number, last_number, next_number, seed_counter
from marketing_portal.people import display_name

pytestmark = pytest.mark.django_db


# --- numbering ------------------------------------------------------------------------------------
def test_numbers_count_up_per_series_and_year():
    with transaction.atomic():
        taken = [next_number("liaison", 2026) for _ in range(3)]
        other_year = next_number("liaison", 2027)
        other_series = next_number("project", 2026)
    assert taken == [1, 2, 3]
    assert (other_year, other_series) == (1, 1)
    assert last_number("liaison", 2026) == 3


def test_a_rolled_back_number_is_given_back():
    with transaction.atomic():
        assert next_number("ticket", 2026) == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        assert next_number("ticket", 2026) == 2
        raise RuntimeError("the record could not be stored")
    with transaction.atomic():
        assert next_number("ticket", 2026) == 2


def test_the_10000th_number_follows_the_9999th():
    seed_counter("liaison", 2026, 9999)
    with transaction.atomic():
        assert next_number("liaison", 2026) == 10000
    assert format_number("JL-{year}-{seq:04d}", year=2026, seq=10000) == "JL-2026-10000"


def test_seeding_never_lowers_a_counter():
    seed_counter("archive:1", 2026, 12)
    seed_counter("archive:1", 2026, 5)
    assert last_number("archive:1", 2026) == 12


@pytest.mark.django_db(transaction=True)
def test_next_number_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        next_number("liaison", 2026)


@pytest.mark.django_db(transaction=True)
def test_concurrent_callers_get_consecutive_numbers():
    taken, errors = [], []
    barrier = threading.Barrier(6)

    def take():
        try:
            barrier.wait()
            with transaction.atomic():
                taken.append(next_number("race", 2026))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(taken) == [1, 2, 3, 4, 5, 6]
    assert NumberCounter.objects.get(series="race", year=2026).last == 6


@pytest.mark.parametrize("pattern, code", [
    ("{year}-{seq:04d}", "pattern_incomplete"),        # no region: two regions would print the same number
    ("{region}-{year}", "pattern_incomplete"),         # no sequence
    ("{region}-{year}-{n}", "pattern_unknown"),
    ("{region}-{year}-{seq:04d", "pattern_malformed"),
    ("{region}-{year}-{seq:xx}", "pattern_malformed"),
])
def test_a_pattern_that_cannot_number_uniquely_is_refused(pattern, code):
    with pytest.raises(ValidationError) as caught:
        check_pattern(pattern, allowed={"region", "year", "seq"}, required={"region", "seq"})
    assert caught.value.code == code


def test_a_good_pattern_is_accepted():
    assert check_pattern("{region}{year}第{seq:03d}号", allowed={"region", "year", "seq"},
                         required={"region", "seq"}) == "{region}{year}第{seq:03d}号"


# --- money ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw, expected", [
    ("125000", Decimal("125000.00")), ("125,000.5", Decimal("125000.50")), ("¥1,234.567", Decimal("1234.57")),
    ("￥ 12 000 元", Decimal("12000.00")), (Decimal("3.005"), Decimal("3.01")), (12.1, Decimal("12.10")),
    ("1，000", Decimal("1000.00")),
])
def test_amounts_are_read_as_people_type_them(raw, expected):
    assert parse_amount(raw) == expected


@pytest.mark.parametrize("raw, kwargs, code", [
    ("", {}, "required"), (None, {}, "required"), ("九万二", {}, "invalid"), ("12.5万", {}, "invalid"),
    ("NaN", {}, "invalid"), ("Infinity", {}, "invalid"), (True, {}, "invalid"), ("0", {}, "zero"),
    ("-5", {}, "negative"), ("1e12", {}, "too_large"), ("12.345", {"exact": True}, "too_precise"),
])
def test_what_is_not_an_amount_is_refused_with_a_reason(raw, kwargs, code):
    with pytest.raises(AmountError) as caught:
        parse_amount(raw, **kwargs)
    assert caught.value.code == code


def test_zero_and_negative_when_allowed():
    assert parse_amount("0", allow_zero=True) == Decimal("0.00")
    assert parse_amount("-12.5", allow_negative=True) == Decimal("-12.50")


def test_the_message_names_the_field_in_chinese():
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(AmountError) as caught:
        parse_amount("九万二", label="主合同金额")
    assert caught.value.messages == ["主合同金额：“九万二”不是有效金额，请填写数字，如 125000.00。"]


def test_format_yuan_round_trips_with_parse_amount():
    for value in (Decimal("0.01"), Decimal("1234567.89"), Decimal("-12")):
        assert parse_amount(format_yuan(value), allow_negative=True) == value


# --- display name ---------------------------------------------------------------------------------
def test_display_name_is_the_person_name_else_full_else_login(demo, django_user_model):
    assert display_name(demo.user("sales_hb")) == "张伟"
    bare = django_user_model.objects.create_user("ops", first_name="Ops", last_name="Team")
    assert display_name(bare) == "Ops Team"
    assert display_name(django_user_model.objects.create_user("robot")) == "robot"
    assert display_name(None) == ""


def test_an_amount_too_large_to_round_is_refused_as_too_large():
    from marketing_portal.money import AmountError, parse_amount

    for raw in ("1e400", "-1e400"):
        with pytest.raises(AmountError) as refused:
            parse_amount(raw, allow_negative=True)
        assert refused.value.code == "too_large"

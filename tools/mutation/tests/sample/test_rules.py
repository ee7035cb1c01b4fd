"""The sample rules' tests: no test orders exactly 100, so `>=` → `>` survives; the rest is caught."""

import threading

import pytest

from tools.mutation.tests.sample.rules import capped, checked_quantity, discounted


def test_members_get_the_discount_on_large_orders():
    assert discounted(200, member=True) == 180


def test_others_pay_full_price():
    assert discounted(200, member=False) == 200
    assert discounted(50, member=True) == 50


def test_negative_quantities_are_refused():
    with pytest.raises(ValueError):
        checked_quantity(-1)
    assert checked_quantity(0) == 0
    assert checked_quantity(3) == 3


def test_orders_are_capped_in_a_thread():
    answers = []
    thread = threading.Thread(target=lambda: answers.append((capped(20), capped(9))))
    thread.start()
    thread.join()
    assert answers == [(10, 9)]

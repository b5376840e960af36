"""A migrant's flow in Chromium at 360x740: compare, filter, switch language, Arabic."""

from __future__ import annotations

import re

from tests.browser.conftest import ARTIFACTS


def amounts_received(page):
    return [text.strip() for text in page.locator(".get").all_inner_texts()]


def test_compare_from_the_home_form(live_server, phone):
    phone.goto(f"{live_server}/en/")
    phone.locator("select[name=from]").select_option("ru")
    phone.locator("select[name=to]").select_option("tj")
    phone.get_by_label("Amount").fill("10000")
    phone.get_by_role("button", name="Compare").click()
    phone.wait_for_url(re.compile(r"/en/send/ru-tj\?amount=10000"))
    received = amounts_received(phone)
    assert received[0].startswith("TJS1,206.00")
    assert len(received) == 3
    assert phone.get_by_text("Exchange rate not disclosed").is_visible()


def test_filters_and_receive_amount(live_server, phone):
    phone.goto(f"{live_server}/en/send/ru-tj?amount=10000")
    phone.get_by_label("Pickup").select_option("card")
    phone.get_by_role("button", name="Compare").click()
    phone.wait_for_url(re.compile(r"pickup=card"))
    assert [text.split(" ")[0] for text in amounts_received(phone)] == ["TJS1,182.06"]
    phone.get_by_label("Currency").select_option("TJS")
    phone.get_by_label("Pickup").select_option("")
    phone.get_by_role("button", name="Compare").click()
    phone.wait_for_url(re.compile(r"currency=TJS"))
    assert phone.get_by_text("You pay").first.is_visible()


def test_bad_amount_is_explained_and_fixable(live_server, phone):
    phone.goto(f"{live_server}/en/send/ru-tj?amount=abc")
    assert phone.get_by_role("alert").inner_text() == "Enter the amount as a number, for example 10000."
    phone.get_by_label("Amount").fill("5000")
    phone.get_by_role("button", name="Compare").click()
    phone.wait_for_url(re.compile(r"/en/send/ru-tj\?amount=5000"))
    assert len(amounts_received(phone)) == 3


def test_language_switch_keeps_the_page_and_is_remembered(live_server, phone):
    phone.goto(f"{live_server}/en/send/ru-tj?amount=10000")
    phone.get_by_role("link", name="Русский").click()
    phone.wait_for_url(re.compile(r"/ru/send/ru-tj\?amount=10000"))
    assert phone.locator("html").get_attribute("lang") == "ru"
    phone.goto(f"{live_server}/")
    assert phone.url.endswith("/ru/")


def test_arabic_is_laid_out_right_to_left(live_server, phone):
    phone.goto(f"{live_server}/ar/send/ru-tj?amount=10000")
    assert phone.locator("html").get_attribute("dir") == "rtl"
    brand = phone.locator(".brand").bounding_box()
    assert brand["x"] > 360 / 2  # the brand sits at the start, which is the right
    assert phone.evaluate("getComputedStyle(document.querySelector('.offer p')).direction") == "rtl"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=ARTIFACTS / "arabic-results.png", full_page=True)


def test_touch_targets_are_at_least_44_px(live_server, phone):
    phone.goto(f"{live_server}/en/send/ru-tj?amount=10000")
    for element in phone.locator("form input, form select, form button, .langs a, header a, .offer h3 a, summary").all():
        box = element.bounding_box()
        assert box["height"] >= 44, (element.evaluate("e => e.outerHTML"), box)

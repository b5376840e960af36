"""Offline: after a first visit, the lessons, calculators and the last comparison of the
reader's language open with the network cut; anything else shows the offline page."""

from __future__ import annotations

from tests.browser.conftest import PHONE


def test_lessons_and_last_comparison_work_offline(browser, live_server):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/tg/learn/")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.reload()  # now controlled by the worker, whose install cached the lessons
        page.wait_for_function("navigator.serviceWorker.controller !== null")
        page.goto(f"{live_server}/tg/send/ru-tj?amount=10000")
        page.wait_for_timeout(300)  # the worker stores the comparison after answering
        context.set_offline(True)

        page.goto(f"{live_server}/tg/learn/spot-the-scam")
        assert page.locator("h1").inner_text().strip() != "" and page.locator(".quiz").count() == 1
        page.goto(f"{live_server}/tg/learn/calculators/budget")
        assert page.locator("form input[name=income]").count() == 1
        page.goto(f"{live_server}/tg/send/ru-tj?amount=10000")
        assert page.locator(".offer").count() == 4
        page.goto(f"{live_server}/tg/corridor/ru-tj")  # never opened: the honest offline page
        assert page.locator("#offline").count() == 1 and page.locator("polyline").count() == 0
        assert page.url.endswith("/tg/corridor/ru-tj") and 'href="/tg/learn/"' in page.content()
    finally:
        context.close()

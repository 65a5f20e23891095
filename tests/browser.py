"""Real Chromium for browser tests (Debian's /usr/bin/chromium driven by Playwright).

Playwright's sync API runs an event loop, and Django refuses ORM calls while one runs in the thread:
do database work before or after the ``with chromium_page(...)`` block, never inside it.
"""

from contextlib import contextmanager

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1366, "height": 900}


@contextmanager
def chromium_page(*, viewport=DESKTOP, locale="zh-CN"):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=viewport, locale=locale)
            page = context.new_page()
            page.set_default_timeout(15000)
            yield page
        finally:
            browser.close()


def log_in(page, base_url: str, username: str, password: str = "Demo@2026") -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def log_out(page) -> None:
    page.context.clear_cookies()

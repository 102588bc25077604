"""What every browser test does first: open a fresh Chinese-locale page signed in as a test user."""

from __future__ import annotations

# The password conftest.make_user gives every test account.
TEST_PASSWORD = "pass-word-123"


def signed_in(browser, site: str, username: str, *, width: int = 1280, password: str = TEST_PASSWORD):
    """A new page in its own context (its own cookies), signed in through the login form."""
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{site}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    return page

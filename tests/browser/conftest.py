"""Browser tests: Playwright driving the system Chromium against the live server, axe on every page."""

from __future__ import annotations

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by the tests
# themselves (fixtures, assertions) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def pytest_collection_modifyitems(config, items):
    if CHROMIUM:
        return
    skip = pytest.mark.skip(
        reason="No Chromium found (install Debian's chromium package); browser tests skipped"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "nl-NL", "timezone_id": "Europe/Amsterdam"}


@pytest.fixture
def axe_check():
    """Run axe on the current page; fail on any WCAG 2.2 A/AA violation, listing them."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def run(page):
        # A click that follows a link returns before the new page is there; axe run in between
        # finds no document ("Cannot read properties of null") or loses its context. Wait for
        # the page, and try again only for those two errors of a page still changing.
        from playwright.sync_api import Error

        for attempt in range(3):
            page.wait_for_load_state("load")
            try:
                return axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
            except Error as error:
                changing = "reading 'documentElement'" in str(error) or "context was destroyed" in str(error)
                if not changing or attempt == 2:
                    raise

    def check(page) -> None:
        results = run(page)
        violations = results.response["violations"]
        report = "\n".join(
            f"{v['id']} ({v['impact']}): {v['help']} -> "
            + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:5])
            for v in violations
        )
        assert not violations, f"axe found violations on {page.url}:\n{report}"
        assert results.response["passes"], "axe ran no checks at all"

    return check


@pytest.fixture
def login_as(page, live_server):
    """Log the browser in as a person, without going through the form (the journeys test that)."""
    from django.conf import settings
    from django.test import Client

    def login(user) -> None:
        client = Client()
        client.force_login(user)
        page.context.clear_cookies()
        page.context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )

    return login


@pytest.fixture
def login_with_form(page, live_server):
    """Log in through allauth's form with the test password, as a person does (the pages that ask
    for the password again need a real login)."""
    from tests.factories import PASSWORD

    def login(email: str) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("E-mailadres").fill(email)
        page.get_by_role("textbox", name="Wachtwoord").fill(PASSWORD)
        page.get_by_role("button", name="Inloggen").click()

    return login

"""The lobby display checks its sound when it opens — the URL's choice, the voice pack, a speaker
(the browser's audio outputs), and a quarter second of silence from the server played the way
announcements are — and says on its status line why it is silent, while calls keep showing.
Debian's Chromium driven by Playwright, as in test_calling_browser.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.central.calling.test_calling_browser import ARGS, CHROMIUM, LIVE_MS, new_tab
from tests.fixtures_calling import CallingSite
from tests.fixtures_central import SITE

# Headless Chromium lets every page play sound whatever --autoplay-policy says, so a refusal
# cannot be had for real: this stands in for the policy, refusing play() as Chromium does
# (NotAllowedError) until the page has had a user's gesture.
AUTOPLAY_POLICY = """
(() => {
  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function () {
    if (!navigator.userActivation.hasBeenActive) {
      return Promise.reject(new DOMException("play() needs a user gesture", "NotAllowedError"));
    }
    return play.call(this);
  };
})();
"""


@pytest.fixture(scope="module")
def browsers() -> Iterator[tuple[Browser, Browser]]:
    """One browser with a (fake) sound card, one with none, as this machine really has."""
    with sync_playwright() as playwright:
        launch = playwright.chromium.launch
        speaker = launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        mute = launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[a for a in ARGS if a != "--use-fake-device-for-media-stream"],
        )
        yield speaker, mute
        speaker.close()
        mute.close()


def sound_state(display: Page, state: str) -> None:
    expect(display.locator("#screen")).to_be_visible()
    for _ in range(300):
        if display.evaluate("window.soundCheck.state") == state:
            return
        display.wait_for_timeout(100)
    raise AssertionError(f"the sound check says {display.evaluate('window.soundCheck')}, not {state}")


def open_display(browser: Browser, calling_site: CallingSite, query: str = "") -> Page:
    display = new_tab(browser, 1920, 1080)
    display.goto(f"{calling_site.server.url}/display/{SITE.id}{query}")
    return display


def a_call_still_shows(display: Page, calling_site: CallingSite) -> None:
    calling_site.issue("A001")
    assert calling_site.officer("lan", "1", ["A"]).called() == "A001"
    expect(display.locator("#latest-ticket")).to_have_text("A001", timeout=LIVE_MS)
    expect(display.locator("#latest-counter")).to_have_text("đến Quầy 1")


def test_a_display_that_can_play_says_nothing_about_sound(
    browsers: tuple[Browser, Browser], calling_site: CallingSite
) -> None:
    display = open_display(browsers[0], calling_site)
    sound_state(display, "ok")
    expect(display.locator("#status")).to_have_text("")


def test_without_a_speaker_the_display_says_so_and_shows_calls(
    browsers: tuple[Browser, Browser], calling_site: CallingSite
) -> None:
    display = open_display(browsers[1], calling_site)
    sound_state(display, "device")
    expect(display.locator("#status")).to_contain_text("Không tìm thấy loa")
    a_call_still_shows(display, calling_site)
    expect(display.locator("#status")).to_contain_text("Không tìm thấy loa")


def test_when_the_voice_cannot_be_fetched_the_display_says_so_and_shows_calls(
    browsers: tuple[Browser, Browser], calling_site: CallingSite
) -> None:
    display = new_tab(browsers[0], 1920, 1080)
    display.route("**/calling/voice/**", lambda route: route.fulfill(status=404, body="not found"))
    display.goto(f"{calling_site.server.url}/display/{SITE.id}")
    sound_state(display, "error")
    expect(display.locator("#status")).to_contain_text("Không phát được âm thanh")
    a_call_still_shows(display, calling_site)
    for _ in range(300):
        if display.evaluate("window.announcements.length"):
            break
        display.wait_for_timeout(100)
    assert display.evaluate("window.announcements[0].outcome") == "error"
    expect(display.locator("#status")).to_contain_text("Không phát được âm thanh")


def test_an_autoplay_refusal_is_said_and_a_touch_turns_the_sound_on(
    browsers: tuple[Browser, Browser], calling_site: CallingSite
) -> None:
    display = new_tab(browsers[0], 1920, 1080)
    display.add_init_script(AUTOPLAY_POLICY)
    display.goto(f"{calling_site.server.url}/display/{SITE.id}")
    sound_state(display, "blocked")
    expect(display.locator("#status")).to_contain_text("chặn tự phát âm thanh")
    display.locator("#screen").click()
    sound_state(display, "ok")
    expect(display.locator("#status")).to_have_text("")


def test_sound_turned_off_in_the_address_is_said(
    browsers: tuple[Browser, Browser], calling_site: CallingSite
) -> None:
    display = open_display(browsers[0], calling_site, "?sound=false")
    sound_state(display, "off")
    expect(display.locator("#status")).to_contain_text("Đã tắt âm thanh")
    a_call_still_shows(display, calling_site)
    assert display.evaluate("window.announcements.length") == 0

"""The machine-click rules, as pure functions: HEAD, scanner User-Agents, too soon, bursts."""

from __future__ import annotations

import pytest

from outreach.tracking.machine import BURST_SECONDS, REPEAT_SECONDS, BurstWindow, MachineReason, Observed, classify, is_scanner

BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0",
]
SCANNERS = [
    "", "   ", None,
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) BingPreview/1.0b",
    "Barracuda Sentinel (EE)",
    "Mozilla/5.0 (compatible; Proofpoint URL Defense)",
    "Mimecast-URL-Protect/1.0",
    "Symantec Web Security Service",
    "TrendMicro URL scanner",
    "Cisco IronPort WSA",
    "FireEye-Scanner/2.0",
    "Sophos Email Security",
    "Google-Safety; (+https://support.google.com/webmasters)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "curl/8.5.0", "python-requests/2.31.0", "Wget/1.21.4",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "facebookexternalhit/1.1",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0 Safari/537.36",
]


@pytest.mark.parametrize("agent", SCANNERS)
def test_scanners_and_empty_agents_are_machines(agent):
    assert is_scanner(agent)
    assert classify("GET", agent, sent_at=0, now=1000, machine_seconds=10) is MachineReason.SCANNER


@pytest.mark.parametrize("agent", BROWSERS)
def test_browsers_are_people(agent):
    assert not is_scanner(agent)
    assert classify("GET", agent, sent_at=0, now=1000, machine_seconds=10) is None


def test_head_is_a_machine_whatever_the_agent():
    assert classify("HEAD", BROWSERS[0], sent_at=0, now=1000, machine_seconds=10) is MachineReason.HEAD
    assert classify("head", "curl/8", sent_at=0, now=1000, machine_seconds=10) is MachineReason.HEAD


@pytest.mark.parametrize("elapsed, machine", [(0, True), (9.99, True), (-5, True), (10, False), (3600, False)])
def test_too_soon_after_the_send(elapsed, machine):
    reason = classify("GET", BROWSERS[1], sent_at=1_000_000, now=1_000_000 + elapsed, machine_seconds=10)
    assert reason == (MachineReason.TOO_SOON if machine else None)


def test_machine_seconds_zero_turns_too_soon_off():
    assert classify("GET", BROWSERS[1], sent_at=100, now=100, machine_seconds=0) is None


def seen(burst: bool = False, repeat: bool = False, moved: list | None = None) -> Observed:
    return Observed(burst, repeat, moved or [])


def test_burst_across_two_links_moves_the_earlier_click():
    window: BurstWindow[str] = BurstWindow()
    assert window.observe("m1", 1, 100.0, True, "first") == seen()
    assert window.observe("m1", 2, 101.5, True, "second") == seen(burst=True, moved=["first"])
    # a third link in the same burst: the earlier ones are machines already, nothing more to move
    assert window.observe("m1", 3, 102.0, True, "third") == seen(burst=True)


def test_same_link_twice_is_not_a_burst_but_a_repeat_counted_once():
    window: BurstWindow[str] = BurstWindow()
    window.observe("m1", 1, 100.0, True, "a")
    assert window.observe("m1", 1, 100.1, True, "b") == seen(repeat=True)  # a double click
    assert window.observe("m1", 1, 100.0 + REPEAT_SECONDS - 1, True, "c") == seen(repeat=True)  # a reload within the minute
    assert window.observe("m1", 1, 100.0 + REPEAT_SECONDS + 1, True, "d") == seen(), "a minute after the person's click: counted again"


def test_a_person_after_a_scanner_on_the_same_link_counts():
    window: BurstWindow[str] = BurstWindow()
    window.observe("m1", 1, 100.0, False, "gateway")  # a machine's click (e.g. too soon)
    assert window.observe("m1", 1, 130.0, True, "person") == seen()
    assert window.observe("m1", 1, 140.0, False, "head") == seen(), "a machine's click is counted as a machine, never skipped"


def test_hammering_one_link_costs_the_same_per_click_and_keeps_little():
    window: BurstWindow[str] = BurstWindow()
    window.observe("m1", 1, 100.0, True, "first")
    for i in range(1, 20_000):
        assert window.observe("m1", 1, 100.0 + i / 1000, True, "again").repeat
    state = window._messages["m1"]
    assert len(state.people) <= 1 and len(state.clicked) == 1, "repeats are not kept"


def test_other_messages_and_slower_clicks_are_not_bursts():
    window: BurstWindow[str] = BurstWindow()
    window.observe("m1", 1, 100.0, True, "a")
    assert window.observe("m2", 2, 100.5, True, "b") == seen()  # another message
    assert window.observe("m1", 2, 100.0 + BURST_SECONDS + 0.01, True, "c") == seen()  # too slow for a gateway


def test_machine_clicks_take_part_but_are_not_moved():
    window: BurstWindow[str] = BurstWindow()
    window.observe("m1", 1, 100.0, False, "head")  # already a machine (e.g. HEAD)
    window.observe("m1", 1, 100.2, True, "person")
    observed = window.observe("m1", 2, 100.4, False, "scanner")
    assert observed.burst and observed.moved == ["person"]


def test_the_window_is_bounded_in_messages():
    window: BurstWindow[int] = BurstWindow(max_messages=100)
    for i in range(1000):
        window.observe(i, 1, 500.0, True, i)  # all at once: only the count bounds it
    assert len(window) == 100
    # the most recently clicked messages are the ones kept
    assert window.observe(999, 2, 500.5, True, -1) == seen(burst=True, moved=[999])
    assert window.observe(0, 2, 500.5, True, -1) == seen()


def test_the_window_forgets_messages_after_the_repeat_time():
    window: BurstWindow[int] = BurstWindow()
    for i in range(1000):
        window.observe(i, 1, float(i), True, i)  # one message a second
    assert len(window) <= REPEAT_SECONDS + 1

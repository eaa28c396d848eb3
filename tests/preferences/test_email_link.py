"""The "Manage your subscription" marker: never an empty link, whoever personalises the email."""

from __future__ import annotations

from outreach.campaign import load_campaign
from outreach.config import Config
from outreach.render.email import MARKERS, personalise, render_email


def test_a_personalisation_without_a_preference_link_falls_back_to_the_unsubscribe_link(campaign_copy):
    rendered = render_email(load_campaign(campaign_copy()), Config())
    assert MARKERS["preferences_url"] in rendered.html and MARKERS["preferences_url"] in rendered.text
    html = personalise(rendered.html, {"name": "Ann", "unsubscribe_url": "https://x.example/u/T"}, is_html=True)
    assert '<a href="https://x.example/u/T">Manage your subscription</a>' in html and 'href=""' not in html
    text = personalise(rendered.text, {"unsubscribe_url": "https://x.example/u/T", "preferences_url": "https://x.example/p/P"}, is_html=False)
    assert "Manage your subscription: https://x.example/p/P\n" in text

"""The webhook routes served by ``create_app`` (what ``outreach serve`` runs)."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from outreach.config import InboundConfig
from outreach.web.app import create_app

from .conftest import POSTMARK_PASSWORD, basic_auth, fixture


def test_outreach_serve_answers_the_webhooks(db_config, settings, monkeypatch):
    monkeypatch.setenv("OUTREACH_SECRET", "web-test-key")
    monkeypatch.setenv("POSTMARK_PASSWORD", POSTMARK_PASSWORD)
    hooks = settings.model_copy(update={"mailgun_signing_key_env": None, "sendgrid_public_key_env": None})
    app = create_app(db_config.model_copy(update={"inbound": InboundConfig(webhooks=hooks)}))
    body = json.dumps(fixture("postmark_bounce.json")).encode()
    with TestClient(app) as client:
        assert client.post("/webhooks/postmark", content=body, headers=basic_auth()).status_code == 200
        assert client.post("/webhooks/postmark", content=body, headers=basic_auth()).status_code == 409
        assert client.post("/webhooks/postmark", content=body).status_code == 401
        assert client.post("/webhooks/mailgun", content=b"{}").status_code == 404
        assert client.get("/webhooks/postmark").status_code == 404  # the app's 405 handler answers its not-found page

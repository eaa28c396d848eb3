"""Issue 9, item 9: no response names a host taken from the request (Host, X-Forwarded-Host, absolute-form)."""

from __future__ import annotations

import socket

import httpx
import pytest

from tests.web.conftest import live  # noqa: F401  (the uvicorn fixture)

EVIL = "evil.example"


def _raw(live, request_line: str, headers: dict[str, str]) -> str:
    """Send one raw HTTP/1.1 request (so the request line and Host can be anything) and return the answer head."""
    lines = [request_line, *(f"{k}: {v}" for k, v in headers.items()), "Connection: close", "", ""]
    with socket.create_connection(("127.0.0.1", live.port), timeout=10) as sock:
        sock.sendall("\r\n".join(lines).encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data.decode("latin-1")


PATHS = ["/archive", "/archive/", "/subscribe/", "/subscribe", "/healthz/", "/nothing", "/archive/x/"]
HOSTS = [
    {"Host": EVIL},
    {"Host": f"{EVIL}:443"},
    {"Host": "127.0.0.1", "X-Forwarded-Host": EVIL},
    {"Host": EVIL, "X-Forwarded-Host": EVIL, "X-Forwarded-Proto": "https", "Forwarded": f"host={EVIL}"},
]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("headers", HOSTS, ids=["host", "host-port", "x-forwarded-host", "all-forwarding"])
def test_no_answer_names_the_requested_host(live, path, headers):
    answer = _raw(live, f"GET {path} HTTP/1.1", headers)
    assert EVIL not in answer.lower(), answer[:500]
    if " 307 " in answer.split("\r\n", 1)[0]:
        location = next(line for line in answer.split("\r\n") if line.lower().startswith("location:"))
        assert location.split(":", 1)[1].strip().startswith(live.url + "/")


@pytest.mark.parametrize("path", ["/archive", "/subscribe/"])
def test_absolute_form_request_line(live, path):
    answer = _raw(live, f"GET http://{EVIL}{path} HTTP/1.1", {"Host": EVIL})
    assert EVIL not in answer.lower(), answer[:500]


def test_slash_redirects_still_work_and_go_to_base_url(live):
    moved = httpx.get(f"{live.url}/archive", headers={"Host": EVIL})
    assert moved.status_code == 307 and moved.headers["location"] == f"{live.url}/archive/"
    assert httpx.get(f"{live.url}/subscribe/?list=research").headers["location"] == f"{live.url}/subscribe?list=research"
    assert httpx.get(f"{live.url}/archive", follow_redirects=True).status_code == 200
    assert httpx.post(f"{live.url}/archive").status_code == 404  # only GET and HEAD are redirected

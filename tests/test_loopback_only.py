"""The suite's guard: no test can reach a real social API (or any host) over the network."""

from __future__ import annotations

import socket

import httpx
import pytest

from tests.loopback_only import NotLoopback


@pytest.mark.parametrize("address", [("93.184.216.34", 443), ("2606:4700::1111", 443, 0, 0)])
def test_a_connection_to_a_real_host_fails_before_any_packet_leaves(address):
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock, pytest.raises(NotLoopback, match="loopback"):
        sock.connect(address)


def test_an_http_client_aimed_at_a_real_api_is_refused():
    with pytest.raises((NotLoopback, httpx.ConnectError)):
        httpx.get("https://93.184.216.34/2/tweets", timeout=2)


def test_loopback_still_works():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=2):
            pass


def test_a_python_process_a_test_starts_is_refused_too():
    import subprocess
    import sys

    code = ("import socket\n"
            "try:\n    socket.create_connection(('93.184.216.34', 443), timeout=2)\n"
            "except OSError as exc:\n    print(type(exc).__name__, exc)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("NotLoopback") and "loopback" in done.stdout, done.stdout + done.stderr

"""``outreach serve``: the subscriber-facing web endpoints."""

from __future__ import annotations

import argparse

import uvicorn

from .base import command, out
from ..config import Config
from ..web.app import create_app


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", help="listen address (default: web.host)")
    p.add_argument("--port", type=int, help="port (default: web.port)")


@command("serve", _args)
def serve(args: argparse.Namespace, config: Config) -> int:
    """Run uvicorn in the foreground (behind the institute's reverse proxy in production).

    The confirmation-mail worker and the click recorder run inside it (started and stopped with the app's lifespan).
    """
    host, port = args.host or config.web.host, args.port or config.web.port
    out(f"serving {config.web.base_url} on http://{host}:{port} (unsubscribe, subscribe, confirm, archive, clicks; confirmation mail is sent from here)")
    uvicorn.run(create_app(config), host=host, port=port, proxy_headers=True, server_header=False, log_level="warning")
    return 0

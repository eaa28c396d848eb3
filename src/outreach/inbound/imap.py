"""Polling an IMAP mailbox (``[inbound.imap]``) for bounces, complaints, auto-replies and mailto unsubscribes.

Each poll reads the folder's messages with ``BODY.PEEK[]`` (so nothing gets ``\\Seen``),
classifies and records them, and moves the recognised ones to ``processed_folder``.
Mail the classifier does not recognise is recorded once and left exactly where it
was: same folder, same flags, never deleted. Messages someone else marked
``\\Deleted`` are not touched, and the poller never sends a plain EXPUNGE: without
MOVE it copies, flags that one UID ``\\Deleted`` and expunges only that UID (UIDPLUS).
A message that could not be recorded (database down) stays for the next poll.
"""

from __future__ import annotations

import asyncio
import imaplib
import ipaddress
import logging
import re
import ssl
from dataclasses import dataclass
from typing import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.engine import Engine

from ..config import Config, InboundImapConfig, secret
from ..errors import ConfigError, DatabaseUnavailable, OutreachError
from ..store.schema import inbound_messages
from ..tokens import Keyring
from .events import InboundKind, InboundSource
from .receiver import ingest, is_database_failure, mail_receipt

log = logging.getLogger("outreach.inbound")

MAX_PER_POLL = 200   # message bodies fetched in one poll; the rest wait for the next one
HEADER_CHUNK = 100   # UIDs per header FETCH
_UID_RE = re.compile(rb"\bUID (\d+)")


@dataclass(frozen=True)
class PollResult:
    """What one poll did."""

    recorded: int = 0   # newly recorded
    moved: int = 0      # recognised, now in the processed folder
    left: int = 0       # not recognised: recorded (now or before) and left where it was
    failed: int = 0     # could not be recorded or read: left for the next poll

    def __str__(self) -> str:
        return f"{self.recorded} recorded, {self.moved} moved, {self.left} left in place, {self.failed} failed"


def check_settings(cfg: InboundImapConfig) -> None:
    """Refuse settings that would send the password in clear to another host, or folder names IMAP cannot carry."""
    if cfg.security == "none" and not _is_loopback(cfg.host):
        raise ConfigError(f"[inbound.imap] security = \"none\" is only allowed for a loopback host, not {cfg.host}: use \"tls\" or \"starttls\"")
    for key, name in (("folder", cfg.folder), ("processed_folder", cfg.processed_folder)):
        if not name.isascii() or not name.isprintable():
            raise ConfigError(f"[inbound.imap] {key} must be printable ASCII")
    if cfg.folder == cfg.processed_folder:
        raise ConfigError("[inbound.imap] processed_folder must differ from folder")


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def connect(cfg: InboundImapConfig) -> imaplib.IMAP4:
    """A logged-in connection; TLS verifies the server's certificate against the system's CAs."""
    check_settings(cfg)
    password = secret(cfg.password_env, "the IMAP password") or ""
    where = f"IMAP {cfg.host}:{cfg.port}"
    try:
        if cfg.security == "tls":
            imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(cfg.host, cfg.port, ssl_context=ssl.create_default_context(), timeout=cfg.timeout)
        else:
            imap = imaplib.IMAP4(cfg.host, cfg.port, timeout=cfg.timeout)
            if cfg.security == "starttls":
                imap.starttls(ssl.create_default_context())
    except (OSError, imaplib.IMAP4.error) as exc:
        raise OutreachError(f"{where}: cannot connect ({_one_line(exc)})") from None
    try:
        imap.login(cfg.username, password)
    except (OSError, imaplib.IMAP4.error) as exc:
        _close(imap)
        raise OutreachError(f"{where}: login as {cfg.username} refused ({_one_line(exc)})") from None
    return imap


def _one_line(exc: BaseException) -> str:
    first = exc.args[0] if exc.args else None
    text = first.decode("ascii", "replace") if isinstance(first, bytes) else str(exc)
    return " ".join(text.split())[:200] or type(exc).__name__


def _close(imap: imaplib.IMAP4) -> None:
    try:
        imap.logout()
    except (OSError, imaplib.IMAP4.error):
        pass


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _ok(answer: tuple[str, list], what: str) -> list:
    typ, data = answer
    if typ != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode("ascii", "replace")
        raise OutreachError(f"IMAP: {what} failed ({' '.join(detail.split())[:200]})")
    return data


def poll_once(engine: Engine, config: Config, keys: Keyring, *, limit: int = MAX_PER_POLL) -> PollResult:
    """Read the configured folder once: record what is new, move what was recognised."""
    cfg = config.inbound.imap
    if cfg is None:
        raise ConfigError("no [inbound.imap] table in the configuration")
    imap = connect(cfg)
    try:
        return _poll(imap, engine, config, keys, cfg, limit)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise OutreachError(f"IMAP {cfg.host}:{cfg.port}: {_one_line(exc)}") from None
    finally:
        _close(imap)


def _poll(imap: imaplib.IMAP4, engine: Engine, config: Config, keys: Keyring, cfg: InboundImapConfig, limit: int) -> PollResult:
    caps = capabilities(imap)
    _ok(imap.select(_quoted(cfg.folder)), f"opening folder {cfg.folder}")
    uidvalidity = (imap.response("UIDVALIDITY")[1] or [b"0"])[0].decode("ascii", "replace")
    uids = [int(u) for u in b" ".join(d for d in _ok(imap.uid("SEARCH", "UNDELETED"), "SEARCH") if d).split()]
    receipts = _receipts(imap, uids, uidvalidity)
    try:
        known = _recorded_kinds(engine, receipts.values())
    except Exception as exc:
        if is_database_failure(exc):
            raise DatabaseUnavailable("IMAP poll: the database failed before anything was read; every message stays where it is") from None
        raise
    recorded = moved = left = failed = fetched = 0
    folder_ready = False
    for uid in uids:
        receipt = receipts[uid]
        kind = known.get(receipt)
        if kind is None:
            if fetched >= limit:
                break
            fetched += 1
            try:
                done = ingest(engine, config, keys, _fetch(imap, uid, config.inbound.smtp.max_message_bytes), InboundSource.IMAP, receipt=receipt)
            except (OSError, imaplib.IMAP4.error):
                raise
            except Exception as exc:  # noqa: BLE001  (one bad message must not stop the poller; it stays where it is)
                failed += 1
                if is_database_failure(exc):
                    log.warning("inbound imap: database unavailable, UID %s left for the next poll", uid)
                    break
                log.warning("inbound imap: UID %s not recorded (%s), left where it is", uid, type(exc).__name__)
                continue
            recorded += not done.already
            kind = done.classification.kind.value
        if kind == InboundKind.UNKNOWN.value:
            left += 1
            continue
        if not folder_ready:
            _ensure_folder(imap, cfg.processed_folder)
            folder_ready = True
        _move(imap, uid, cfg.processed_folder, caps)
        moved += 1
    return PollResult(recorded, moved, left, failed)


def capabilities(imap: imaplib.IMAP4) -> set[str]:
    """What the server can do once logged in (MOVE, UIDPLUS, ...), upper-case."""
    return {c.upper() for c in b" ".join(_ok(imap.capability(), "CAPABILITY")).decode("ascii", "replace").split()}


def _receipts(imap: imaplib.IMAP4, uids: Sequence[int], uidvalidity: str) -> dict[int, str]:
    """Each UID's receipt: ``mail:<Message-ID>``, or ``imap:<uidvalidity>:<uid>`` without one."""
    found: dict[int, str] = {}
    for start in range(0, len(uids), HEADER_CHUNK):
        chunk = uids[start:start + HEADER_CHUNK]
        data = _ok(imap.uid("FETCH", ",".join(map(str, chunk)), "(UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])"), "FETCH")
        for item in data:
            if isinstance(item, tuple) and (m := _UID_RE.search(item[0])):
                receipt = mail_receipt(item[1])
                if receipt is not None:
                    found[int(m.group(1))] = receipt
    return {uid: found.get(uid) or f"imap:{uidvalidity}:{uid}" for uid in uids}


def _recorded_kinds(engine: Engine, receipts: Iterable[str]) -> dict[str, str]:
    """The kind each receipt was recorded as, for those recorded before."""
    wanted, kinds = sorted(set(receipts)), {}
    with engine.connect() as conn:
        for start in range(0, len(wanted), 500):
            rows = conn.execute(select(inbound_messages.c.receipt, inbound_messages.c.kind)
                                .where(inbound_messages.c.receipt.in_(wanted[start:start + 500])))
            kinds.update({r.receipt: r.kind for r in rows})
    return kinds


def _fetch(imap: imaplib.IMAP4, uid: int, max_bytes: int) -> bytes:
    """The message's bytes (at most ``max_bytes``), read with PEEK so its flags stay as they were."""
    data = _ok(imap.uid("FETCH", str(uid), f"(UID BODY.PEEK[]<0.{max_bytes}>)"), "FETCH")
    for item in data:
        if isinstance(item, tuple) and (m := _UID_RE.search(item[0])) and int(m.group(1)) == uid:
            return bytes(item[1])
    raise OutreachError(f"IMAP: UID {uid} vanished before it could be read")


def _ensure_folder(imap: imaplib.IMAP4, folder: str) -> None:
    listed = _ok(imap.list('""', _quoted(folder)), "LIST")
    if not any(listed):
        _ok(imap.create(_quoted(folder)), f"creating folder {folder}")


def _move(imap: imaplib.IMAP4, uid: int, folder: str, caps: set[str]) -> None:
    """Move one UID; without MOVE: COPY, flag that UID \\Deleted, and expunge that UID only (UIDPLUS)."""
    if "MOVE" in caps:
        _ok(imap.uid("MOVE", str(uid), _quoted(folder)), f"moving UID {uid}")
        return
    _ok(imap.uid("COPY", str(uid), _quoted(folder)), f"copying UID {uid}")
    _ok(imap.uid("STORE", str(uid), "+FLAGS.SILENT", "(\\Deleted)"), f"flagging UID {uid}")
    if "UIDPLUS" in caps:  # without it the copy stays flagged \Deleted: a plain EXPUNGE would take others' mail too
        _ok(imap.uid("EXPUNGE", str(uid)), f"expunging UID {uid}")


async def poll_forever(stop: asyncio.Event, engine: Engine, config: Config, keys: Keyring) -> None:
    """Poll every ``poll_seconds`` until ``stop`` is set; a failed poll is logged and tried again next time."""
    cfg = config.inbound.imap
    assert cfg is not None
    while not stop.is_set():
        try:
            result = await asyncio.to_thread(poll_once, engine, config, keys)
            log.info("inbound imap: %s", result)
        except OutreachError as exc:
            log.warning("inbound imap: %s", exc)
        except Exception as exc:  # noqa: BLE001  (the receiver keeps running; the next poll tries again)
            log.warning("inbound imap: poll failed (%s)", type(exc).__name__)
        try:
            await asyncio.wait_for(stop.wait(), cfg.poll_seconds)
        except asyncio.TimeoutError:
            pass

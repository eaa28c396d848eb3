"""Per-recipient message bytes without a per-recipient ``EmailMessage``.

:class:`MessageFactory` does the expensive work once per campaign: headers
that are the same for everyone are folded and encoded, the body parts are
kept with their personal markers. :meth:`MessageFactory.build` then does,
per recipient, only the quoted-printable encoding of the personal values and
a join. The body parts are cut at their markers and each static piece is
quoted-printable encoded once, ending in a soft line break; each personal
value is encoded on its own the same way. Decoded, the pieces join into
exactly the personalised text, every encoded line stays within 76
characters, and a marker can never be split by a soft line break because
markers are never inside encoded text.

The layout is ``multipart/alternative``: text/plain first, then text/html,
both UTF-8, CRLF line ends throughout, ready for SMTP ``DATA`` or an ``.eml``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.utils import format_datetime
from typing import Mapping, Protocol

from ..render.email import RenderedEmail, marker_values, markers_of, split_markers
from ..text import clean_line, is_single_line

_SMTP = policy.SMTP.clone(max_line_length=78)


def fold(name: str, value: str) -> bytes:
    """One header, folded and RFC 2047-encoded where needed, CRLF-terminated; no value can break its line.

    Config values and names are checked where they enter, but whatever reaches
    this point (an old row, a caller that forgot) is still made one line here.
    """
    if not is_single_line(value):
        value = clean_line(value)
    return _SMTP.fold_binary(name, _SMTP.header_store_parse(name, value)[1])


_SOFT_BREAK = b"=\r\n"


def _qp(text: str) -> bytes:
    data = text.replace("\r\n", "\n").encode("utf-8")
    return binascii.b2a_qp(data, quotetabs=False, istext=True).replace(b"\n", b"\r\n")


def _qp_piece(text: str) -> bytes:
    """One piece of a body, encoded so that pieces can be concatenated (ends in a soft line break)."""
    return _qp(text) + _SOFT_BREAK if text else b""


class _Body:
    """A body part pre-encoded around its personal markers."""

    def __init__(self, text: str, is_html: bool) -> None:
        self.is_html = is_html
        # split_markers alternates text and markers: odd pieces are markers, whatever text looks like one
        pieces = split_markers(text)
        self.pieces: list[bytes | str] = [piece if i % 2 else _qp_piece(piece) for i, piece in enumerate(pieces)]
        present = set(pieces[1::2])  # a message computes values only for the markers this part holds
        self.markers = {key: marker for key, marker in markers_of(text).items() if marker in present}

    def encode(self, values: dict[str, str], encoded: dict[str, bytes] | None = None) -> bytes:
        """The part for one recipient, quoted-printable, CRLF.

        ``encoded`` (value -> its encoding) is shared by a message's parts: a value that occurs
        more than once (a link in both parts, or twice in one) is encoded once.
        """
        cache = {} if encoded is None else encoded
        by_marker: dict[bytes | str, bytes] = {}
        for marker, value in marker_values(values, is_html=self.is_html, markers=self.markers).items():
            piece = cache.get(value)
            if piece is None:
                piece = cache[value] = _qp_piece(value)
            by_marker[marker] = piece
        # a static piece (bytes) is never a key (str): get(p, p) keeps it
        return b"".join(map(by_marker.get, self.pieces, self.pieces))  # type: ignore[arg-type]


_NAME_LIMIT = 200  # longer display names are cut: a header is no place for a paragraph


def _display_name(name: str) -> bytes:
    """A display name as a quoted string (ASCII) or RFC 2047 encoded words (UTF-8, base64), never re-parsed.

    The email package's parser mangles some names (``"; \\xa0"`` became ``<>``), so the
    phrase is written here: each encoded word holds at most 10 characters, so it stays
    under the 75-character limit, and the words are folded onto lines of their own.
    """
    if name.isascii():
        return b'"' + name.replace("\\", "\\\\").replace('"', '\\"').encode("ascii") + b'"'
    words = [name[i:i + 10] for i in range(0, len(name), 10)]
    return b"\r\n ".join(b"=?utf-8?b?" + base64.b64encode(w.encode("utf-8", "surrogatepass")) + b"?=" for w in words)


def _address(name: str | None, addr: str) -> bytes:
    """The ``To:`` header; never raises for any name, and never lets a name break the line."""
    if not is_single_line(addr) or not addr.isascii():  # validated on import; this is the last line of defence
        raise UnsafeAddress("the recipient address is not one line of ASCII text")
    if name and not is_single_line(name):
        name = clean_line(name, _NAME_LIMIT)
    if not name:
        return b"To: " + addr.encode("ascii") + b"\r\n"
    if name.isascii() and '"' not in name and "\\" not in name and len(name) + len(addr) < 60:
        return f'To: "{name}" <{addr}>\r\n'.encode("ascii")
    return b"To: " + _display_name(name[:_NAME_LIMIT]) + b"\r\n <" + addr.encode("ascii") + b">\r\n"


class UnsafeAddress(ValueError):
    """An address that would break a header or an SMTP command line."""


@dataclass(frozen=True)
class Recipient:
    """Who one message goes to, with the values of its personal fields."""

    email: str
    name: str | None
    unsubscribe_url: str
    unsubscribe_mailto: str
    message_id: str
    preferences_url: str = ""  # "Manage your subscription"; empty: the factory's placeholder


class ClickValues(Protocol):
    """Each message's values for the click markers of a wrapped email (:class:`outreach.tracking.wrap.ClickLinks`)."""

    def values(self, sent_at: int, delivery_id: int | None = None) -> Mapping[str, str]: ...


class MessageFactory:
    """Builds the bytes of one campaign message per recipient.

    With ``clicks``, ``rendered`` is the wrapped email (:func:`outreach.tracking.wrap.wrap`)
    and each message fills its click markers with its own tokens.
    """

    def __init__(
        self,
        rendered: RenderedEmail,
        *,
        sender: str,
        reply_to: str | None,
        list_id: str,
        subject_prefix: str = "",
        extra_headers: dict[str, str] | None = None,
        clicks: ClickValues | None = None,
        preferences_url: str = "",
    ) -> None:
        self.rendered = rendered
        self._preferences_url = preferences_url  # for recipients that carry no preference link of their own (test copies)
        self._clicks = clicks
        self._text = _Body(rendered.text, is_html=False)
        self._html = _Body(rendered.html, is_html=True)
        subject = subject_prefix + rendered.subject
        digest = hashlib.sha256((rendered.html + rendered.text).encode("utf-8")).hexdigest()[:24]
        self.boundary = f"==outreach-{digest}=="
        static = [fold("From", sender)]
        if reply_to:
            static.append(fold("Reply-To", reply_to))
        static.append(fold("Subject", subject))
        static.append(fold("List-Id", list_id))
        for name, value in (extra_headers or {}).items():
            static.append(fold(name, value))
        static.append(b"MIME-Version: 1.0\r\n")
        self._static = b"".join(static)
        self._content_type = f'Content-Type: multipart/alternative; boundary="{self.boundary}"\r\n'.encode("ascii")
        b = self.boundary.encode("ascii")
        part_headers = b"Content-Type: text/%s; charset=\"utf-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        self._open_text = b"--" + b + b"\r\n" + part_headers % b"plain"
        self._open_html = b"\r\n--" + b + b"\r\n" + part_headers % b"html"
        self._close = b"\r\n--" + b + b"--\r\n"
        self._preamble = b"\r\nThis is a multipart message in MIME format.\r\n\r\n"
        self._date: tuple[datetime | None, bytes] = (None, b"")  # one tuple: sender threads swap it whole

    def _date_header(self, date: datetime) -> bytes:
        """The Date header; made once per second of the send, not once per message."""
        second = date.replace(microsecond=0)
        at, header = self._date
        if at != second:
            header = b"Date: " + format_datetime(second).encode("ascii") + b"\r\n"
            self._date = (second, header)
        return header

    def build(self, to: Recipient, date: datetime, delivery_id: int | None = None) -> bytes:
        """The full message for one recipient, CRLF line ends; ``delivery_id`` numbers its clicks in individual mode."""
        name = to.name if not to.name or is_single_line(to.name) else clean_line(to.name, _NAME_LIMIT)
        values = {"name": name or "", "unsubscribe_url": to.unsubscribe_url, "preferences_url": to.preferences_url or self._preferences_url}
        if self._clicks is not None:
            values.update(self._clicks.values(int(date.timestamp()), delivery_id))
        encoded: dict[str, bytes] = {}
        text = self._text.encode(values, encoded)
        body_html = self._html.encode(values, encoded)
        headers = (
            _address(name, to.email)
            + self._date_header(date)
            + b"Message-ID: " + to.message_id.encode("ascii") + b"\r\n"
            + b"List-Unsubscribe: <" + to.unsubscribe_url.encode("ascii") + b">,\r\n <"
            + to.unsubscribe_mailto.encode("ascii") + b">\r\n"
            + b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
        )
        return b"".join(
            (self._static, headers, self._content_type, self._preamble, self._open_text, text, self._open_html, body_html, self._close)
        )

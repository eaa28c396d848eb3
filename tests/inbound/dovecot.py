"""A throwaway Dovecot IMAP server on loopback, for the IMAP poller's tests.

Debian's ``dovecot`` runs in the foreground with a config written to a temporary
folder: one test user in a passwd-file (plaintext password), a maildir under the
short-lived folder under /tmp, no SSL (or, with ``tls=True``, IMAPS and STARTTLS with a
self-signed certificate), no system authentication, the log in the
given folder. Works as root: the mail processes then run as ``nobody`` (Dovecot
refuses uid 0 for mail), the internal and login processes as Debian's
``dovecot``/``dovenull`` users when they exist.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

DOVECOT = "/usr/sbin/dovecot"
USER, PASSWORD = "bounces", "test-imap-password"


def free_port() -> int:
    """A loopback port the OS just handed out (bound to port 0, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _user_or_root(name: str) -> str:
    """``name`` when running as root and it exists; otherwise the current user (a non-root Dovecot cannot switch)."""
    if os.getuid() == 0:
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            pass
    return pwd.getpwuid(os.getuid()).pw_name


def _mail_ids() -> tuple[int, int]:
    """The uid/gid mail processes run as: the current user, or ``nobody`` for root (Dovecot refuses uid 0)."""
    if os.getuid() != 0:
        return os.getuid(), os.getgid()
    nobody = pwd.getpwnam("nobody")
    return nobody.pw_uid, nobody.pw_gid


def _ssl(folder: Path, tls_port: int | None) -> str:
    if tls_port is None:
        return "ssl = no\n"
    return f"ssl = yes\nssl_cert = <{folder / 'cert.pem'}\nssl_key = <{folder / 'key.pem'}\n"


def write_self_signed(folder: Path) -> Path:
    """A self-signed certificate for 127.0.0.1 and localhost (cert.pem, key.pem in ``folder``); returns the cert's path."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "outreach test IMAP")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return folder / "cert.pem"


def _config(folder: Path, run: Path, port: int, tls_port: int | None) -> str:
    uid, gid = _mail_ids()
    return f"""\
protocols = imap
listen = 127.0.0.1
base_dir = {run}
state_dir = {folder / 'state'}
log_path = {folder / 'dovecot.log'}
info_log_path = {folder / 'dovecot.log'}
{_ssl(folder, tls_port)}disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {_user_or_root('dovecot')}
default_login_user = {_user_or_root('dovenull')}
mail_location = maildir:{run / 'mail'}/%u
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {run / 'passwd'}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={run / 'home'}/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port or 0}
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


@dataclass
class Dovecot:
    """One running Dovecot; use as a context manager, or :meth:`start` / :meth:`stop`."""

    folder: Path
    tls: bool = False  # also IMAPS on tls_port, and STARTTLS on port, with a self-signed certificate (cert_file)
    port: int = 0
    tls_port: int = 0
    cert_file: Path | None = None
    process: subprocess.Popen[bytes] | None = None
    _run: Path | None = field(default=None, repr=False)

    def start(self, deadline_seconds: float = 30.0) -> "Dovecot":
        """Write the config, start Dovecot in the foreground and wait until it answers IMAP."""
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "state").mkdir(exist_ok=True)
        # base_dir holds unix sockets: keep its path short (108 bytes at most). The auth process runs as
        # the internal user, who cannot enter pytest's 0700 folders: the passwd-file lives here too.
        self._run = Path(tempfile.mkdtemp(prefix="dc-", dir="/tmp"))
        self._run.chmod(0o755)
        (self._run / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n", encoding="utf-8")
        for sub in ("mail", "home"):  # the mail processes' own folders
            (self._run / sub).mkdir()
            os.chown(self._run / sub, *_mail_ids())
        self.port = free_port()
        if self.tls:
            self.tls_port, self.cert_file = free_port(), write_self_signed(self.folder)
        conf = self.folder / "dovecot.conf"
        conf.write_text(_config(self.folder, self._run, self.port, self.tls_port if self.tls else None), encoding="utf-8")
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self._wait_ready(deadline_seconds)
        return self

    def _wait_ready(self, deadline_seconds: float) -> None:
        deadline = time.monotonic() + deadline_seconds
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited with {self.process.returncode}: {self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                pass
            time.sleep(0.05)  # a poll interval, not a wait for timing: the loop ends on the condition
        self.stop()
        raise RuntimeError(f"dovecot did not answer on port {self.port} within {deadline_seconds} s: {self.log()}")

    def log(self) -> str:
        """What Dovecot wrote to its log and its standard output so far."""
        path = self.folder / "dovecot.log"
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        return text[-4000:]

    def stop(self) -> None:
        """Stop Dovecot (SIGTERM, then SIGKILL after a deadline) and remove its runtime folder."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()
        if self._run is not None:
            shutil.rmtree(self._run, ignore_errors=True)

    def __enter__(self) -> "Dovecot":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- a client for tests: put mail in, look at it ----------------------------------------------

    def client(self) -> imaplib.IMAP4:
        """A logged-in IMAP client (the test's own view, not the poller's)."""
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        imap.login(USER, PASSWORD)
        return imap

    def append(self, raw: bytes, *, flags: str = "", folder: str = "INBOX") -> None:
        """Put one message into ``folder`` with ``flags`` (e.g. ``"\\\\Seen \\\\Flagged"``) by IMAP APPEND."""
        imap = self.client()
        try:
            typ, data = imap.append(folder, f"({flags})" if flags else None, None, raw)
            assert typ == "OK", data
        finally:
            imap.logout()

    def mailbox(self, folder: str = "INBOX") -> list[tuple[frozenset[str], bytes]]:
        """Every message in ``folder``, oldest first: (flags, exact bytes); read without setting \\Seen."""
        imap = self.client()
        try:
            typ, data = imap.select(_quoted(folder), readonly=True)
            if typ != "OK":
                return []
            typ, data = imap.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[])")
            assert typ == "OK", data
            return [_flags_and_body(item) for item in data if isinstance(item, tuple)]
        finally:
            imap.logout()

    def folders(self) -> set[str]:
        """The names of every folder the test user has."""
        imap = self.client()
        try:
            typ, data = imap.list()
            assert typ == "OK", data
            return {line.decode().rsplit(' "/" ', 1)[-1].strip('"') for line in data if line}
        finally:
            imap.logout()


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _flags_and_body(item: tuple[bytes, bytes]) -> tuple[frozenset[str], bytes]:
    head = item[0].decode("ascii", "replace")
    flags = head.split("FLAGS (", 1)[1].split(")", 1)[0]
    return frozenset(f for f in flags.split() if f != "\\Recent"), item[1]

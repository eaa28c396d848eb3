"""``outreach dkim keygen|check``: write a DKIM key and print its DNS record; show what sending would sign."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from pydantic import ValidationError

from .base import command, out
from ..config import Config, DkimConfig
from ..errors import ConfigError, OutreachError

BITS = (1024, 2048, 3072, 4096)


def _args(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    keygen = sub.add_parser("keygen", help="write a new RSA key (mode 0600) and print the DNS TXT record and config lines",
                            epilog="Example:\n  outreach dkim keygen --selector s2027 --domain example.org --out dkim.pem",
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    keygen.add_argument("--selector", required=True, help="the DNS selector, e.g. s2027 (published at <selector>._domainkey.<domain>)")
    keygen.add_argument("--domain", required=True, help="the signing domain (d=), usually the From address's domain")
    keygen.add_argument("--out", required=True, type=Path, help="where to write the private key (PEM); an existing file is never overwritten")
    keygen.add_argument("--bits", type=int, default=2048, choices=BITS, help="RSA key size (default 2048)")
    sub.add_parser("check", help="load [email.dkim], sign a sample message and show the signature and the DNS record it needs",
                   epilog="Example:\n  outreach dkim check", formatter_class=argparse.RawDescriptionHelpFormatter)


@command("dkim", _args)
def run(args: argparse.Namespace, config: Config) -> int:
    """Dispatch to ``keygen`` or ``check``."""
    if args.action == "keygen":
        return keygen(args.selector, args.domain, args.out, args.bits)
    return check(config)


def _checked(selector: str, domain: str, out_path: Path) -> DkimConfig:
    """The [email.dkim] the new key is for; a one-line error naming the bad option."""
    try:
        return DkimConfig(selector=selector, domain=domain, private_key_file=out_path)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        option = str(first["loc"][0]) if first["loc"] else "selector"
        raise ConfigError(f"--{option}: {first['msg'].removeprefix('Value error, ')}") from None


def write_key(out_path: Path, pem: bytes) -> None:
    """Write ``pem`` to a new file with mode 0600; refuse an existing one (it may be the key in use)."""
    try:
        fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise OutreachError(f"--out: {out_path} already exists; not overwritten (it may be the key in use): choose a new file") from None
    except OSError as exc:
        raise OutreachError(f"--out: cannot create {out_path}: {exc.strerror}") from None
    try:
        os.fchmod(fd, 0o600)  # whatever the umask
        os.write(fd, pem)
    finally:
        os.close(fd)


def keygen(selector: str, domain: str, out_path: Path, bits: int = 2048) -> int:
    """Write a new key and print the TXT record to publish and the config lines to add."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from ..mail.dkim import txt_record

    dkim = _checked(selector, domain, out_path)
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    write_key(out_path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    out(f"wrote a {bits}-bit RSA key to {out_path} (mode 0600)")
    out()
    print_record(dkim.selector, dkim.domain, txt_record(key.public_key()))
    out()
    out("Add to outreach.toml:")
    out("  [email.dkim]")
    out(f'  selector = "{dkim.selector}"')
    out(f'  domain = "{dkim.domain}"')
    out(f'  private_key_file = "{Path(out_path).resolve()}"')
    return 0


def print_record(selector: str, domain: str, value: str) -> None:
    """The TXT record: its name, and its value as ≤255-character quoted strings (and as one zone-file line)."""
    from ..mail.dkim import txt_strings

    name = f"{selector}._domainkey.{domain}"
    quoted = " ".join(f'"{s}"' for s in txt_strings(value))
    out("Publish this DNS TXT record:")
    out(f"  name:  {name}")
    out(f"  value: {quoted}")
    out()
    out("As a zone-file line:")
    out(f"  {name}. IN TXT ( {quoted} )")


def check(config: Config) -> int:
    """Load the key, sign a sample message and print the signature header and the DNS record the key needs."""
    from datetime import datetime, timezone

    from ..mail.dkim import DkimSigner
    from ..mail.message import MessageFactory, Recipient
    from ..render.email import RenderedEmail

    signer = DkimSigner.from_config(config)
    if signer is None:
        raise ConfigError("[email.dkim] is not configured: nothing is signed (see 'outreach dkim keygen')")
    rendered = RenderedEmail("A sample subject", "", "<p>Sample</p>", "Sample\n", "sample", "Sample list", None, None)
    factory = MessageFactory(rendered, sender=config.email.from_, reply_to=config.email.reply_to,
                             list_id=f"<sample.{config.email.sender_domain}>")
    sample = factory.build(Recipient(config.preview.sample_email, config.preview.sample_name, f"{config.web.base_url}/u/sample",
                                     f"mailto:{config.email.unsubscribe_mailto}?subject=unsubscribe", f"<sample@{config.email.sender_domain}>"),
                           datetime.now(timezone.utc))
    signed = signer.sign(sample)
    header = signed[:len(signed) - len(sample)].decode("ascii")
    out(f"key: {signer.info.bits}-bit RSA, {signer.info.algorithm}, c=relaxed/simple")
    sender_domain = config.email.sender_domain
    aligned = sender_domain == signer.domain or sender_domain.endswith("." + signer.domain)
    out(f"d={signer.domain} {'aligns with' if aligned else 'does NOT align with'} the From domain {sender_domain}"
        + ("" if aligned else " (DMARC needs them to align)"))
    out()
    out("A sample message's signature:")
    out(header.rstrip("\r\n").replace("\r\n", "\n"))
    out()
    print_record(signer.selector, signer.domain, signer.info.txt_value)
    return 0

"""What comes back after sending: bounces, complaints, auto-replies and mailto unsubscribes.

Three ways in (an SMTP/LMTP receiver, an IMAP poller, ESP webhooks) feed one
classifier and one recorder; see :mod:`outreach.inbound.events` for the values they pass.
"""

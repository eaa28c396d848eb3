"""Email: per-recipient message bytes, SMTP and outbox transports, the send loop."""

"""The subscriber-facing web: one-click unsubscribe, double opt-in sign-up, the archive."""

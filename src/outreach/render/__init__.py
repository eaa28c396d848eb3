"""Rendering: campaign model -> email HTML/text and per-channel post texts."""

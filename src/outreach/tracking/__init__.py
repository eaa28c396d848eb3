"""Click tracking: wrapping an email's links at send time, and counting clicks on ``/c/<token>``.

Opens are never tracked (see the README). ``[tracking] clicks`` chooses between
counts per link and hour with no identity (``aggregate``, the default), who
clicked what (``individual``, only with consent) and no wrapping at all (``off``).
"""

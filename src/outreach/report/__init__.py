"""``outreach report``: what happened after a campaign went out (email, clicks, post reactions).

``data`` gathers every number once into frozen values; ``terminal``, ``html`` (with
``charts``) and ``export`` (JSON, CSV) only present them.
"""

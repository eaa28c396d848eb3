"""Draft a campaign file from a report page: ``outreach draft SOURCE``.

::

    source.py    SOURCE (https URL, saved .html, plain-text copy) → SourcePage; fetch limits
    metadata.py  HTML → PageFacts from JSON-LD, OpenGraph, microdata, Highwire citation_* and <meta>
    body.py      a plain-text copy's own words → PageFacts: title block, lead paragraphs, regions, experts
    body_html.py an HTML page's own words → PageFacts (trafilatura main text, lxml labelled blocks)
    claims.py    paragraphs → key arguments (the report's own claims, one per bullet)
    experts.py   an expert block (lines of text, or an HTML table) → ExpertFacts
    facts.py     the typed values above, and merge(): first source that knows a field wins
    cover.py     the cover: downloaded, checked and resized, or drawn with outreach.cover
    posts.py     email subject/preheader and one post per configured channel, within its limit
    schedule.py  the next working day at [draft] send_time, posts staggered after it
    writer.py    ReportFacts + drafted pieces → campaigns/<slug>.toml with ``# CHECK:`` comments
    feed.py      an RSS/Atom feed → one draft per item without a campaign yet

Nothing here invents a fact: a field the page does not state is left as a marked
placeholder with a ``# CHECK:`` comment, never guessed silently.
"""

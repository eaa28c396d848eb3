"""The catalogue of ``outreach`` subcommands: name, module, one-line summary, example.

Nothing is imported here, so ``outreach --help`` and ``--version`` answer at
once; the CLI imports the one module that implements the command it runs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CommandInfo:
    """What the CLI knows about a subcommand before importing it."""

    module: str  # under outreach.commands
    summary: str
    example: str


COMMANDS: dict[str, CommandInfo] = {
    "draft": CommandInfo("draft_commands", "Draft campaigns/<slug>.toml from a report page (URL, saved .html, or text) or a feed.",
                         "outreach draft ../shared/reports/diis-soldier-defections-myanmar.txt"),
    "validate": CommandInfo("campaign_commands", "Check campaign files offline; exit 1 on any error.",
                            "outreach validate campaigns/soldier-defections-myanmar.toml"),
    "preview": CommandInfo("campaign_commands", "Write a dry-run preview folder of everything the campaign will send.",
                           "outreach preview campaigns/soldier-defections-myanmar.toml --out preview/"),
    "cover": CommandInfo("campaign_commands", "Draw a simple cover image for a report that has none.",
                         'outreach cover campaigns/my-report-cover.png --title "Soldier Defections in Myanmar" --kicker "DIIS Report"'),
    "approve": CommandInfo("campaign_commands", "Approve the campaign exactly as it renders now.",
                           'outreach approve soldier-defections-myanmar --by "Jane Doe"'),
    "review": CommandInfo("review_commands", "Mail each reviewer a signed link to approve or request changes in a browser (or --revoke one).",
                          'outreach review soldier-defections-myanmar --reviewer "Jane Doe <jane@example.org>"'),
    "diff": CommandInfo("review_commands", "What changed since the last approval (or review round N): words, times, images.",
                        "outreach diff soldier-defections-myanmar --html diff.html"),
    "send": CommandInfo("email_commands", "Send the campaign's email to its list (safe to run again: nobody gets it twice).",
                        "outreach send soldier-defections-myanmar --now"),
    "send-test": CommandInfo("email_commands", "Send a [Test] copy to the given addresses only; records nothing.",
                             "outreach send-test soldier-defections-myanmar --to me@example.org"),
    "post": CommandInfo("post_commands", "Publish the campaign's posts and threads; print each post's URL.",
                        "outreach post soldier-defections-myanmar --step 2 --now"),
    "schedule": CommandInfo("schedule_commands", "Schedule every step of an approved campaign at its local time (again: replaces its jobs).",
                            "outreach schedule soldier-defections-myanmar"),
    "run": CommandInfo("schedule_commands", "The dispatcher: sends each scheduled step at its time (foreground; SIGTERM stops it cleanly).",
                       "outreach run --until-idle"),
    "cancel": CommandInfo("schedule_commands", "Cancel a campaign's scheduled steps (or some of them).",
                          "outreach cancel soldier-defections-myanmar --step 3"),
    "reschedule": CommandInfo("schedule_commands", "Move one scheduled step to another local time.",
                              "outreach reschedule soldier-defections-myanmar --step 2 --at 2027-01-12T14:30"),
    "status": CommandInfo("status_commands", "Every step: when, channel, state, counts, URLs; what needs a person; the next due step.",
                          "outreach status soldier-defections-myanmar"),
    "calendar": CommandInfo("status_commands", "Write an .ics file of every scheduled step for the team's calendar.",
                            "outreach calendar --out schedule.ics"),
    "subscribers": CommandInfo("subscriber_commands", "Manage subscribers: import, list, count, export, remove, suppressed.",
                               "outreach subscribers import people.csv --list research"),
    "serve": CommandInfo("web_commands", "Serve one-click unsubscribe, sign-up with confirmation, and the archive.",
                         "outreach serve --port 8080"),
    "inbound": CommandInfo("inbound_commands", "Receive bounces, complaints and mailto unsubscribes (SMTP/LMTP receiver, IMAP poller).",
                           "outreach inbound --port 2525"),
    "bounces": CommandInfo("bounce_commands", "What came back: list, show the original, undo a wrongly applied suppression.",
                           "outreach bounces list"),
    "dkim": CommandInfo("dkim_commands", "DKIM keys: write a new key and print the DNS TXT record to publish.",
                        "outreach dkim keygen --selector s2027 --domain example.org --out dkim.pem"),
    "metrics": CommandInfo("metrics_commands", "Read the reactions of every published post now (the dispatcher also does, 1 h, 24 h and 7 d after each).",
                           "outreach metrics soldier-defections-myanmar"),
    "report": CommandInfo("report_commands", "What happened after sending: audience, bounces, clicks per link, post reactions (terminal, HTML, JSON, CSV).",
                          "outreach report soldier-defections-myanmar --html report.html"),
    "db": CommandInfo("db_commands", "Show or upgrade the database schema revision.", "outreach db upgrade"),
}

"""Review links: rendered versions with their preview files, review rounds, reviewers, decisions.

- ``review_versions``: what a campaign rendered to (its hashes, the pieces a diff compares, the
  file it came from), once per content hash; ``review_files``: that version's preview files;
- ``review_rounds``: each ``outreach review``, numbered per campaign, with its owner;
- ``reviewers``: one signed link per reviewer and round (expiry, revocation);
- ``approvals`` becomes the decisions table: ``decision`` (approved | changes-requested),
  ``method`` (cli | link), the reviewer from the token, the OS user of a CLI approval, the client
  IP, a comment, the version approved, and when the owner was told of a request for changes (and
  when a server claimed that notice, so two servers do not both send it).
  Every existing row is a CLI approval, as it was; its pieces were never stored, so a diff against
  it names the changed pieces without their words.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from outreach.store.schema import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "review_versions",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("campaign", sa.String(100), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("hashes", sa.JSON(), nullable=False),
        sa.Column("pieces", sa.JSON(), nullable=False),
        sa.Column("source_path", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("rendered_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="review_versions_pkey"),
        sa.UniqueConstraint("campaign", "content_hash", name="uq_review_versions_campaign"),
    )
    op.create_table(
        "review_files",
        sa.Column("version_id", Id, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["review_versions.id"], ondelete="CASCADE", name="review_files_version_id_fkey"),
        sa.PrimaryKeyConstraint("version_id", "name", name="review_files_pkey"),
    )
    op.create_table(
        "review_rounds",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("campaign", sa.String(100), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("version_id", Id, nullable=False),
        sa.Column("owner", sa.String(400), nullable=True),
        sa.Column("requested_by", sa.String(200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["review_versions.id"], name="review_rounds_version_id_fkey"),
        sa.PrimaryKeyConstraint("id", name="review_rounds_pkey"),
        sa.UniqueConstraint("campaign", "number", name="uq_review_rounds_campaign"),
    )
    op.create_table(
        "reviewers",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("round_id", Id, nullable=False),
        sa.Column("campaign", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("address", sa.String(320), nullable=False),
        sa.Column("link_key", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["round_id"], ["review_rounds.id"], ondelete="CASCADE", name="reviewers_round_id_fkey"),
        sa.PrimaryKeyConstraint("id", name="reviewers_pkey"),
        sa.UniqueConstraint("link_key", name="uq_reviewers_link_key"),
    )
    op.create_index("ix_reviewers_campaign", "reviewers", ["campaign", "address"])
    with op.batch_alter_table("approvals") as batch:
        batch.add_column(sa.Column("decision", sa.String(20), nullable=False, server_default="approved"))
        batch.add_column(sa.Column("method", sa.String(10), nullable=False, server_default="cli"))
        batch.add_column(sa.Column("reviewer_id", Id, nullable=True))
        batch.add_column(sa.Column("reviewer_address", sa.String(320), nullable=True))
        batch.add_column(sa.Column("os_user", sa.String(200), nullable=True))
        batch.add_column(sa.Column("client_ip", sa.String(45), nullable=True))
        batch.add_column(sa.Column("comment", sa.Text(), nullable=True))
        batch.add_column(sa.Column("version_id", Id, nullable=True))
        batch.add_column(sa.Column("notified_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("notice_claimed_at", UTCDateTime(), nullable=True))
        batch.create_foreign_key("approvals_reviewer_id_fkey", "reviewers", ["reviewer_id"], ["id"], ondelete="SET NULL")
        batch.create_foreign_key("approvals_version_id_fkey", "review_versions", ["version_id"], ["id"])
        # op.f: the name as written (the naming convention would make it approvals_approvals_…_check_check)
        batch.create_check_constraint(op.f("approvals_decision_check"), "decision IN ('approved', 'changes-requested')")
        batch.create_check_constraint(op.f("approvals_method_check"), "method IN ('cli', 'link')")
    _name_checks_as_the_models_do()


def _name_checks_as_the_models_do() -> None:
    """Revisions 0004-0007 named their CHECK constraints through the naming convention, which doubled the names
    (``clicks_clicks_machine_reason_check_check``); a new database has ``clicks_machine_reason_check``. Rename them
    so every database, migrated or new, has the models' names and a later revision can address them."""
    bind = op.get_bind()
    for table in sa.inspect(bind).get_table_names():
        doubled = [c for c in sa.inspect(bind).get_check_constraints(table)
                   if (c.get("name") or "").startswith(f"{table}_{table}_") and c["name"].endswith("_check_check")]
        if not doubled:
            continue
        with op.batch_alter_table(table) as batch:
            for check in doubled:
                batch.drop_constraint(op.f(check["name"]), type_="check")
                batch.create_check_constraint(op.f(check["name"][len(table) + 1:-len("_check")]), check["sqltext"])


def downgrade() -> None:
    # Before 0008 every row was a CLI approval, and the code read each as one. A request for changes, an approval it
    # replaced, or one made with a link revoked since would all become approvals: only CLI approvals are kept (a
    # campaign approved through links must be approved again with the older outreach).
    op.execute("DELETE FROM approvals WHERE decision <> 'approved' OR method <> 'cli'")
    with op.batch_alter_table("approvals") as batch:
        batch.drop_constraint(op.f("approvals_method_check"), type_="check")
        batch.drop_constraint(op.f("approvals_decision_check"), type_="check")
        batch.drop_constraint("approvals_version_id_fkey", type_="foreignkey")
        batch.drop_constraint("approvals_reviewer_id_fkey", type_="foreignkey")
        for column in ("notice_claimed_at", "notified_at", "version_id", "comment", "client_ip", "os_user", "reviewer_address", "reviewer_id", "method", "decision"):
            batch.drop_column(column)
    op.drop_index("ix_reviewers_campaign", table_name="reviewers")
    for table in ("reviewers", "review_rounds", "review_files", "review_versions"):
        op.drop_table(table)

"""The steps waiting on a person, read from the assignees table by person (issue 13).

Django's many-to-many table of ``ApprovalStep.assignees`` has an index on ``user_id`` alone; "my work" asks for the
pending steps among everything a person was ever named on (the marketing director: ~54,000 of 1.27 million rows in
ten years), and that index makes PostgreSQL fetch each of those rows from the table (30 ms a query, twice on every
home page). With ``(user_id, approvalstep_id)`` the step ids come from the index alone (9 ms on the ``seed_bench``
data set). The table is Django's own, so the index is written in SQL (the same statement on PostgreSQL and SQLite).
"""

from django.db import migrations

NAME = "contract_step_assignee_user_step"


class Migration(migrations.Migration):

    dependencies = [
        ("contracts", "0010_visibility_indexes"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON contracts_approvalstep_assignees (user_id, approvalstep_id)",
            f"DROP INDEX IF EXISTS {NAME}",
        ),
    ]

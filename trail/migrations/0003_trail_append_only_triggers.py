"""On PostgreSQL the trail tables refuse UPDATE and DELETE in the database itself, whatever the client.

TRUNCATE stays allowed (statement-level, and what the test suite's flush uses); see docs/trail.md. On SQLite no
trigger is installed: anyone who can write the file can drop one, and Django's test flush deletes row by row.
"""

from django.db import migrations

TABLES = ("trail_event", "trail_anchor")

FUNCTION = """
CREATE OR REPLACE FUNCTION trail_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- No percent sign here: the statement goes through the driver's parameter formatting.
    RAISE EXCEPTION USING MESSAGE = '追溯记录只能追加，不能修改或删除：' || TG_OP || ' ' || TG_TABLE_NAME,
        ERRCODE = 'insufficient_privilege';
END;
$$;
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION trail_refuse_change()"
        )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS trail_refuse_change()")


class Migration(migrations.Migration):

    dependencies = [("trail", "0002_anchor_prev_root")]

    operations = [migrations.RunPython(install, remove)]

"""Nearest available agent by a KNN index (PostgreSQL only; SQLite: nothing to do).

Routing ranks available agents by great-circle distance from the caller
(routing.selectors.candidates_for). This indexes each verified, available agent's home as a
point on the unit sphere — a `cube` (x, y, z) — with GiST, so `ORDER BY point <-> origin
LIMIT n` walks the index nearest first and a radius step (`cube_enlarge(origin, chord, 3) @>
point`) is an index search too. At 1M agents the ranking statement took 3.3-3.7 / 11.5-13.2
ms p50 / p99 where the bounding box took 13-15 / 64-83 ms, and it is exact
(docs/performance.md, "Nearest agent at a million").

Why `cube` alone, not earthdistance's `ll_to_earth` nor PostGIS (measured: all three within
~10% of each other):
- `cube` is a trusted extension (PostgreSQL 13+): the database owner creates it without
  superuser; earthdistance is not trusted (superuser only) and PostGIS is a separate package.
- `ll_to_earth`'s body is SQL text calling `cube()` and `earth()` unqualified: pg_dump runs
  its restore with an empty search_path, so an index (or generated column) on it fails to
  restore ("type earth does not exist", checked here). The expression below calls cube's C
  functions directly; pg_dump writes them schema-qualified, and it restores (checked too).
The expression must stay identical to routing.selectors.EARTH_POINT (the planner matches the
query's expression to the index's), and the predicate to what the ranking's WHERE implies.
"""

from django.db import migrations

POINT = (
    "cube(cube(cube(cos(radians(latitude)) * cos(radians(longitude))),"
    " cos(radians(latitude)) * sin(radians(longitude))), sin(radians(latitude)))"
)
CREATE = [
    "CREATE EXTENSION IF NOT EXISTS cube",
    f"CREATE INDEX agents_profile_nearby_knn_idx ON agents_agentprofile USING gist (({POINT}))"
    " WHERE status = 'verified' AND duty_status = 'available'",
]
DROP = ["DROP INDEX IF EXISTS agents_profile_nearby_knn_idx"]  # the extension may serve others


def _on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return  # SQLite ranks by a bounding box and exact distance in Python
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0010_geoname_id_range"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP), elidable=False),
    ]

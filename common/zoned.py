"""A moment read on the clock of a time zone that a column names, row by row, in SQL.

Django's own `Extract`/`TruncTime` take one fixed zone for the whole query; a staffing request
keeps its hours in its own zone (`time_zone`), so "is it inside its hours now?" needs the
local weekday, time and date of *that* row's zone. PostgreSQL says it with `AT TIME ZONE`
(daylight saving included); SQLite with the functions Django registers on every SQLite
connection (`django_datetime_cast_time` and friends, the ones its own `Extract` compiles to),
which take the zone as an argument and so accept a column.

The moment itself is one parameter (`at`, aware), so a query built with these compiles to SQL
with that parameter in it: `common.sqlform` turns it into a named placeholder.
"""

import datetime as dt

from django.db import NotSupportedError
from django.db.models import CharField, DateField, Func, TimeField


class _Local(Func):
    """`at` on the clock of the zone named by the expression given (usually an F())."""

    arity = 1
    postgresql_part = ""  # SQL around {local}: the moment as a local timestamp
    sqlite_part = ""  # SQL around {local}: Django's SQLite function call

    def __init__(self, at: dt.datetime, zone, **extra):
        if at.tzinfo is None:
            raise ValueError("A local clock needs an aware moment.")
        super().__init__(zone, **extra)
        self.at = at

    def as_sql(self, compiler, connection, **extra):
        raise NotSupportedError(f"{type(self).__name__} is written for PostgreSQL and SQLite.")

    def as_postgresql(self, compiler, connection, **extra):
        zone, zone_params = compiler.compile(self.source_expressions[0])
        local = f"(CAST(%s AS timestamptz) AT TIME ZONE {zone})"
        return self.postgresql_part.format(local=local), (self.at, *zone_params)

    def as_sqlite(self, compiler, connection, **extra):
        zone, zone_params = compiler.compile(self.source_expressions[0])
        # SQLite stores datetimes as naive text in the connection's zone (UTC): pass `at`
        # the same way, and that zone's name, as Django's own datetime functions do.
        at = connection.ops.adapt_datetimefield_value(self.at)
        args = f"%s, {zone}, %s"
        return (
            self.sqlite_part.format(args=args),
            (at, *zone_params, connection.timezone_name),
        )


class LocalWeekday(_Local):
    """The weekday digit ("0" = Monday … "6" = Sunday) there: the form of `days` fields."""

    output_field = CharField()
    postgresql_part = "CAST(CAST(EXTRACT(ISODOW FROM {local}) AS integer) - 1 AS text)"
    sqlite_part = "CAST(django_datetime_extract('iso_week_day', {args}) - 1 AS TEXT)"


class LocalTime(_Local):
    output_field = TimeField()
    postgresql_part = "CAST({local} AS time)"
    sqlite_part = "django_datetime_cast_time({args})"


class LocalDate(_Local):
    output_field = DateField()
    postgresql_part = "CAST({local} AS date)"
    sqlite_part = "django_datetime_cast_date({args})"

"""wtdb: read a wiretop history database as wiretop itself does.

Flow records and host totals are packed in segments (src/store-seg.c);
the tables flows, host_hour and host_day exist only inside wiretop, as
virtual tables.  The tests read them through `wiretop db sql` (read-only),
which prints each row's columns joined by "|", NULL as nothing.  connect()
gives an object with the few calls of sqlite3's the tests use.
"""
import os
import re
import subprocess

_INT = re.compile(r"-?[0-9]+\Z")
_REAL = re.compile(r"-?[0-9]+\.[0-9]+(e[-+]?[0-9]+)?\Z")


def _value(v):
    if v == "":
        return None
    if _INT.match(v):
        return int(v)
    if _REAL.match(v):
        return float(v)
    return v


class _Rows(list):
    def fetchone(self):
        return self[0] if self else None

    def fetchall(self):
        return list(self)


class _Conn:
    def __init__(self, db):
        self.db = db

    def execute(self, sql):
        p = subprocess.run([os.environ.get("WIRETOP", "wiretop"), "db",
                            "--db", self.db, "sql", sql],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError("wiretop db sql: %s: %s" %
                               (sql, p.stderr.strip()))
        return _Rows(tuple(_value(v) for v in line.split("|"))
                     for line in p.stdout.splitlines())

    def close(self):
        pass


def connect(db):
    return _Conn(db)

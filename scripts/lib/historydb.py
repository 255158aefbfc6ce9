"""historydb.py -- the benchmark history database (SQLite, Python's sqlite3).

Why SQLite: one file, no server, readable with Debian's `sqlite3` tool, safe
for several writers on one machine (WAL + a busy timeout), and one transaction
per run makes a killed append leave nothing half-written. A JSON-lines file
was rejected: concurrent appends interleave and a torn last line needs repair.

Layout (schema version SCHEMA_VERSION, kept in PRAGMA user_version):
  meta(key, value)            format = 'corobench-history' marks our files
  machines(fingerprint, ...)  CPU model, cores, kernel, compiler, flags, build type
  runs(run_id, commit_sha, branch, date_utc, fingerprint, source, imported_from)
  metrics(run_id, metric, value, unit, limit_json, gated)
  history                     a view: one row per metric with its run's columns
Series are kept apart by fingerprint: counts from two machines or two
compilers are different quantities. bench/regress/README.md has example SQL.
"""
import hashlib
import json
import os
import sqlite3
import time
import uuid

FORMAT = "corobench-history"
SCHEMA_VERSION = 2
DEFAULT_PATH = os.path.join("results", "history.sqlite")
BUSY_TIMEOUT_MS = 60000  # two CI jobs on one runner wait for each other, never fail
FINGERPRINT_KEYS = ("cpu_model", "cores", "kernel", "compiler", "cflags", "build_type")


class HistoryError(Exception):
    """The history file cannot be used (corrupt, foreign, newer): exit 2."""


def default_path(root):
    """BENCH_HISTORY when set, else results/history.sqlite under root."""
    p = os.environ.get("BENCH_HISTORY")
    return p if p else os.path.join(root, DEFAULT_PATH)


def disabled():
    """BENCH_HISTORY=off turns recording off (a one-off measurement)."""
    return os.environ.get("BENCH_HISTORY", "").lower() in ("off", "none", "0")


# --------------------------------------------------------------------------
# schema: each step moves the file one version up, in one transaction

def _script(db, text):
    # Statement by statement: executescript() would commit the migration's
    # transaction first, and a kill mid-migration would leave half a schema.
    for stmt in text.split(";"):
        if stmt.strip():
            db.execute(stmt)


def _v1(db):
    _script(db, """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE machines (
            fingerprint TEXT PRIMARY KEY, cpu_model TEXT, cores INTEGER, kernel TEXT,
            compiler TEXT, cflags TEXT, build_type TEXT, env_json TEXT);
        CREATE TABLE runs (
            run_id TEXT PRIMARY KEY, commit_sha TEXT, branch TEXT, date_utc TEXT NOT NULL,
            fingerprint TEXT NOT NULL REFERENCES machines(fingerprint));
        CREATE TABLE metrics (
            run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
            metric TEXT NOT NULL, value REAL, unit TEXT, limit_json TEXT,
            gated INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (run_id, metric));
        CREATE INDEX metrics_by_name ON metrics(metric);
    """)
    db.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))


def _v2(db):
    # Version 2 records where a run came from (bench-check, bench, compare,
    # import), so that a merged fleet history can tell its sources apart,
    # and adds the one-row-per-metric view.
    _script(db, """
        ALTER TABLE runs ADD COLUMN source TEXT NOT NULL DEFAULT 'bench-check';
        ALTER TABLE runs ADD COLUMN imported_from TEXT;
        CREATE INDEX runs_by_date ON runs(fingerprint, date_utc);
        CREATE VIEW history AS
            SELECT r.run_id, r.commit_sha, r.branch, r.date_utc, r.fingerprint, r.source,
                   m.metric, m.value, m.unit, m.limit_json, m.gated
            FROM metrics m JOIN runs r USING (run_id);
    """)


MIGRATIONS = [_v1, _v2]  # MIGRATIONS[i] takes a file from version i to i + 1
assert len(MIGRATIONS) == SCHEMA_VERSION


def check_file(path):
    """Reads the file read-only; raises HistoryError unless it is empty or ours.
    Returns its schema version (0 for a new or empty file)."""
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return 0
    try:
        ro = sqlite3.connect(f"file:{os.path.abspath(path)}?mode=ro", uri=True, timeout=60)
    except sqlite3.Error as e:
        raise HistoryError(f"{path}: cannot open: {e}")
    try:
        names = {r[0] for r in ro.execute("SELECT name FROM sqlite_master")}
        version = ro.execute("PRAGMA user_version").fetchone()[0]
        fmt = None
        if "meta" in names:
            row = ro.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
            fmt = row[0] if row else None
    except sqlite3.DatabaseError as e:
        raise HistoryError(f"{path}: not a readable SQLite database ({e}); "
                           "left untouched: move it away or set BENCH_HISTORY")
    finally:
        ro.close()
    if not names:
        return 0  # an empty database: a writer that created it has not migrated it yet
    if fmt != FORMAT:
        what = "an SQLite database of another program" if names else "an unknown file"
        raise HistoryError(f"{path}: {what}, not a corobench history; left untouched: "
                           "move it away or set BENCH_HISTORY to another path")
    if version > SCHEMA_VERSION:
        raise HistoryError(f"{path}: history schema version {version} is newer than this "
                           f"tool's ({SCHEMA_VERSION}); update corobench to write to it")
    return version


def connect(path):
    """Opens (creating or migrating) the history at path. HistoryError if unusable."""
    version = check_file(path)
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    try:
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _wal(db)
        db.execute("PRAGMA foreign_keys = ON")
        _migrate(db, version)
    except sqlite3.DatabaseError as e:
        raise HistoryError(f"{path}: {e}")
    return db


def _wal(db):
    """Switches to WAL. The switch takes a lock that SQLite's busy handler
    does not wait for while another connection is creating the same file, so
    two writers starting at once would refuse each other: retry, within the
    same busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _migrate(db, version):
    if version == SCHEMA_VERSION:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        # Another writer may have migrated it while we waited for the lock.
        version = db.execute("PRAGMA user_version").fetchone()[0]
        for step in range(version, SCHEMA_VERSION):
            MIGRATIONS[step](db)
            db.execute(f"PRAGMA user_version = {step + 1}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


# --------------------------------------------------------------------------
# machines

def machine(env):
    """The fingerprint fields of an env dict (env.capture or env.json)."""
    m = {k: env.get(k) for k in FINGERPRINT_KEYS}
    if isinstance(m["kernel"], str):
        # env.json says "6.1.0-x", the C capture "Linux 6.1.0-x x86_64": one kernel
        parts = m["kernel"].split()
        m["kernel"] = parts[1] if len(parts) == 3 and parts[0] == "Linux" else m["kernel"]
    return m


def fingerprint(env):
    """A short stable id of the machine and build: same id, comparable counts."""
    text = json.dumps(machine(env), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def machine_label(row):
    """Human name of a fingerprint's machine: 'AMD EPYC, 2 cores, gcc 12, Release'."""
    comp = (row.get("compiler") or "?").split("\n")[0]
    return f"{row.get('cpu_model') or '?'}, {row.get('cores') or '?'} cores, {comp}, " \
           f"{row.get('build_type') or '?'}"


# --------------------------------------------------------------------------
# writing

def new_run_id(source):
    return f"{source}-{uuid.uuid4().hex[:16]}"


def append_run(db, run, metrics):
    """Writes one run and its metric rows in one transaction.

    run: dict(run_id, commit_sha, branch, date_utc, env, source[, imported_from])
    metrics: iterable of (metric, value, unit, limit dict or None, gated bool).
    Returns the number of metric rows written. A kill anywhere in here leaves
    the file as it was before (SQLite rolls the open transaction back)."""
    env = run.get("env") or {}
    fp = run.get("fingerprint") or fingerprint(env)
    mach = machine(env)
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute("INSERT OR IGNORE INTO machines VALUES (?,?,?,?,?,?,?,?)",
                   (fp, mach["cpu_model"], mach["cores"], mach["kernel"], mach["compiler"],
                    mach["cflags"], mach["build_type"], json.dumps(env, sort_keys=True)))
        db.execute("INSERT INTO runs (run_id, commit_sha, branch, date_utc, fingerprint, "
                   "source, imported_from) VALUES (?,?,?,?,?,?,?)",
                   (run["run_id"], run.get("commit_sha"), run.get("branch"), run["date_utc"],
                    fp, run.get("source", "bench-check"), run.get("imported_from")))
        n = 0
        for name, value, unit, limit, gated in metrics:
            db.execute("INSERT INTO metrics VALUES (?,?,?,?,?,?)",
                       (run["run_id"], name, value, unit,
                        json.dumps(limit, sort_keys=True) if limit else None, int(bool(gated))))
            n += 1
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return n


def has_run(db, run_id):
    return db.execute("SELECT 1 FROM runs WHERE run_id = ?", (run_id,)).fetchone() is not None


# --------------------------------------------------------------------------
# reading

def rows(db, sql, args=()):
    cur = db.execute(sql, args)
    names = [c[0] for c in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def machines(db):
    return {r["fingerprint"]: r for r in rows(db, "SELECT * FROM machines")}


def gated_metrics(db):
    return [r[0] for r in db.execute(
        "SELECT DISTINCT metric FROM metrics WHERE gated = 1 ORDER BY metric")]


def series(db, metric, fingerprint_=None):
    """[(date, commit, run_id, fingerprint, value, limit dict)] oldest first."""
    sql = ("SELECT date_utc, commit_sha, run_id, fingerprint, value, limit_json "
           "FROM history WHERE metric = ? AND value IS NOT NULL")
    args = [metric]
    if fingerprint_:
        sql += " AND fingerprint = ?"
        args.append(fingerprint_)
    out = []
    for r in db.execute(sql + " ORDER BY date_utc, run_id", args):
        out.append((r[0], r[1], r[2], r[3], r[4], json.loads(r[5]) if r[5] else None))
    return out

#!/usr/bin/env python3
"""Tests the history database (scripts/lib/historydb.py, scripts/history.py).

Why: the history is appended to by every gate run on shared CI runners and
merged across machines; a corrupt or foreign file must be refused without
being touched, concurrent writers must keep every row, a killed writer must
leave nothing half-written, and machines must stay apart.
"""
import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rgtest  # noqa: E402

sys.path.insert(0, os.path.join(rgtest.SCRIPTS, "lib"))
import historydb  # noqa: E402

sys.path.insert(0, rgtest.SCRIPTS)
import history  # noqa: E402  (scripts/history.py, run in-process: no interpreter start-up)

HISTORY = os.path.join(rgtest.SCRIPTS, "history.py")
REGRESS = os.path.join(rgtest.SCRIPTS, "regress.py")
ENV_A = {"cpu_model": "CPU A", "cores": 2, "kernel": "6.1.0", "compiler": "gcc 12",
         "cflags": "-O3", "build_type": "Release"}
ENV_B = dict(ENV_A, cpu_model="CPU B", cores=8)


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def run(*args, env=None):
    e = dict(os.environ, **(env or {}))
    return subprocess.run([rgtest.PYTHON, *args], capture_output=True, text=True, env=e,
                          timeout=120)


def cli(*args):
    """scripts/history.py ARGS in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = history.main([str(a) for a in args])
    return subprocess.CompletedProcess(args, rc, out.getvalue(), err.getvalue())


def add(db, run_id, commit, date, value, env=ENV_A, metric="insn.x", gated=True):
    historydb.append_run(db, {"run_id": run_id, "commit_sha": commit, "branch": "main",
                              "date_utc": date, "env": env},
                         [(metric, value, "instr/op", {"max_increase_pct": 5}, gated)])


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="history-test.")
        self.path = os.path.join(self.tmp, "h.sqlite")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)


class BadFiles(Base):
    """A file that is not ours: one clear line, exit 2, file untouched."""

    def refused(self, word, wal=False, gate=False):
        before = digest(self.path)
        siblings = sorted(os.listdir(self.tmp))
        calls = [lambda: cli("--history", self.path, "report"),
                 lambda: cli("--history", self.path, "append-run", "/nonexistent")]
        if gate:  # the gate refuses it before measuring anything
            calls.append(lambda: run(REGRESS, "check", "--build", self.tmp, "--baseline",
                                     os.path.join(rgtest.ROOT, "results", "baseline.json"),
                                     "--history", self.path))
        for call in calls:
            p = call()
            args = p.args
            self.assertEqual(p.returncode, 2, f"{args}: {p.stderr}")
            self.assertIn(word, p.stderr)
            self.assertNotIn("Traceback", p.stderr)
            self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
        self.assertEqual(digest(self.path), before, "the file was modified")
        if not wal:  # reading a WAL file (ours, newer) may add its -wal/-shm companions
            self.assertEqual(sorted(os.listdir(self.tmp)), siblings, "files added beside it")

    def test_corrupt(self):
        with open(self.path, "wb") as f:
            f.write(b"SQLite format 3\x00" + bytes(range(256)) * 16)
        self.refused("not a readable SQLite database", gate=True)

    def test_text_file(self):
        with open(self.path, "w") as f:
            f.write("metric,value\ninsn.x,1\n")
        self.refused("not a readable SQLite database")

    def test_foreign_sqlite(self):
        with sqlite3.connect(self.path) as db:
            db.execute("CREATE TABLE invoices (id INTEGER, total REAL)")
            db.execute("INSERT INTO invoices VALUES (1, 9.5)")
        db.close()
        self.refused("another program", gate=True)

    def test_newer_schema(self):
        historydb.connect(self.path).close()
        with sqlite3.connect(self.path) as db:
            db.execute(f"PRAGMA user_version = {historydb.SCHEMA_VERSION + 1}")
        db.close()
        self.refused("newer", wal=True)


class Schema(Base):
    def test_migration_from_version_1(self):
        db = sqlite3.connect(self.path, isolation_level=None)
        historydb.MIGRATIONS[0](db)
        db.execute("PRAGMA user_version = 1")
        db.execute("INSERT INTO machines (fingerprint) VALUES ('fp1')")
        db.execute("INSERT INTO runs VALUES ('r1', 'abc', 'main', '2026-01-01T00:00:00Z', 'fp1')")
        db.execute("INSERT INTO metrics VALUES ('r1', 'insn.x', 42, 'instr', NULL, 1)")
        db.close()
        db = historydb.connect(self.path)
        self.assertEqual(db.execute("PRAGMA user_version").fetchone()[0],
                         historydb.SCHEMA_VERSION)
        rows = historydb.rows(db, "SELECT run_id, metric, value, source FROM history")
        self.assertEqual(rows, [{"run_id": "r1", "metric": "insn.x", "value": 42.0,
                                 "source": "bench-check"}])

    def test_one_row_per_metric_with_its_run(self):
        db = historydb.connect(self.path)
        add(db, "r1", "abc", "2026-01-01T00:00:00Z", 73)
        r = historydb.rows(db, "SELECT * FROM history")[0]
        self.assertEqual((r["commit_sha"], r["branch"], r["metric"], r["value"], r["unit"]),
                         ("abc", "main", "insn.x", 73.0, "instr/op"))
        self.assertEqual(json.loads(r["limit_json"]), {"max_increase_pct": 5})
        self.assertEqual(r["fingerprint"], historydb.fingerprint(ENV_A))
        m = historydb.machines(db)[r["fingerprint"]]
        self.assertEqual((m["cpu_model"], m["cores"], m["compiler"]), ("CPU A", 2, "gcc 12"))

    def test_kernel_spellings_give_one_fingerprint(self):
        self.assertEqual(historydb.fingerprint(ENV_A),
                         historydb.fingerprint(dict(ENV_A, kernel="Linux 6.1.0 x86_64")))
        self.assertNotEqual(historydb.fingerprint(ENV_A), historydb.fingerprint(ENV_B))


WRITER = r"""
import sys
sys.path.insert(0, sys.argv[1])
import historydb
tag = sys.argv[3]
print("ready", flush=True)
sys.stdin.readline()
db = historydb.connect(sys.argv[2])
for i in range(int(sys.argv[4])):
    historydb.append_run(db, {"run_id": f"{tag}-{i}", "date_utc": f"2026-01-01T00:00:{i:02d}Z",
                              "env": {"cpu_model": tag}},
                         [(f"m{k}", float(i), "u", None, True) for k in range(20)])
"""

KILLED = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
import historydb
db = historydb.connect(sys.argv[2])
def metrics():
    for k in range(20):
        if k == 10:
            print("half", flush=True)
            time.sleep(120)
        yield (f"m{k}", 1.0, "u", None, True)
historydb.append_run(db, {"run_id": "killed", "date_utc": "2026-01-02T00:00:00Z", "env": {}},
                     metrics())
"""


class Writers(Base):
    def spawn(self, code, *args):
        return subprocess.Popen([rgtest.PYTHON, "-c", code, os.path.join(rgtest.SCRIPTS, "lib"),
                                 self.path, *args], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)

    def test_two_writers_at_once_keep_both(self):
        # no file yet: both create, migrate and append at once
        procs = [self.spawn(WRITER, tag, "40") for tag in ("ci-job-1", "ci-job-2")]
        for p in procs:
            self.assertEqual(p.stdout.readline().strip(), "ready")
        for p in procs:  # release both together
            p.stdin.write("go\n")
            p.stdin.flush()
        for p in procs:
            self.assertEqual(p.wait(timeout=120), 0)
            p.stdin.close()
            p.stdout.close()
        db = historydb.connect(self.path)
        self.assertEqual(db.execute("SELECT count(*) FROM runs").fetchone()[0], 80)
        self.assertEqual(db.execute("SELECT count(*) FROM metrics").fetchone()[0], 80 * 20)
        self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")

    def test_killed_mid_append_leaves_no_trace(self):
        db = historydb.connect(self.path)
        add(db, "before", "abc", "2026-01-01T00:00:00Z", 1)
        p = self.spawn(KILLED)
        self.assertEqual(p.stdout.readline().strip(), "half")
        p.kill()
        p.wait(timeout=30)
        p.stdin.close()
        p.stdout.close()
        db.close()
        db = historydb.connect(self.path)
        self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        self.assertEqual([r[0] for r in db.execute("SELECT run_id FROM runs")], ["before"])
        self.assertEqual(db.execute("SELECT count(*) FROM metrics WHERE run_id = 'killed'")
                         .fetchone()[0], 0)
        add(db, "after", "def", "2026-01-03T00:00:00Z", 2)  # still writable
        self.assertEqual(db.execute("SELECT count(*) FROM runs").fetchone()[0], 2)


class Import(Base):
    def make(self, name, env, prefix, values):
        path = os.path.join(self.tmp, name)
        db = historydb.connect(path)
        for i, v in enumerate(values):
            add(db, f"{prefix}-{i}", f"c{i:02d}", f"2026-01-01T00:{i:02d}:00Z", v, env=env)
        db.close()
        return path

    def test_merge_keeps_machines_apart(self):
        a = self.make("a.sqlite", ENV_A, "a", [100] * 4)
        b = self.make("b.sqlite", ENV_B, "b", [50] * 4)
        before = digest(b)
        p = cli("--history", a, "import", b)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(digest(b), before, "the imported file was modified")
        again = cli("--history", a, "import", b)
        self.assertIn("0 run(s) imported", again.stderr)
        db = historydb.connect(a)
        self.assertEqual(db.execute("SELECT count(*) FROM runs").fetchone()[0], 8)
        self.assertEqual(len(historydb.machines(db)), 2)
        src = db.execute("SELECT DISTINCT imported_from FROM runs WHERE run_id LIKE 'b-%'")
        self.assertEqual(src.fetchall(), [("b.sqlite",)])
        out = cli("--history", a, "report", "--no-plots", "--out", self.tmp).stdout
        self.assertEqual(out.count("insn.x (instr/op, limit +5%)  [machine "), 2, out)
        pooled = cli("--history", a, "report", "--no-plots", "--across-machines",
                     "--out", self.tmp).stdout
        self.assertEqual(pooled.count("insn.x (instr/op, limit +5%)  [machine all"), 1, pooled)

    def test_run_directory(self):
        ref = os.path.join(rgtest.ROOT, "results", "ref")
        p = cli("--history", self.path, "import", ref)
        self.assertEqual(p.returncode, 0, p.stderr)
        db = historydb.connect(self.path)
        (src, n), = db.execute("SELECT source, count(*) FROM history GROUP BY run_id")
        self.assertEqual(src, "bench")
        self.assertGreater(n, 100)
        p = cli("--history", self.path, "append-run", ref)
        self.assertIn("already recorded", p.stderr)
        self.assertEqual(db.execute("SELECT count(*) FROM runs").fetchone()[0], 1)

    def test_bad_sources(self):
        for src in ("/nonexistent/x.sqlite", rgtest.HERE):
            p = cli("--history", self.path, "import", src)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertNotIn("Traceback", p.stderr)


class Report(Base):
    def test_table_shift_and_plots(self):
        db = historydb.connect(self.path)
        for i in range(14):
            add(db, f"r{i}", f"commit{i:02d}", f"2026-01-01T00:{i:02d}:00Z",
                100.0 if i < 7 else 110.0)
        add(db, "t", "commit13", "2026-01-01T00:30:00Z", 3.0, metric="time.x", gated=False)
        db.close()
        out_dir = os.path.join(self.tmp, "out")
        p = cli("--history", self.path, "report", "--last", "5", "--out", out_dir)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("time.x", p.stdout, "only gated metrics by default")
        self.assertEqual(p.stdout.count("commit"), 5 + 3, p.stdout)  # 5 rows, header, change
        self.assertIn("at commit07", p.stdout)
        self.assertIn("+10.00%", p.stdout)
        changes = json.load(open(os.path.join(out_dir, "changes.json")))["changes"]
        self.assertEqual([(c["commit"], c["before"], c["after"]) for c in changes],
                         [("commit07", 100.0, 110.0)])
        if shutil.which("gnuplot"):
            with open(os.path.join(out_dir, "insn.x.png"), "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
            with open(os.path.join(out_dir, "insn.x.svg")) as f:
                self.assertIn("<svg", f.read())

    def test_bad_usage(self):
        add(historydb.connect(self.path), "r", "c", "2026-01-01T00:00:00Z", 1.0)
        for args in (["report", "--metrics", "no.such.metric"], ["report", "--last", "0"],
                     ["frobnicate"], []):
            p = cli("--history", self.path, *args, "--out", self.tmp) \
                if args[:1] == ["report"] else cli("--history", self.path, *args)
            self.assertEqual(p.returncode, 2, f"{args}: {p.stderr}")
            self.assertNotIn("Traceback", p.stderr)
        p = cli("--history", os.path.join(self.tmp, "none.sqlite"), "report")
        self.assertEqual(p.returncode, 2)
        self.assertIn("no history", p.stderr)


class Disabled(Base):
    def test_bench_history_off(self):
        os.environ["BENCH_HISTORY"] = "off"
        cwd = os.getcwd()
        try:
            self.assertTrue(historydb.disabled())
            os.chdir(self.tmp)
            p = cli("append-run", os.path.join(rgtest.ROOT, "results", "ref"))
            self.assertEqual((p.returncode, os.listdir(self.tmp)), (0, []), p.stderr)
            self.assertEqual(cli("report").returncode, 2)
        finally:
            os.chdir(cwd)
            del os.environ["BENCH_HISTORY"]
        self.assertEqual(historydb.default_path("/r"), "/r/results/history.sqlite")


if __name__ == "__main__":
    try:
        import numpy  # noqa: F401  (the change points; Debian python3-numpy)
    except ImportError:
        print(f"SKIP: numpy is not importable by {sys.executable}")
        sys.exit(77)
    rgtest.main()

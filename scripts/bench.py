#!/usr/bin/env python3
"""bench.py --build DIR [--quick] [--results DIR] [--only STEPS] -- the runner behind `make bench`.

Runs the sweeps every workload module declares (scripts/workloads/) and the
peers (scripts/lib/peers.py) against the built binaries, each point under a
time limit; keeps every raw output in results/runs/<run-id>/raw/<step>/;
then turns them into CSV, plots and REPORT.md, and publishes those into
results/ only when a report was produced, so a failed or interrupted run
never clobbers the last good report.  Nothing here names a workload: adding
one adds a module, not a case here.

A point that fails, hangs or cannot start is data: its error is recorded in
the raw files and the report, and the sweep goes on.  Run length, machine
and cache sizes go to env.json and the report.

Knobs for tests: CB_POINT_LIMIT (seconds, overrides every point's limit),
CB_PEERS (a path that does not exist: the peers step is skipped, as without
a manifest), CB_REPS (repetitions of every repeated sweep), CB_FAULT=collect
(breaks env.json before collecting: proves a failed run leaves results/ alone).
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "lib")]
import peers  # noqa: E402
import systems  # noqa: E402
import workloads  # noqa: E402
from atomic import write_json, write_text  # noqa: E402
from cbdata import DataError, load_json_file  # noqa: E402

ROOT = os.path.dirname(HERE)
LIMIT = {"quick": 20, "full": 60}  # seconds a point may take, unless it declares otherwise
PEER_REPS = {"quick": 3, "full": 5}
BINARIES = ("bench/corobench", "bench/gbench/corobench-micro", "bench/gbench/corobench-micro-ucontext")


class Ctx:
    """What a step's points may name: the binaries, the core count."""
    def __init__(self, run, build):
        self.cb = os.path.join(run, "bin", "corobench")
        self.micro = os.path.join(run, "bin", "corobench-micro")
        self.build = build
        self.cores = os.cpu_count() or 2


def usage_error(msg):
    print(f"bench: {msg}", file=sys.stderr)
    sys.exit(2)


def parse(argv):
    names = [s.name for s in workloads.steps()] + ["peers"]
    ap = argparse.ArgumentParser(prog="bench", description="Run the benchmark sweeps, plot, report, publish.",
                                 epilog="steps: " + " ".join(names))
    ap.add_argument("--build", required=True, help="the build directory (run make first)")
    ap.add_argument("--quick", action="store_true", help="the quick sweeps")
    ap.add_argument("--results", default=os.path.join(ROOT, "results"), help="where to publish (default results/)")
    ap.add_argument("--only", help="a comma-separated subset of the steps")
    a = ap.parse_args(argv)
    if not os.path.isdir(a.build):
        usage_error(f"--build: build directory '{a.build}' does not exist (run make first)")
    a.build = os.path.abspath(a.build)
    a.mode = "quick" if a.quick else "full"
    a.steps = a.only.split(",") if a.only else names
    for s in a.steps:
        if s not in names:
            usage_error(f"--only: unknown step '{s}' (steps: {' '.join(names)})")
    return a


class Runner:
    def __init__(self, a, run):
        self.a, self.run, self.mode = a, run, a.mode
        self.ctx = Ctx(run, a.build)
        self.t0 = time.monotonic()
        self.nsteps, self.stepno, self.npoints, self.nfailed = len(a.steps) + 3, 0, 0, 0

    def progress(self, text):
        self.stepno += 1
        print(f"[{self.stepno}/{self.nsteps}] {text} ({int(time.monotonic() - self.t0)} s elapsed)", file=sys.stderr)

    def limit(self, pt):
        if os.environ.get("CB_POINT_LIMIT"):
            return float(os.environ["CB_POINT_LIMIT"])
        return pt.limit_s if pt.limit_s is not None else LIMIT[self.mode] * pt.limit_x

    def argv(self, pt):
        if pt.argv is not None:
            return [str(x) for x in pt.argv]
        args = [str(x) for x in pt.args]
        cmd = systems.corobench_argv(self.ctx.cb, pt.system, pt.workload, args)
        if cmd is None:  # a peer, through its manifest
            cmd = peers.argv(self.a.build, pt.system, pt.workload, args + (["--json"] if pt.kind == "cli" else []))
        return cmd

    def point(self, step, pt, rep):
        """Run one measurement under `timeout`; keep stdout, stderr and a meta file. Returns its exit code."""
        base = os.path.join(self.run, "raw", step, f"{pt.name}.r{rep}")
        lim, cmd = self.limit(pt), self.argv(pt)
        out = {"hyperfine": ["--export-json", base + ".out.tmp"],
               "gbench": [f"--benchmark_out={base}.out.tmp", "--benchmark_out_format=json"]}.get(pt.kind, [])
        t0 = time.monotonic()
        with open(base + (".log.tmp" if out else ".out.tmp"), "w") as so, open(base + ".err.tmp", "w") as se:
            proc = subprocess.Popen(["timeout", "-k", "5", f"{lim:g}"] + cmd + out, stdout=so, stderr=se,
                                    stdin=subprocess.DEVNULL)
            try:
                rc = proc.wait()
            except KeyboardInterrupt:
                # timeout runs in a process group of its own, out of reach of the
                # terminal's Ctrl-C: stop it and the measurement under it
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait()
                raise
        rc = 128 - rc if rc < 0 else rc  # killed by a signal: the shell's convention, as the raw data has it
        ms = int((time.monotonic() - t0) * 1000)
        for ext in (".out", ".err", ".log"):
            if os.path.exists(base + ext + ".tmp"):
                os.replace(base + ext + ".tmp", base + ext)
        tags = {"system": pt.system, **pt.tags} if pt.system else dict(pt.tags)
        if pt.optional:
            tags["optional"] = "yes"
        meta = [f"step={step}", f"point={pt.name}", f"rep={rep}", f"kind={pt.kind}", f"rc={rc}", f"elapsed_ms={ms}",
                f"limit_s={lim:g}", "cmd=" + " ".join(cmd)] + [f"t.{k}={v}" for k, v in tags.items()]
        write_text(base + ".meta", "\n".join(meta) + "\n")
        self.npoints += 1
        if rc != 0:
            self.nfailed += not pt.optional
            what = "optional: recorded as not supported" if pt.optional else "recorded as failed"
            print(f"      point {step}/{pt.name} rep {rep}: exit {rc} ({what}, going on)", file=sys.stderr)
        return rc

    def step(self, st):
        self.progress(st.title)
        os.makedirs(os.path.join(self.run, "raw", st.name), exist_ok=True)
        p = st.params[self.mode]
        reps = p["reps"] if st.fixed_reps or not os.environ.get("CB_REPS") else int(os.environ["CB_REPS"])
        for rep in range(1, reps + 1):
            for pt in st.points(p, self.ctx):
                self.point(st.name, pt, rep)

    def peers(self):
        self.progress("peers: the same workloads on other runtimes")
        d = os.path.join(self.run, "raw", "peers")
        os.makedirs(d, exist_ok=True)
        forced = os.environ.get("CB_PEERS")
        if forced and not os.path.exists(forced):
            write_text(os.path.join(d, "skipped.txt"), f"peers manifest {forced} not found\n")
            print(f"      no peers manifest ({forced}): skipped", file=sys.stderr)
            return
        try:
            avail, known = peers.available(self.a.build), {p["name"]: p for p in peers.load()}
        except (OSError, ValueError, KeyError, subprocess.SubprocessError) as e:
            write_text(os.path.join(d, "skipped.txt"), f"the peers manifest cannot be read: {e}\n")
            return
        # a peer that is one of corobench's own backends is measured as such
        names = [n for n, why in avail.items() if why is None and n not in systems.BACKENDS]
        wanted = workloads.peer_points()
        skipped = [f"{n}: not available: {why}" for n, why in avail.items() if why and n not in systems.BACKENDS]
        skipped += [f"{n}: no {wl} workload" for n in names for wl, _, _ in wanted
                    if wl not in known[n].get("workloads", [])]
        write_text(os.path.join(d, "list.txt"), "\n".join(names) + "\n")
        if skipped:
            write_text(os.path.join(d, "skipped.txt"), "\n".join(skipped) + "\n")
        self.peer_runs(names, known, wanted)

    def peer_runs(self, names, known, wanted):
        refused = set()  # (peer, point) that exited with a usage error: not asked again
        reps = int(os.environ.get("CB_REPS") or PEER_REPS[self.mode])
        for rep in range(1, reps + 1):
            for n in names:
                for wl, fn, params in wanted:
                    if wl not in known[n].get("workloads", []):
                        continue
                    for pt in fn(params[self.mode]):
                        if (pt.once and rep > 1) or (n, pt.name) in refused:
                            continue
                        pt.name, pt.system, pt.workload = f"{n}-{pt.name}", n, wl
                        if self.point("peers", pt, rep) == 2 and pt.optional:
                            refused.add((n, pt.name[len(n) + 1:]))

    def finish(self):
        """collect, plot, report; publish only when a report was written."""
        py = sys.executable
        self.progress(f"collecting {self.npoints} points ({self.nfailed} failed) into CSV")
        if os.environ.get("CB_FAULT") == "collect":
            write_text(os.path.join(self.run, "env.json"), "{broken\n")
        if subprocess.run([py, os.path.join(HERE, "lib", "collect.py"), self.run]).returncode != 0:
            return f"collecting the results failed; run kept in {self.run}, results/ untouched"
        self.progress("plotting")
        if subprocess.run([py, os.path.join(HERE, "plots.py"), self.run]).returncode != 0:
            print("bench: some plots failed (listed in the report)", file=sys.stderr)
        self.progress("writing the report")
        if subprocess.run([py, os.path.join(HERE, "report.py"), self.run]).returncode != 0:
            return f"no report produced; run kept in {self.run}, results/ untouched"
        if subprocess.run(["sh", os.path.join(HERE, "publish.sh"), self.run, self.a.results]).returncode != 0:
            return f"publishing failed; run kept in {self.run}"
        # The history database is a record beside the report, not part of it:
        # a history that cannot be written warns and does not fail the run.
        # Beside the results it publishes into (BENCH_HISTORY overrides it).
        hist = os.environ.get("BENCH_HISTORY") or os.path.join(self.a.results, "history.sqlite")
        if hist.lower() in ("off", "none", "0"):
            return None
        if subprocess.run([py, os.path.join(HERE, "history.py"), "--history", hist, "append-run",
                           self.run]).returncode != 0:
            print("bench: warning: run not recorded in the history database", file=sys.stderr)
        return None


def prepare(a):
    """The run directory, its copy of the binaries and its env.json."""
    for tool in ("gnuplot", "hyperfine", "timeout"):
        if shutil.which(tool) is None:
            print(f"bench: '{tool}' not found (sh scripts/bootstrap bench installs it)", file=sys.stderr)
            sys.exit(1)
    run_id = time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + f"-{a.mode}-{os.getpid()}"
    run = os.path.join(a.results, "runs", run_id)
    os.makedirs(os.path.join(run, "raw"))
    # Run from a copy of the binaries: a rebuild of the shared build directory
    # during the run (another `make`) must not swap the code under measurement.
    os.makedirs(os.path.join(run, "bin"))
    for b in BINARIES:
        if os.path.isfile(os.path.join(a.build, b)):
            shutil.copy2(os.path.join(a.build, b), os.path.join(run, "bin"))
    subprocess.run([sys.executable, os.path.join(HERE, "lib", "env.py"), "--build", a.build, "--run-id", run_id,
                    "--mode", a.mode, "--out", os.path.join(run, "env.json")], check=True)
    return run


def record_duration(run, seconds):
    """The measuring time of the run, into its env.json (the report shows it)."""
    path = os.path.join(run, "env.json")
    try:
        env = load_json_file(path, "environment file")
    except DataError:
        return  # collect names the broken file
    env["duration_s"] = round(seconds)
    write_json(path, env)


def main(argv):
    a = parse(argv)
    run = prepare(a)
    r = Runner(a, run)
    try:
        for name in a.steps:
            if name == "peers":
                r.peers()
            else:
                r.step(next(s for s in workloads.steps() if s.name == name))
        record_duration(run, time.monotonic() - r.t0)
        err = r.finish()
    except KeyboardInterrupt:
        print(f"\nbench: interrupted; run kept in {run}, results/ untouched", file=sys.stderr)
        return 130
    if err:
        print(f"bench: {err}", file=sys.stderr)
        return 1
    print(f"bench: {r.npoints} points, {r.nfailed} failed, {int(time.monotonic() - r.t0)} s; raw data in {run}",
          file=sys.stderr)
    print(os.path.join(a.results, "REPORT.md"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

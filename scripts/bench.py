#!/usr/bin/env python3
"""bench.py --build DIR [--quick] [--results DIR] [--only STEPS] [--build-peers] -- the runner behind `make bench`.

Runs the sweeps every workload module declares (scripts/workloads/) and the
peers (scripts/lib/peers.py) against the built binaries, each point under a
time limit; keeps every raw output in results/runs/<run-id>/raw/<step>/
(the peers' points in raw/peers/).  Each repetition of a step runs
corobench's points and then the peers' points of the same workload, back to
back (A B A B ...): a ratio between two systems then compares measurements
taken seconds apart, not minutes, and its repetitions pair up.  The steps
run in rounds, repetition r of every step in round r, so that a step's
repetitions are spread over the whole run (Runner.run_rounds says why), and
a step whose mode declares a budget sizes its repetitions from a pilot
(lib/pilot.py).  A step shows its progress (lib/progress.py): points done,
elapsed, time left; each round says how much measuring is left.  It
then turns them into CSV, plots and REPORT.md, and publishes those into
results/ only when a report was produced, so a failed or interrupted run
never clobbers the last good report.  Nothing here names a workload: adding
one adds a module, not a case here.

A point that fails, hangs or cannot start is data: its error is recorded in
the raw files and the report, and the sweep goes on.  Run length, machine
and cache sizes go to env.json and the report.

Knobs for tests: CB_POINT_LIMIT (seconds, overrides every point's limit),
CB_PEERS (a path that does not exist: the peers are skipped, as without
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
import pilot as pilot_mod  # noqa: E402
import systems  # noqa: E402
import workloads  # noqa: E402
from atomic import write_json, write_text  # noqa: E402
from progress import Progress, duration  # noqa: E402
from cbdata import DataError, load_json_file  # noqa: E402

ROOT = os.path.dirname(HERE)
LIMIT = {"quick": 20, "full": 60}  # seconds a point may take, unless it declares otherwise
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
    ap.add_argument("--only", help="a comma-separated subset of the steps ('peers': the peers' points of them)")
    ap.add_argument("--build-peers", action="store_true",
                    help="build the peers (target peers_all) in the background while the steps without peers run")
    a = ap.parse_args(argv)
    if not os.path.isdir(a.build):
        usage_error(f"--build: build directory '{a.build}' does not exist (run make first)")
    a.build = os.path.abspath(a.build)
    a.mode = "quick" if a.quick else "full"
    a.steps = a.only.split(",") if a.only else names
    for s in a.steps:
        if s not in names:
            usage_error(f"--only: unknown step '{s}' (steps: {' '.join(names)})")
    a.peers_build = None
    return a


def result_value(path, key):
    """results[key] of a point's result JSON, or None (a failed point, no such key)."""
    try:
        v = (load_json_file(path, "result").get("results") or {}).get(key)
    except (DataError, AttributeError):
        return None
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def start_build(build, run):
    """`cmake --build --target peers_all` in the background (its own process
    group, so that an interrupted run stops it); its output in the run's
    peers-build.log."""
    log = open(os.path.join(run, "peers-build.log"), "w")
    print("      building the peers in the background (peers-build.log); the steps without peers run first",
          file=sys.stderr)
    return subprocess.Popen(["cmake", "--build", build, "--target", "peers_all", f"-j{os.cpu_count() or 2}"],
                            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)


def wait_build(proc):
    """Wait for the background peers build before the first peer point, saying so."""
    if proc is None or proc.returncode is not None:
        return
    if proc.poll() is None:
        print("      waiting for the peers build before the first peer point", file=sys.stderr)
    t0 = time.monotonic()
    rc = proc.wait()
    print(f"      peers build done (exit {rc}, waited {time.monotonic() - t0:.0f} s)"
          + ("" if rc == 0 else "; the peers it did not build are listed as not available"), file=sys.stderr)


def stop_build(proc):
    if proc is not None and proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait()


def peer_steps():
    """{step name: (workload, fn(params) -> [Point])}: the step whose repetitions
    also measure the peers on that workload (its module's first step)."""
    return {m.STEPS[0].name: m.PEER_POINTS for m in workloads.load() if hasattr(m, "PEER_POINTS")}


def plan(names, background):
    """[(Step, corobench's points?, peers' points?)] in run order.  "peers"
    among the names adds the peers to the steps named that measure them
    (alone: every step that measures peers, with the peers only).  While the
    peers build in the background, the steps without peers run first, so
    that the build has their time."""
    with_peers, chosen = "peers" in names, [n for n in names if n != "peers"]
    ps = peer_steps()
    out = [(s, s.name in chosen, with_peers and s.name in ps and (s.name in chosen or not chosen))
           for s in workloads.steps()]
    out = [x for x in out if x[1] or x[2]]
    if background:
        out.sort(key=lambda x: x[2])  # stable: the declared order otherwise
    return out


class Work:
    """A step's place in the run: its repetitions (the pilot's, then all),
    the jobs done so far and the seconds they took."""

    def __init__(self, st, coro, peers, reps):
        self.st, self.coro, self.peers = st, coro, peers
        self.pilot = self.reps = reps
        self.done, self.secs = [], 0.0


class Runner:
    def __init__(self, a, run):
        self.a, self.run, self.mode = a, run, a.mode
        self.ctx = Ctx(run, a.build)
        self.t0 = time.monotonic()
        self.plan = plan(a.steps, a.peers_build is not None)
        self.nsteps = sum(self.reps(st) for st, _, _ in self.plan) + 3
        self.stepno, self.npoints, self.nfailed = 0, 0, 0
        self.peer_list = None  # [(name, manifest entry)], found before the first peer point
        self.refused = set()  # (peer, point) that exited with a usage error: not asked again
        self.bar = None  # the Progress of the step running
        self.repetitions = {}  # {step: its pilot's decision}, into env.json

    def progress(self, text):
        self.stepno += 1
        print(f"[{self.stepno}/{self.nsteps}] {text} ({int(time.monotonic() - self.t0)} s elapsed)", file=sys.stderr)

    def say(self, text):
        (self.bar.note if self.bar else lambda s: print(s, file=sys.stderr))(text)

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

    def measure(self, base, pt):
        """Run one point's command under `timeout` into base.*; (exit code, its argv, limit, ms)."""
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
        return rc, cmd, lim, ms

    def point(self, step, pt, rep):
        """Run one measurement; keep stdout, stderr and a meta file. Returns its exit code."""
        base = os.path.join(self.run, "raw", step, f"{pt.name}.r{rep}")
        rc, cmd, lim, ms = self.measure(base, pt)
        tags = {"system": pt.system, **pt.tags} if pt.system else dict(pt.tags)
        if pt.optional:
            tags["optional"] = "yes"
        meta = [f"step={step}", f"point={pt.name}", f"rep={rep}", f"kind={pt.kind}", f"rc={rc}", f"elapsed_ms={ms}",
                f"limit_s={lim:g}", "cmd=" + " ".join(cmd)] + [f"t.{k}={v}" for k, v in tags.items()]
        write_text(base + ".meta", "\n".join(meta) + "\n")
        self.npoints += 1
        if rc != 0:
            probe = pt.tags.get("probe") == "limit"
            self.nfailed += not (pt.optional or probe)
            what = ("optional: recorded as not supported" if pt.optional else
                    "a limit probe: recorded as the limit reached" if probe else "recorded as failed")
            self.say(f"      point {step}/{pt.name} rep {rep}: exit {rc} ({what}, going on)")
        return rc

    def reps(self, st):
        p = st.params[self.mode]
        return p["reps"] if st.fixed_reps or not os.environ.get("CB_REPS") else int(os.environ["CB_REPS"])

    def jobs(self, st, coro, with_peers, reps):
        """[(raw step dir, Point, rep)] of a step's repetitions `reps`: each
        repetition runs corobench's points, then every peer's points of the same
        workload, back to back, so that a ratio between systems compares
        measurements seconds apart."""
        p, out = st.params[self.mode], []
        wl, fn = peer_steps().get(st.name, (None, None))
        for rep in reps:
            if coro:
                out += [(st.name, pt, rep) for pt in st.points(p, self.ctx) if pt.runs_in(rep)]
            for n, entry in (self.peer_list or []) if with_peers else []:
                if wl not in entry.get("workloads", []):
                    continue
                for pt in fn(p):
                    if pt.runs_in(rep):
                        pt.name, pt.system, pt.workload = f"{n}-{pt.name}", n, wl
                        out.append(("peers", pt, rep))
        return out

    def run_rounds(self):
        """The plan, round by round: round r runs repetition r of every step
        that has one, in the plan's order; a step's pilot decides after its
        last pilot round how many rounds it joins in all.

        Why rounds, not a step's repetitions back to back: a shared machine
        drifts over minutes (the host's other tenants, its clock), and
        repetitions taken within one minute share that minute's state, so their
        interval says nothing of it, and two runs of one commit disagree by
        more than either run's intervals.  Spread over the whole run, a step's
        repetitions sample the drift, and its intervals show it.  Within a
        repetition the systems still run back to back, so a ratio's pairs
        still compare measurements seconds apart."""
        work = [Work(st, coro, peers, self.reps(st)) for st, coro, peers in self.plan]
        rnd = 1
        while any(rnd <= w.reps for w in work):
            self.round_note(rnd, work)
            for w in (w for w in work if rnd <= w.reps):
                self.step(w, rnd)
                if rnd == w.pilot:
                    w.reps = self.more_reps(w.st, w.done, w.pilot, w.secs)
                    self.nsteps = sum(x.reps for x in work) + 3
            rnd += 1

    def round_note(self, rnd, work):
        if rnd == 1:
            return
        left = sum((w.reps - rnd + 1) * w.secs / (rnd - 1) for w in work if w.reps >= rnd)
        self.say(f"      round {rnd}: {sum(w.reps >= rnd for w in work)} steps, about {duration(left)} of "
                 "measuring left")

    def step(self, w, rnd):
        st = w.st
        self.progress(st.title + ("" if w.coro else ": the peers only")
                      + (", with the peers" if w.coro and w.peers else "")
                      + (f", repetition {rnd} of {w.reps}" if w.reps > 1 else ""))
        if w.peers:
            self.find_peers()
        os.makedirs(os.path.join(self.run, "raw", st.name if w.coro else "peers"), exist_ok=True)
        t0 = time.monotonic()
        w.done += self.run_jobs(st.name, self.jobs(st, w.coro, w.peers, [rnd]))
        w.secs += time.monotonic() - t0

    def run_jobs(self, name, todo):
        """Runs the jobs under one progress line; [(raw step dir, Point, rep)] of those that ran."""
        self.bar, done = Progress(name, len(todo)), []
        try:
            for sdir, pt, rep in todo:
                key = (pt.system, pt.name[len(pt.system or "") + 1:])
                if sdir == "peers" and key in self.refused:
                    self.bar.advance()
                    continue
                if self.point(sdir, pt, rep) == 2 and sdir == "peers" and pt.optional:
                    self.refused.add(key)
                done.append((sdir, pt, rep))
                self.bar.advance()
        finally:
            self.bar.end()
            self.bar = None
        return done

    def more_reps(self, st, done, pilot, seconds):
        """The step's repetitions in all, from its pilot (lib/pilot.py): the
        pilot's alone when the mode declares no max_reps or CB_REPS is set."""
        p = st.params[self.mode]
        if "max_reps" not in p or os.environ.get("CB_REPS") or st.fixed_reps:
            return pilot
        values = {}
        for sdir, pt, rep in done:
            if pt.kind == "cli" and not (pt.once or pt.upto):
                v = result_value(os.path.join(self.run, "raw", sdir, f"{pt.name}.r{rep}.out"), st.metric)
                values.setdefault(f"{sdir}/{pt.name}", []).append(v)
        why = pilot_mod.decide(values, pilot, p["max_reps"], seconds / pilot, p["budget_s"])
        self.repetitions[st.name] = why
        self.say(f"      {st.name}: pilot of {pilot} repetitions: {why['reps']} in all (wanted {why['wanted']}, "
                 f"limited by {why['limited_by'].replace('_', ' ')})")
        return why["reps"]

    def find_peers(self):
        """The peers to measure (once, before the first peer point); raw/peers/list.txt and skipped.txt."""
        if self.peer_list is not None:
            return
        self.peer_list = []
        wait_build(self.a.peers_build)
        d = os.path.join(self.run, "raw", "peers")
        os.makedirs(d, exist_ok=True)
        forced = os.environ.get("CB_PEERS")
        if forced and not os.path.exists(forced):
            write_text(os.path.join(d, "skipped.txt"), f"peers manifest {forced} not found\n")
            print(f"      no peers manifest ({forced}): peers skipped", file=sys.stderr)
            return
        try:
            avail, known = peers.available(self.a.build), {p["name"]: p for p in peers.load()}
        except (OSError, ValueError, KeyError, subprocess.SubprocessError) as e:
            write_text(os.path.join(d, "skipped.txt"), f"the peers manifest cannot be read: {e}\n")
            return
        # a peer that is one of corobench's own backends is measured as such
        names = [n for n, why in avail.items() if why is None and n not in systems.BACKENDS]
        skipped = [f"{n}: not available: {why}" for n, why in avail.items() if why and n not in systems.BACKENDS]
        skipped += [f"{n}: no {wl} workload" for n in names for wl, _ in peer_steps().values()
                    if wl not in known[n].get("workloads", [])]
        write_text(os.path.join(d, "list.txt"), "\n".join(names) + "\n")
        if skipped:
            write_text(os.path.join(d, "skipped.txt"), "\n".join(skipped) + "\n")
        self.peer_list = [(n, known[n]) for n in names]

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


def record_duration(run, seconds, build=None, repetitions=None):
    """The measuring time of the run, into its env.json (the report shows it),
    whether the peers were built while corobench's steps ran (they shared the
    cores), and the repetitions each step's pilot chose."""
    path = os.path.join(run, "env.json")
    try:
        env = load_json_file(path, "environment file")
    except DataError:
        return  # collect names the broken file
    env["duration_s"] = round(seconds)
    if build is not None:
        env["peers_built_during_run"] = True
    if repetitions:
        env["repetitions"] = repetitions
    write_json(path, env)


def main(argv):
    a = parse(argv)
    run = prepare(a)
    if a.build_peers:
        a.peers_build = start_build(a.build, run)
    r = Runner(a, run)
    try:
        r.run_rounds()
        wait_build(a.peers_build)
        record_duration(run, time.monotonic() - r.t0, a.peers_build, r.repetitions)
        err = r.finish()
    except KeyboardInterrupt:
        stop_build(a.peers_build)
        print(f"\nbench: interrupted; partial data in {os.path.join(run, 'raw')}, results/ untouched",
              file=sys.stderr)
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

"""Option parsing with corobench's names and rules: `--name value` or
`--name=value`; every number checked; a bad command line is one line on
stderr naming the option, and exit code 2."""

import sys


class UsageError(Exception):
    pass


class Opt:
    def __init__(self, name, kind, default, help, lo=0, hi=0, choices=None):
        self.name, self.kind, self.default, self.help = name, kind, default, help
        self.lo, self.hi, self.choices = lo, hi, choices


def uint(name, default, lo, hi, help):
    return Opt(name, "uint", default, help, lo, hi)


def enum(name, default, choices, help):
    return Opt(name, "enum", default, help, choices=choices)


def flag(name, help):
    return Opt(name, "flag", False, help)


def check(opt, val):
    if opt.kind == "enum":
        if val not in opt.choices:
            raise UsageError(f"--{opt.name}: expected one of {'|'.join(opt.choices)}, got '{val}'")
        return val
    if val.startswith("-"):
        raise UsageError(f"--{opt.name}: must not be negative, got '{val}'")
    if not val.isascii() or not val.isdigit():
        raise UsageError(f"--{opt.name}: expected an unsigned integer, got '{val}'")
    v = int(val)
    if v >= 1 << 64:
        raise UsageError(f"--{opt.name}: value '{val}' overflows")
    if v < opt.lo or v > opt.hi:
        raise UsageError(f"--{opt.name}: {v} is out of range [{opt.lo}, {opt.hi}]")
    return v


def parse(specs, args, first=None):
    """Returns (params dict in spec order, as_json, want_help)."""
    vals = {o.name: o.default for o in specs}
    by_name = {o.name: o for o in specs}
    as_json = want_help = False
    if first and args and not args[0].startswith("-"):
        args = [f"--{first}", args[0]] + args[1:]
    i = 0
    while i < len(args):
        a = args[i]
        i += 1
        if a == "--json":
            as_json = True
            continue
        if a in ("--help", "-h"):
            want_help = True
            continue
        if not a.startswith("--"):
            raise UsageError(f"unexpected argument '{a}'")
        name, eq, val = a[2:].partition("=")
        opt = by_name.get(name)
        if opt is None:
            raise UsageError(f"unknown option '--{name}'")
        if opt.kind == "flag":
            if eq:
                raise UsageError(f"--{name} takes no value")
            vals[name] = True
            continue
        if not eq:
            if i >= len(args):
                raise UsageError(f"--{name} needs a value")
            val = args[i]
            i += 1
        vals[name] = check(opt, val)
    return vals, as_json, want_help


def print_help(prog, workload, text, specs):
    out = sys.stdout
    out.write(f"usage: {prog} {workload} [options] [--json]\n{text}\noptions:\n")
    for o in specs:
        if o.kind == "flag":
            out.write(f"  --{o.name:<12} {o.help}\n")
        elif o.kind == "enum":
            out.write(f"  --{o.name:<12} {o.help} ({'|'.join(o.choices)}; default {o.default})\n")
        else:
            out.write(f"  --{o.name:<12} {o.help} ({o.lo}..{o.hi}; default {o.default})\n")

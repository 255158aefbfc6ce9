//! Option parsing with corobench's names and validation rules: `--name value`
//! or `--name=value`, every number checked (not a number, negative, out of
//! range, overflow) and reported in one line naming the option (exit 2).

pub enum Kind {
    /// An unsigned integer in [min, max].
    Uint(u64, u64),
    /// One of the listed words.
    Enum(&'static [&'static str]),
    /// Present or not.
    Flag,
}

pub struct Spec {
    pub name: &'static str,
    pub kind: Kind,
    pub def: &'static str,
    pub help: &'static str,
}

/// Options every workload takes: which Tokio runtime and how many workers.
pub const RUNTIMES: &[&str] = &["current_thread", "multi_thread"];
pub const COMMON: &[Spec] = &[
    Spec {
        name: "runtime",
        kind: Kind::Enum(RUNTIMES),
        def: "current_thread",
        help: "Tokio runtime: current_thread (one thread, as corobench M:1) or multi_thread",
    },
    Spec {
        name: "workers",
        kind: Kind::Uint(1, 64),
        def: "1",
        help: "multi_thread worker threads (current_thread: 1 only)",
    },
];

pub struct Opts {
    pub json: bool,
    pub help: bool,
    pub out: Option<String>,
    pub specs: Vec<&'static Spec>,
    vals: Vec<String>,
}

impl Opts {
    fn index(&self, name: &str) -> usize {
        self.specs
            .iter()
            .position(|s| s.name == name)
            .unwrap_or_else(|| panic!("no option --{} in this workload", name))
    }
    pub fn u(&self, name: &str) -> u64 {
        self.vals[self.index(name)].parse().unwrap_or(0)
    }
    pub fn s(&self, name: &str) -> &str {
        &self.vals[self.index(name)]
    }
    pub fn flag(&self, name: &str) -> bool {
        self.vals[self.index(name)] == "1"
    }
    pub fn multi(&self) -> bool {
        self.s("runtime") == "multi_thread"
    }
}

/// Parses `args` against the workload's specs plus COMMON.
pub fn parse(specs: &'static [Spec], args: &[String]) -> Result<Opts, String> {
    let all: Vec<&'static Spec> = specs.iter().chain(COMMON.iter()).collect();
    let vals = all
        .iter()
        .map(|s| if let Kind::Flag = s.kind { "0".to_string() } else { s.def.to_string() })
        .collect();
    let mut o = Opts { json: false, help: false, out: None, specs: all, vals };
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        match a.as_str() {
            "--json" => o.json = true,
            "--help" | "-h" => o.help = true,
            _ => i = parse_one(&mut o, a, args, i)?,
        }
    }
    Ok(o)
}

/// One `--name[=value]` at args[i-1]; returns the index of the next argument.
fn parse_one(o: &mut Opts, a: &str, args: &[String], mut i: usize) -> Result<usize, String> {
    let body = a.strip_prefix("--").ok_or_else(|| format!("unexpected argument '{}'", a))?;
    let (name, inline) = match body.split_once('=') {
        Some((n, v)) => (n, Some(v.to_string())),
        None => (body, None),
    };
    let takes_value = name == "out" || o.specs.iter().any(|s| s.name == name && !is_flag(s));
    let val = match (inline, takes_value) {
        (Some(_), false) if o.specs.iter().any(|s| s.name == name) => {
            return Err(format!("--{} takes no value", name))
        }
        (Some(v), _) => Some(v),
        (None, true) => {
            let v = args.get(i).ok_or_else(|| format!("--{} needs a value", name))?;
            i += 1;
            Some(v.clone())
        }
        (None, false) => None,
    };
    if name == "out" {
        let v = val.unwrap_or_default();
        if v.is_empty() {
            return Err("--out needs a file name".to_string());
        }
        o.out = Some(v);
        return Ok(i);
    }
    let k = o
        .specs
        .iter()
        .position(|s| s.name == name)
        .ok_or_else(|| format!("unknown option '--{}'", name))?;
    let v = match val {
        Some(v) => {
            check(o.specs[k], &v)?;
            v
        }
        None => "1".to_string(),
    };
    o.vals[k] = v;
    Ok(i)
}

fn is_flag(s: &Spec) -> bool {
    matches!(s.kind, Kind::Flag)
}

fn check(s: &Spec, v: &str) -> Result<(), String> {
    match s.kind {
        Kind::Enum(words) => {
            if words.contains(&v) {
                Ok(())
            } else {
                Err(format!("--{}: expected one of {}, got '{}'", s.name, words.join("|"), v))
            }
        }
        Kind::Uint(min, max) => {
            if v.starts_with('-') {
                return Err(format!("--{}: must not be negative, got '{}'", s.name, v));
            }
            if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!("--{}: expected an unsigned integer, got '{}'", s.name, v));
            }
            let n: u64 = v.parse().map_err(|_| format!("--{}: value '{}' overflows", s.name, v))?;
            if n < min || n > max {
                return Err(format!("--{}: {} is out of range [{}, {}]", s.name, n, min, max));
            }
            Ok(())
        }
        Kind::Flag => Ok(()),
    }
}

/// The options of a workload, for --help.
pub fn help_text(prog: &str, name: &str, about: &str, specs: &[Spec]) -> String {
    let mut t =
        format!("usage: {} {} [options] [--json] [--out FILE]\n{}\noptions:\n", prog, name, about);
    for s in specs.iter().chain(COMMON.iter()) {
        let range = match s.kind {
            Kind::Flag => String::new(),
            Kind::Enum(w) => format!(" ({}; default {})", w.join("|"), s.def),
            Kind::Uint(lo, hi) => format!(" ({}..{}; default {})", lo, hi, s.def),
        };
        t += &format!("  --{:<13} {}{}\n", s.name, s.help, range);
    }
    t
}

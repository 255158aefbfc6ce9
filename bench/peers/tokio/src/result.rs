//! The result object every corobench run prints (bench/SCHEMA.md): one JSON
//! line with the run's parameters, status, checksum, results and environment.
//! Written by hand: Debian's crate directory, the only source the offline
//! build uses, has serde but no serde_json; the values are only numbers,
//! booleans, null and strings, escaped below.

use crate::opts::{Kind, Opts};

pub enum Val {
    U(u64),
    F(f64),
    S(String),
    B(bool),
    Null,
}

pub struct Res {
    pub workload: &'static str,
    pub params: Vec<(String, Val)>,
    pub error: Option<String>,
    pub sum: u64,
    pub results: Vec<(String, Val)>,
}

impl Res {
    pub fn new(workload: &'static str, o: &Opts) -> Res {
        let mut params = Vec::new();
        for s in &o.specs {
            // JSON keys as corobench's: work_ns, total_work
            let key = s.name.replace('-', "_");
            let v = match s.kind {
                Kind::Uint(..) => Val::U(o.u(s.name)),
                Kind::Flag => Val::B(o.flag(s.name)),
                Kind::Enum(_) => Val::S(o.s(s.name).to_string()),
            };
            params.push((key, v));
        }
        Res { workload, params, error: None, sum: crate::checksum::FNV_INIT, results: Vec::new() }
    }
    pub fn set(&mut self, k: &str, v: Val) {
        self.results.retain(|(n, _)| n != k);
        self.results.push((k.to_string(), v));
    }
    pub fn u(&mut self, k: &str, v: u64) {
        self.set(k, Val::U(v));
    }
    pub fn f(&mut self, k: &str, v: f64) {
        self.set(k, Val::F(v));
    }
    pub fn s(&mut self, k: &str, v: &str) {
        self.set(k, Val::S(v.to_string()));
    }

    pub fn to_json(&self) -> String {
        let ok = self.error.is_none();
        let mut j = String::from("{\"schema\":\"corobench-result/1\"");
        j += &format!(",\"workload\":{},\"backend\":\"tokio\"", quote(self.workload));
        j += &format!(",\"params\":{}", object(&self.params));
        j += &format!(",\"status\":\"{}\"", if ok { "ok" } else { "error" });
        j += &format!(",\"error\":{}", self.error.as_deref().map_or("null".into(), quote));
        let cs = if ok { quote(&format!("0x{:016x}", self.sum)) } else { "null".into() };
        j += &format!(",\"checksum\":{}", cs);
        j += &format!(",\"results\":{}", object(&self.results));
        j += &format!(",\"env\":{}}}", object(&crate::env::info()));
        j
    }

    pub fn to_text(&self) -> String {
        let status = if self.error.is_none() { "ok" } else { "error" };
        let mut t = format!("tokio {}: {}\n", self.workload, status);
        if let Some(e) = &self.error {
            t += &format!("  error: {}\n", e);
        }
        t += &format!("  checksum: 0x{:016x}\n", self.sum);
        for (k, v) in &self.results {
            t += &format!("  {}: {}\n", k, value(v));
        }
        t
    }
}

fn object(fields: &[(String, Val)]) -> String {
    let body: Vec<String> =
        fields.iter().map(|(k, v)| format!("{}:{}", quote(k), value(v))).collect();
    format!("{{{}}}", body.join(","))
}

fn value(v: &Val) -> String {
    match v {
        Val::U(n) => n.to_string(),
        // JSON has no NaN or infinity: a rate over zero time is null.
        Val::F(x) if !x.is_finite() => "null".into(),
        Val::F(x) => format!("{:?}", x),
        Val::S(s) => quote(s),
        Val::B(b) => b.to_string(),
        Val::Null => "null".into(),
    }
}

pub fn quote(s: &str) -> String {
    let mut q = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => q += "\\\"",
            '\\' => q += "\\\\",
            '\n' => q += "\\n",
            c if (c as u32) < 0x20 => q += &format!("\\u{:04x}", c as u32),
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

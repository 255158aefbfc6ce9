//! echo-server: the echo server of corobench's echo workload (bench/echo/) on
//! tokio::net, Tokio's own echo example in shape: a task per connection
//! reading into a --buf byte buffer and writing back what it read.
//!
//! It speaks bench/echo's server protocol so that corobench's load generator
//! can drive it as one more server: the listening socket arrives as an
//! inherited descriptor (--listen-fd), and one-line status messages go to
//! --status-fd ("ready", "limit <conn> <text>", "error <text>", as
//! bench/echo/echo.h defines them). The server runs until it is killed. With
//! --listen-fd 0 it binds 127.0.0.1:--port itself and first says
//! "listening <port>" (for running it by hand).

use std::io::Write;
use std::os::unix::io::FromRawFd;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::opts::{Kind, Opts, Spec};

pub const SPECS: &[Spec] = &[
    Spec {
        name: "listen-fd",
        kind: Kind::Uint(0, 1 << 20),
        def: "0",
        help: "inherited listening socket; 0 = bind 127.0.0.1:--port",
    },
    Spec {
        name: "port",
        kind: Kind::Uint(0, 65535),
        def: "0",
        help: "with --listen-fd 0: port to bind (0 = any)",
    },
    Spec {
        name: "status-fd",
        kind: Kind::Uint(1, 1 << 20),
        def: "1",
        help: "where status lines go",
    },
    Spec {
        name: "buf",
        kind: Kind::Uint(16, 16384),
        def: "1024",
        help: "read buffer bytes per connection",
    },
];

/// One status line in one write (under PIPE_BUF: never interleaved). A
/// failure means the reader is gone, and there is nobody left to tell.
fn status(fd: i32, line: &str) {
    // SAFETY: the descriptor stays open for the process's life; ManuallyDrop
    // keeps this File from closing it.
    let mut f = std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(fd) });
    let _ = f.write_all(format!("{}\n", line).as_bytes());
}

async fn conn(mut s: TcpStream, n: usize) {
    let mut buf = vec![0u8; n];
    loop {
        let k = match s.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(k) => k,
        };
        if s.write_all(&buf[..k]).await.is_err() {
            return;
        }
    }
}

fn listener(o: &Opts, sfd: i32) -> std::io::Result<TcpListener> {
    let l = match o.u("listen-fd") {
        0 => {
            let l = std::net::TcpListener::bind(("127.0.0.1", o.u("port") as u16))?;
            status(sfd, &format!("listening {}", l.local_addr()?.port()));
            l
        }
        // SAFETY: the caller handed this descriptor over for this use.
        fd => unsafe { std::net::TcpListener::from_raw_fd(fd as i32) },
    };
    l.set_nonblocking(true)?;
    TcpListener::from_std(l)
}

/// Out of descriptors: a spare one (/dev/null) is given up to take the
/// pending connection and close it at once, so its client learns now instead
/// of timing out (bench/echo's echo_shed, for the same reason).
async fn shed(l: &TcpListener, spare: &mut Option<std::fs::File>) {
    if spare.take().is_none() {
        tokio::task::yield_now().await;
    } else if let Ok((s, _)) = l.accept().await {
        drop(s);
    }
    *spare = std::fs::File::open("/dev/null").ok();
}

async fn serve(o_listen: std::io::Result<TcpListener>, sfd: i32, n: usize) {
    let l = match o_listen {
        Ok(l) => l,
        Err(e) => return status(sfd, &format!("error cannot listen: {}", e)),
    };
    let mut spare = std::fs::File::open("/dev/null").ok();
    status(sfd, "ready");
    let (mut accepted, mut reported) = (0u64, false);
    loop {
        match l.accept().await {
            Ok((s, _)) => {
                let _ = s.set_nodelay(true);
                accepted += 1;
                tokio::spawn(conn(s, n));
            }
            Err(e) => {
                if !reported {
                    let m = format!(
                        "limit {} accept failed at connection {}: {}",
                        accepted, accepted, e
                    );
                    status(sfd, &m);
                    reported = true;
                }
                if e.raw_os_error() == Some(libc::EMFILE) || e.raw_os_error() == Some(libc::ENFILE)
                {
                    shed(&l, &mut spare).await;
                    accepted += 1;
                } else {
                    tokio::task::yield_now().await;
                }
            }
        }
    }
}

/// Serves until killed; returns (exit 1) only when it cannot serve.
pub fn run(o: &Opts) -> i32 {
    let sfd = o.u("status-fd") as i32;
    let rt = match crate::runtime::build(o, true) {
        Ok(rt) => rt,
        Err(e) => {
            status(sfd, &format!("error {}", e));
            return 1;
        }
    };
    let n = o.u("buf") as usize;
    // from_std needs the runtime's context: build the listener inside it.
    let l = {
        let _g = rt.enter();
        listener(o, sfd)
    };
    let _ = rt.block_on(rt.spawn(serve(l, sfd, n)));
    1
}

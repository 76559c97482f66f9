//! Per-request cost of the revocation transport (the OCSP and CRL fetches of
//! `src/pki/revocation/http.rs`) against a loopback server that answers at once, so that the
//! figures are the client's own overhead: connection handling, request writing, response
//! parsing and the hand-over between the calling thread and the HTTP machinery.
//!
//! Cases, each `--runs` requests in a row (default 500) after one warm-up request:
//! - OCSP GET, 1.5 KiB answer (a typical OCSP response);
//! - OCSP POST, 300-byte request body, 1.5 KiB answer;
//! - CRL GET, 256 KiB answer;
//! - the same OCSP GET from 4 threads at once (a chain's certificates are checked concurrently).
//!
//! The server keeps connections alive (HTTP/1.1 default) unless the client closes them, so a
//! client that reuses connections shows it. The first request of the process (which starts
//! whatever the transport starts lazily) is reported on its own. Prints medians and 90th
//! percentiles in microseconds; asserts nothing about time.
//!
//! Run: `cargo bench --bench revocation_http [-- --runs 500]`.

use fluxverify::pki::revocation::http::{Method, Request, Transport};
use fluxverify::pki::revocation::ReqwestTransport as Production;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

const OCSP_BODY: usize = 1536;
const CRL_BODY: usize = 256 * 1024;

/// Serves every connection on its own thread: the body size is the path (`/1536`).
fn serve() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            thread::spawn(move || connection(stream));
        }
    });
    port
}

fn connection(stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut content_length = 0usize;
        let mut close = false;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
            let lower = line.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                content_length = v.trim().parse().unwrap_or(0);
            }
            if lower.starts_with("connection:") && lower.contains("close") {
                close = true;
            }
        }
        let mut body = vec![0u8; content_length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let size: usize = request_line
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.trim_start_matches('/').split('/').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {size}\r\n\r\n"
        );
        let mut answer = head.into_bytes();
        answer.resize(answer.len() + size, 0x30);
        if writer.write_all(&answer).is_err() || close {
            return;
        }
    }
}

fn request<'a>(method: Method, url: &'a str, body: Option<&'a [u8]>) -> Request<'a> {
    Request {
        method,
        url,
        body,
        content_type: body.map(|_| "application/ocsp-request"),
        timeout: Duration::from_secs(5),
        max_body: 32 * 1024 * 1024,
    }
}

fn once(transport: &dyn Transport, request: &Request<'_>, expect: usize) -> Duration {
    let started = Instant::now();
    let response = transport.send(request).expect("request failed");
    let elapsed = started.elapsed();
    assert_eq!(response.status(), 200);
    assert_eq!(response.body_len(), expect);
    elapsed
}

fn summary(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "{name:<34} n={:<5} median {:>7.1} µs   p90 {:>7.1} µs",
        times.len(),
        at(0.5).as_secs_f64() * 1e6,
        at(0.9).as_secs_f64() * 1e6,
    );
}

fn main() {
    let mut runs = 500usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--runs" {
            runs = args.next().and_then(|v| v.parse().ok()).unwrap_or(runs);
        }
    }
    let port = serve();
    let transport = Production;
    let ocsp_url = format!("http://127.0.0.1:{port}/{OCSP_BODY}");
    let crl_url = format!("http://127.0.0.1:{port}/{CRL_BODY}");
    let post_body = vec![0x30u8; 300];

    let first = once(
        &transport,
        &request(Method::Get, &ocsp_url, None),
        OCSP_BODY,
    );
    println!(
        "{:<34} median {:>7.1} µs",
        "first request of the process",
        first.as_secs_f64() * 1e6
    );

    let get = request(Method::Get, &ocsp_url, None);
    let post = request(Method::Post, &ocsp_url, Some(&post_body));
    let crl = request(Method::Get, &crl_url, None);
    for (name, req, expect) in [
        ("OCSP GET (1.5 KiB)", &get, OCSP_BODY),
        ("OCSP POST (1.5 KiB)", &post, OCSP_BODY),
        ("CRL GET (256 KiB)", &crl, CRL_BODY),
    ] {
        once(&transport, req, expect);
        let times = (0..runs).map(|_| once(&transport, req, expect)).collect();
        summary(name, times);
    }

    let threads = 4;
    let per_thread = runs.div_ceil(threads);
    let times: Vec<Duration> = thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    (0..per_thread)
                        .map(|_| once(&transport, &get, OCSP_BODY))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("thread"))
            .collect()
    });
    summary("OCSP GET, 4 threads at once", times);
}

//! The production transport against small servers on 127.0.0.1: what reaches the server, caps,
//! the deadline, redirects, proxies and Go's error texts, from threads with and without a
//! runtime.

use super::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;

/// What a test server received.
#[derive(Debug, Clone)]
struct Received {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

type Handler = Arc<dyn Fn(&Received, &mut TcpStream) + Send + Sync>;

/// One request per connection, each on its own thread; the handler writes the raw answer.
fn serve(handler: impl Fn(&Received, &mut TcpStream) + Send + Sync + 'static) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handler: Handler = Arc::new(handler);
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let handler = handler.clone();
            thread::spawn(move || {
                let mut stream = stream;
                if let Some(received) = read_request(&stream) {
                    handler(&received, &mut stream);
                }
            });
        }
    });
    port
}

fn read_request(stream: &TcpStream) -> Option<Received> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 || line == "\r\n" {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Received {
        method,
        target,
        headers,
        body,
    })
}

fn answer(stream: &mut TcpStream, status: &str, headers: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

/// Answers with what it received: `METHOD target content-type referer` and the body.
fn echo(received: &Received, stream: &mut TcpStream) {
    let mut body = format!(
        "{} {} {} {}\n",
        received.method,
        received.target,
        received.header("content-type").unwrap_or("-"),
        received.header("referer").unwrap_or("-"),
    )
    .into_bytes();
    body.extend_from_slice(&received.body);
    answer(stream, "200 OK", "", &body);
}

fn get(url: &str) -> Request<'_> {
    Request {
        method: Method::Get,
        url,
        body: None,
        content_type: None,
        timeout: Duration::from_secs(5),
        max_body: 1 << 20,
    }
}

fn post<'a>(url: &'a str, body: &'a [u8]) -> Request<'a> {
    Request {
        method: Method::Post,
        body: Some(body),
        content_type: Some("application/ocsp-request"),
        ..get(url)
    }
}

/// The body of a 2xx answer; panics on anything else (a test expecting a body got none).
fn body(response: &Response) -> &[u8] {
    match response {
        Response::Success { body: Ok(body), .. } => body,
        other => panic!("no body read: {other:?}"),
    }
}

fn text(response: &Response) -> String {
    String::from_utf8_lossy(body(response)).into_owned()
}

#[test]
fn get_and_post_reach_the_server_with_method_type_and_body() {
    let port = serve(echo);
    let url = format!("http://127.0.0.1:{port}/ocsp/MEMwQTA%2FMD0");
    let response = ReqwestTransport.send(&get(&url)).unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(text(&response), "GET /ocsp/MEMwQTA%2FMD0 - -\n");

    let url = format!("http://127.0.0.1:{port}/ocsp");
    let response = ReqwestTransport.send(&post(&url, b"\x30\x03abc")).unwrap();
    assert_eq!(
        text(&response),
        "POST /ocsp application/ocsp-request -\n\x30\x03abc"
    );
}

#[test]
fn error_statuses_are_responses_not_errors_and_their_bodies_are_not_read() {
    let port = serve(|_, stream| answer(stream, "404 Not Found", "", b"gone"));
    let url = format!("http://127.0.0.1:{port}/a.crl");
    let response = ReqwestTransport.send(&get(&url)).unwrap();
    assert_eq!(response, Response::Failure { status: 404 });

    // A 500 whose body never ends: the answer is the status, not a wait for the deadline.
    let port = serve(|_, stream| {
        let _ = stream.write_all(b"HTTP/1.1 500 Internal Server Error\r\n\r\n");
        while stream.write_all(&[b'x'; 1024]).is_ok() {
            thread::sleep(Duration::from_millis(5));
        }
    });
    let url = format!("http://127.0.0.1:{port}/endless");
    let request = Request {
        timeout: Duration::from_secs(30),
        max_body: u64::MAX,
        ..get(&url)
    };
    let started = std::time::Instant::now();
    let response = ReqwestTransport.send(&request).unwrap();
    assert_eq!(response, Response::Failure { status: 500 });
    // Only a guard against waiting for the deadline, far above any real duration.
    assert!(started.elapsed() < Duration::from_secs(20));

    // Any 2xx body is read.
    let port = serve(|_, stream| answer(stream, "203 Non-Authoritative Information", "", b"ok"));
    let url = format!("http://127.0.0.1:{port}/203");
    let response = ReqwestTransport.send(&get(&url)).unwrap();
    assert_eq!(response.status(), 203);
    assert_eq!(body(&response), b"ok");
}

#[test]
fn bodies_are_cut_at_the_cap_not_refused() {
    let port = serve(|_, stream| answer(stream, "200 OK", "", &[b'x'; 100]));
    let url = format!("http://127.0.0.1:{port}/big");
    for (cap, expected) in [(10, 10), (99, 99), (100, 100), (1000, 100)] {
        let request = Request {
            max_body: cap,
            ..get(&url)
        };
        let response = ReqwestTransport.send(&request).unwrap();
        assert_eq!(body(&response).len(), expected, "cap {cap}");
    }
}

#[test]
fn the_deadline_covers_the_whole_exchange_body_included() {
    // Headers and a tenth of the body, then silence.
    let port = serve(|_, stream| {
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
        thread::sleep(Duration::from_secs(3));
    });
    let url = format!("http://127.0.0.1:{port}/slow-body");
    let request = Request {
        timeout: Duration::from_millis(300),
        ..get(&url)
    };
    // The headers arrived: the deadline hits the body read, which Go words differently.
    let response = ReqwestTransport.send(&request).unwrap();
    let Response::Success {
        status: 200,
        body: Err(error),
    } = response
    else {
        panic!("expected a failed body read: {response:?}");
    };
    assert_eq!(error, BodyError::Timeout);
    assert_eq!(
        error.to_string(),
        "context deadline exceeded (Client.Timeout or context cancellation while reading body)"
    );

    // No answer at all.
    let port = serve(|_, _| thread::sleep(Duration::from_secs(3)));
    let url = format!("http://127.0.0.1:{port}/silent");
    let request = Request {
        timeout: Duration::from_millis(300),
        ..post(&url, b"x")
    };
    let error = ReqwestTransport.send(&request).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!("Post \"{url}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)")
    );
}

#[test]
fn bodies_cut_short_read_as_go_prints_them() {
    let short = |received: &Received, stream: &mut TcpStream| {
        let head: &[u8] = if received.target == "/chunked" {
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n0123456789"
        } else {
            b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789"
        };
        let _ = stream.write_all(head);
        let _ = stream.shutdown(std::net::Shutdown::Both);
    };
    let port = serve(short);
    for path in ["length", "chunked"] {
        let url = format!("http://127.0.0.1:{port}/{path}");
        let response = ReqwestTransport.send(&get(&url)).unwrap();
        assert_eq!(
            response,
            Response::Success {
                status: 200,
                body: Err(BodyError::Truncated)
            },
            "{path}"
        );
    }
    assert_eq!(BodyError::Truncated.to_string(), "unexpected EOF");
}

#[test]
fn refused_connections_read_as_go_prints_them() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/ocsp");
    let error = ReqwestTransport.send(&get(&url)).unwrap_err();
    assert!(!error.is_timeout());
    assert_eq!(
        error.to_string(),
        format!("Get \"{url}\": dial tcp 127.0.0.1:{port}: connect: connection refused")
    );
}

#[test]
fn unknown_hosts_read_as_go_prints_them() {
    let url = "http://nonexistent.invalid/intermediate.crl";
    let error = ReqwestTransport.send(&get(url)).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("Get \"http://nonexistent.invalid/intermediate.crl\": dial tcp: lookup nonexistent.invalid: "),
        "{error}"
    );
}

/// `/hop/N` redirects to `/hop/N-1` with `status`; `/hop/0` echoes.
fn hops(status: &'static str) -> u16 {
    serve(move |received, stream| {
        let n: u32 = received
            .target
            .strip_prefix("/hop/")
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        if n == 0 {
            echo(received, stream);
        } else {
            let location = format!("Location: /hop/{}\r\n", n - 1);
            answer(stream, status, &location, b"");
        }
    })
}

#[test]
fn redirects_are_followed_as_go_follows_them() {
    let port = hops("302 Found");
    // Nine redirects, ten requests: fine.
    let url = format!("http://127.0.0.1:{port}/hop/9");
    let response = ReqwestTransport.send(&get(&url)).unwrap();
    assert_eq!(
        text(&response),
        format!("GET /hop/0 - http://127.0.0.1:{port}/hop/1\n")
    );
    // The tenth redirect response is refused, naming its Location as Go does.
    let url = format!("http://127.0.0.1:{port}/hop/10");
    let error = ReqwestTransport.send(&get(&url)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "Get \"/hop/0\": stopped after 10 redirects"
    );

    // 303 turns a POST into a GET without body; 307 repeats the POST with its body.
    let port = hops("303 See Other");
    let url = format!("http://127.0.0.1:{port}/hop/1");
    let response = ReqwestTransport.send(&post(&url, b"req")).unwrap();
    assert!(
        text(&response).starts_with("GET /hop/0 "),
        "{}",
        text(&response)
    );
    assert!(!text(&response).ends_with("req"));
    let port = hops("307 Temporary Redirect");
    let url = format!("http://127.0.0.1:{port}/hop/1");
    let response = ReqwestTransport.send(&post(&url, b"req")).unwrap();
    assert_eq!(
        text(&response),
        format!("POST /hop/0 application/ocsp-request http://127.0.0.1:{port}/hop/1\nreq")
    );

    // A redirect without Location is the answer.
    let port = serve(|_, stream| answer(stream, "302 Found", "", b"nowhere"));
    let url = format!("http://127.0.0.1:{port}/x");
    let response = ReqwestTransport.send(&get(&url)).unwrap();
    assert_eq!(response, Response::Failure { status: 302 });
}

#[test]
fn callers_with_and_without_a_runtime_are_served() {
    let port = serve(echo);
    let url = format!("http://127.0.0.1:{port}/crl");
    let expected = "GET /crl - -\n";
    let call = || text(&ReqwestTransport.send(&get(&url)).unwrap());

    assert_eq!(call(), expected);
    assert_eq!(futures::executor::block_on(async { call() }), expected);
    let current = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    assert_eq!(current.block_on(async { call() }), expected);
    let multi = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    assert_eq!(multi.block_on(async { call() }), expected);
    // Concurrent callers on the threads of one runtime.
    let answers: Vec<String> = thread::scope(|scope| {
        let handles: Vec<_> = (0..4).map(|_| scope.spawn(call)).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(answers.iter().all(|a| a == expected), "{answers:?}");
}

/// Runs one request through a stack with the given proxy rules.
fn through(proxy: GoProxy, request: &Request<'_>) -> Result<Response, TransportError> {
    let stack = Stack::new(Box::leak(Box::new(proxy))).unwrap();
    let (reply, _answer) = mpsc::sync_channel(1);
    let job = Job::new(request, reply);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(stack.run(&job))
}

#[test]
fn http_proxy_from_the_environment_is_used_as_go_uses_it() {
    let proxy_port = serve(echo);
    let proxy = || GoProxy::parse(&format!("127.0.0.1:{proxy_port}"), "", "", false);
    // The request reaches the proxy in absolute form.
    let response = through(proxy(), &get("http://revocation.test/ca.crl")).unwrap();
    assert_eq!(text(&response), "GET http://revocation.test/ca.crl - -\n");
    // Loopback is never proxied.
    let target = serve(echo);
    let url = format!("http://127.0.0.1:{target}/ca.crl");
    assert_eq!(
        text(&through(proxy(), &get(&url)).unwrap()),
        "GET /ca.crl - -\n"
    );
    // A proxy that is down: Go's proxyconnect wording.
    let down = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let rules = GoProxy::parse(&format!("http://127.0.0.1:{down}"), "", "", false);
    assert_eq!(
        through(rules, &get("http://revocation.test/ca.crl")).unwrap_err().to_string(),
        format!("Get \"http://revocation.test/ca.crl\": proxyconnect tcp: dial tcp 127.0.0.1:{down}: connect: connection refused")
    );
    // CGI: refused outright.
    let rules = GoProxy::parse(&format!("127.0.0.1:{proxy_port}"), "", "", true);
    assert_eq!(
        through(rules, &get(&url)).unwrap_err().to_string(),
        format!("Get \"{url}\": refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy")
    );
}

#[test]
fn no_proxy_matches_as_go_matches() {
    let rules = GoProxy::parse(
        "proxy.test:3128",
        "",
        "Example.com, .dot.test, *.star.test, 10.0.0.0/8, 192.168.1.7, [2001:db8::1]:8080, port.test:8080, 172.16.0.1:",
        false,
    );
    let proxied = |url: &str| rules.proxy_for(&Url::parse(url).unwrap());
    for url in [
        "http://example.com/",
        "http://sub.example.com/",
        "http://a.dot.test/",
        "http://a.star.test/",
        "http://10.1.2.3/",
        "http://192.168.1.7:81/",
        "http://[2001:db8::1]:8080/",
        "http://port.test:8080/",
        "http://172.16.0.1/",
        "http://localhost:9/",
        "http://127.0.0.2/",
        "http://[::1]/",
    ] {
        assert!(!proxied(url), "{url} should go direct");
    }
    for url in [
        "http://notexample.com/",
        "http://dot.test/",
        "http://star.test/",
        "http://11.0.0.1/",
        "http://[2001:db8::1]/",
        "http://port.test/",
        "http://ca.test/",
    ] {
        assert!(proxied(url), "{url} should be proxied");
    }
    assert_eq!(
        rules.proxy_url(&Url::parse("http://ca.test/").unwrap()),
        Some(Url::parse("http://proxy.test:3128").unwrap())
    );
    // https requests use HTTPS_PROXY only; `*` turns proxies off.
    assert!(!rules.proxy_for(&Url::parse("https://ca.test/").unwrap()));
    let all = GoProxy::parse("proxy.test:3128", "", "*", false);
    assert!(!all.proxy_for(&Url::parse("http://ca.test/").unwrap()));
    let none = GoProxy::parse("", "", "", false);
    assert!(!none.proxy_for(&Url::parse("http://ca.test/").unwrap()));
}

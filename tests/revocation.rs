//! Revocation against real responders on 127.0.0.1: `openssl ocsp` answering from an index of
//! good / revoked / unknown certificates, CRLs (made by `openssl ca -gencrl`) served by a small
//! HTTP server, a responder that is down and one that never answers, and the upstream CRL
//! fixtures whose certificates point at http://localhost:10086.
//!
//! The test PKI is generated per test with the `openssl` CLI (EC P-256 keys, notation's leaf
//! and CA rules), so the AIA/CDP URLs can carry the ports the responders got.

#[path = "support/external.rs"]
#[allow(dead_code)]
mod external;
#[path = "support/upstream.rs"]
mod upstream;

use fluxverify::pki::cert::Certificate;
use fluxverify::pki::revocation::http::{Request, Response, TransportError};
use fluxverify::pki::revocation::{
    ChainRevocation, Purpose, ReqwestTransport, RevocationConfig, RevocationMethod, RevocationMode,
    RevocationStatus, Transport, Validator,
};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

// ------------------------------------------------------------------------------------------
// Local servers
// ------------------------------------------------------------------------------------------

type Files = Arc<Mutex<HashMap<String, Vec<u8>>>>;

/// A tiny HTTP/1.1 server answering GETs from a path → body map (404 otherwise).
struct HttpServer {
    port: u16,
    stop: Arc<AtomicBool>,
    requests: Arc<AtomicUsize>,
    handle: Option<thread::JoinHandle<()>>,
}

impl HttpServer {
    fn start(listener: TcpListener, files: HashMap<String, Vec<u8>>) -> HttpServer {
        Self::start_shared(listener, Arc::new(Mutex::new(files)))
    }

    fn start_shared(listener: TcpListener, files: Files) -> HttpServer {
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(AtomicUsize::new(0));
        let (stop2, requests2) = (stop.clone(), requests.clone());
        let handle = thread::spawn(move || {
            for stream in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                requests2.fetch_add(1, Ordering::SeqCst);
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    continue;
                }
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                }
                let path = request_line.split_whitespace().nth(1).unwrap_or("/");
                let found = files.lock().unwrap().get(path).cloned();
                let (status, body) = match found {
                    Some(body) => ("200 OK", body),
                    None => ("404 Not Found", b"not found".to_vec()),
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: application/pkix-crl\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            }
        });
        HttpServer {
            port,
            stop,
            requests,
            handle: Some(handle),
        }
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

/// Accepts connections and never answers.
struct HangingServer {
    port: u16,
    stop: Arc<AtomicBool>,
}

impl HangingServer {
    fn start() -> HangingServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(s) = stream {
                    held.push(s);
                }
            }
        });
        HangingServer { port, stop }
    }
}

impl Drop for HangingServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Answers every request by the first segment of its path, for OCSP (`/<mode>/<request>`)
/// and CRL (`/<mode>.crl`) alike: `endless-500` sends a 500 whose body trickles in without end,
/// `stall` a 200 with ten of its hundred announced bytes and then nothing until the client
/// leaves, `short` the same ten bytes and then closes the connection.
struct MisbehavingServer {
    port: u16,
    stop: Arc<AtomicBool>,
}

impl MisbehavingServer {
    fn start() -> MisbehavingServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                thread::spawn(move || Self::answer(stream));
            }
        });
        MisbehavingServer { port, stop }
    }

    fn answer(mut stream: TcpStream) {
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).is_err() {
            return;
        }
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                break;
            }
        }
        let path = request_line.split_whitespace().nth(1).unwrap_or("/");
        let mode = path
            .trim_start_matches('/')
            .split(['/', '.'])
            .next()
            .unwrap_or_default();
        const PARTIAL: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789";
        match mode {
            "endless-500" => {
                let _ = stream.write_all(b"HTTP/1.1 500 Internal Server Error\r\n\r\n");
                // Slow enough that reading up to either cap would outlast the test's guard.
                while stream.write_all(&[b'x'; 16]).is_ok() {
                    thread::sleep(Duration::from_millis(10));
                }
            }
            "stall" => {
                let _ = stream.write_all(PARTIAL);
                // Held open until the client gives up and closes its end.
                let mut rest = Vec::new();
                let _ = std::io::Read::read_to_end(&mut reader, &mut rest);
            }
            "short" => {
                let _ = stream.write_all(PARTIAL);
                let _ = stream.shutdown(std::net::Shutdown::Both);
            }
            _ => {
                let _ = stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
            }
        }
    }
}

impl Drop for MisbehavingServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// An `openssl ocsp` responder process, killed on drop.
struct OcspResponder {
    child: Child,
}

impl OcspResponder {
    fn start(
        dir: &Path,
        port: u16,
        index: &str,
        ca: &str,
        signer: &str,
        key: &str,
        extra: &[&str],
    ) -> Self {
        let mut child = Command::new("openssl")
            .current_dir(dir)
            .args(["ocsp", "-index", index, "-port", &port.to_string()])
            .args(["-rsigner", signer, "-rkey", key, "-CA", ca, "-ndays", "1"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("openssl ocsp");
        // A connect-and-close probe wedges the single-threaded responder, so wait for its
        // banner instead, then keep draining its log.
        let stderr = child.stderr.take().unwrap();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        thread::spawn(move || {
            let mut ready = Some(ready_tx);
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if line.contains("waiting for OCSP client connections") {
                    if let Some(tx) = ready.take() {
                        let _ = tx.send(());
                    }
                }
            }
        });
        ready_rx
            .recv_timeout(Duration::from_secs(10))
            .expect("openssl ocsp did not start");
        OcspResponder { child }
    }
}

impl Drop for OcspResponder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    external::server_port()
}

/// Counts requests and forwards them to the real transport.
#[derive(Default)]
struct Counting {
    requests: Mutex<Vec<String>>,
}

impl Transport for Counting {
    fn send(&self, request: &Request<'_>) -> Result<Response, TransportError> {
        self.requests.lock().unwrap().push(request.url.to_string());
        ReqwestTransport.send(request)
    }
}

fn validator(mode: RevocationMode) -> (Validator, Arc<Counting>) {
    let counting = Arc::new(Counting::default());
    (
        Validator::with_transport(RevocationConfig::with_mode(mode), counting.clone()),
        counting,
    )
}

// ------------------------------------------------------------------------------------------
// Test PKI
// ------------------------------------------------------------------------------------------

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

struct Pki {
    dir: tempfile::TempDir,
    int_ocsp: u16,
    int_self_ocsp: u16,
    root_ocsp: u16,
    crl_port: u16,
    down_port: u16,
    hang_port: u16,
    odd_port: u16,
}

const FAR: &str = "301231235959Z";

/// name, serial, OCSP port, CRL file, EKU, issuer.
type LeafSpec<'a> = (
    &'a str,
    &'a str,
    Option<u16>,
    Option<&'a str>,
    &'a str,
    &'a str,
);

impl Pki {
    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn cert(&self, name: &str) -> Certificate {
        let pem = std::fs::read(self.path().join(format!("{name}.pem"))).unwrap();
        let der = x509_cert::Certificate::load_pem_chain(&pem).unwrap()[0].clone();
        use der::Encode;
        Certificate::from_der(&der.to_der().unwrap()).unwrap()
    }

    fn chain(&self, names: &[&str]) -> Vec<Certificate> {
        names.iter().map(|n| self.cert(n)).collect()
    }

    fn file(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path().join(name)).unwrap()
    }

    fn key(&self, name: &str) {
        openssl(
            self.path(),
            &[
                "ecparam",
                "-name",
                "prime256v1",
                "-genkey",
                "-noout",
                "-out",
                &format!("{name}.key"),
            ],
        );
    }

    fn issue(&self, name: &str, issuer: &str, serial: &str, subject: &str, ext: &str) {
        self.key(name);
        let dir = self.path();
        std::fs::write(dir.join(format!("{name}.ext")), ext).unwrap();
        openssl(
            dir,
            &[
                "req",
                "-new",
                "-key",
                &format!("{name}.key"),
                "-subj",
                subject,
                "-out",
                &format!("{name}.csr"),
            ],
        );
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &format!("{name}.csr"),
                "-CA",
                &format!("{issuer}.pem"),
                "-CAkey",
                &format!("{issuer}.key"),
                "-set_serial",
                serial,
                "-days",
                "365",
                "-sha256",
                "-extfile",
                &format!("{name}.ext"),
                "-out",
                &format!("{name}.pem"),
            ],
        );
    }

    fn leaf_ext(&self, ocsp: Option<u16>, crl: Option<&str>, eku: &str) -> String {
        let mut ext = format!(
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage={eku}\n"
        );
        if let Some(port) = ocsp {
            ext.push_str(&format!(
                "authorityInfoAccess=OCSP;URI:http://127.0.0.1:{port}\n"
            ));
        }
        if let Some(file) = crl {
            ext.push_str(&format!(
                "crlDistributionPoints=URI:http://127.0.0.1:{}/{file}\n",
                self.crl_port
            ));
        }
        ext
    }

    fn generate() -> Pki {
        Pki {
            dir: tempfile::tempdir().unwrap(),
            int_ocsp: free_port(),
            int_self_ocsp: free_port(),
            root_ocsp: free_port(),
            crl_port: 0,
            down_port: free_port(),
            hang_port: 0,
            odd_port: 0,
        }
    }

    /// Builds every certificate, index and CRL; `crl_port`/`hang_port`/`odd_port` must be set.
    fn build(&self) {
        let dir = self.path();
        self.key("root");
        openssl(
            dir,
            &[
                "req",
                "-x509",
                "-new",
                "-key",
                "root.key",
                "-subj",
                "/C=US/O=Test/CN=Test Root",
                "-days",
                "3650",
                "-sha256",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
                "-out",
                "root.pem",
            ],
        );
        let ca_ext = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n";
        self.issue(
            "int",
            "root",
            "0x2001",
            "/C=US/O=Test/CN=Test Intermediate",
            ca_ext,
        );
        self.issue(
            "int2",
            "root",
            "0x2002",
            "/C=US/O=Test/CN=Revoked Intermediate",
            &format!(
                "{ca_ext}authorityInfoAccess=OCSP;URI:http://127.0.0.1:{}\n",
                self.root_ocsp
            ),
        );
        self.issue(
            "root-ocsp",
            "root",
            "0x2003",
            "/C=US/O=Test/CN=Root OCSP Responder",
            "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=OCSPSigning\n",
        );
        self.issue(
            "int-hang",
            "root",
            "0x2004",
            "/C=US/O=Test/CN=Hanging Intermediate",
            &format!(
                "{ca_ext}authorityInfoAccess=OCSP;URI:http://127.0.0.1:{}\n",
                self.hang_port
            ),
        );
        let cs = "codeSigning";
        let leaves: [LeafSpec<'_>; 16] = [
            ("leaf-good", "0x1001", Some(self.int_ocsp), None, cs, "int"),
            (
                "leaf-revoked",
                "0x1002",
                Some(self.int_ocsp),
                None,
                cs,
                "int",
            ),
            (
                "leaf-unknown",
                "0x1003",
                Some(self.int_ocsp),
                None,
                cs,
                "int",
            ),
            (
                "leaf-fallback",
                "0x1004",
                Some(self.int_ocsp),
                Some("int.crl"),
                cs,
                "int",
            ),
            ("leaf-down", "0x1005", Some(self.down_port), None, cs, "int"),
            ("leaf-hang", "0x1006", Some(self.hang_port), None, cs, "int"),
            ("leaf-crl-only", "0x1007", None, Some("int.crl"), cs, "int"),
            ("leaf-under-int2", "0x1008", None, None, cs, "int2"),
            (
                "leaf-invalidity",
                "0x1009",
                Some(self.int_ocsp),
                None,
                cs,
                "int",
            ),
            ("leaf-hold", "0x100A", None, Some("int.crl"), cs, "int"),
            (
                "leaf-expired-crl",
                "0x100B",
                None,
                Some("expired.crl"),
                cs,
                "int",
            ),
            (
                "tsa-revoked",
                "0x100C",
                Some(self.int_ocsp),
                None,
                "critical,timeStamping",
                "int",
            ),
            ("leaf-plain", "0x100D", None, None, cs, "int"),
            (
                "leaf-hang-under-int-hang",
                "0x100F",
                Some(self.hang_port),
                None,
                cs,
                "int-hang",
            ),
            (
                "leaf-self-embedded",
                "0x100E",
                Some(self.int_self_ocsp),
                None,
                cs,
                "int",
            ),
            (
                "tsa-good",
                "0x1010",
                Some(self.int_ocsp),
                None,
                "critical,timeStamping",
                "int",
            ),
        ];
        for (name, serial, ocsp, crl, eku, issuer) in leaves {
            let subject = format!("/C=US/O=Test/CN={name}");
            self.issue(
                name,
                issuer,
                serial,
                &subject,
                &self.leaf_ext(ocsp, crl, eku),
            );
        }
        self.issue(
            "leaf-two-servers",
            "int",
            "0x1011",
            "/C=US/O=Test/CN=leaf-two-servers",
            &format!(
                "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n\
                 authorityInfoAccess=OCSP;URI:http://127.0.0.1:{},OCSP;URI:http://127.0.0.1:{}\n",
                self.down_port, self.int_ocsp
            ),
        );
        self.issue(
            "leaf-two-crls",
            "int",
            "0x1012",
            "/C=US/O=Test/CN=leaf-two-crls",
            &format!(
                "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n\
                 crlDistributionPoints=URI:http://127.0.0.1:{0}/int.crl,URI:http://127.0.0.1:{0}/gone.crl\n",
                self.crl_port
            ),
        );
        // One leaf per misbehaviour and method: OCSP only, or CRL only.
        let odd = self.odd_port;
        let misbehaving = [
            (
                "leaf-ocsp-endless-500",
                "0x1020",
                format!("authorityInfoAccess=OCSP;URI:http://127.0.0.1:{odd}/endless-500"),
            ),
            (
                "leaf-ocsp-stall",
                "0x1021",
                format!("authorityInfoAccess=OCSP;URI:http://127.0.0.1:{odd}/stall"),
            ),
            (
                "leaf-ocsp-short",
                "0x1022",
                format!("authorityInfoAccess=OCSP;URI:http://127.0.0.1:{odd}/short"),
            ),
            (
                "leaf-crl-endless-500",
                "0x1023",
                format!("crlDistributionPoints=URI:http://127.0.0.1:{odd}/endless-500.crl"),
            ),
            (
                "leaf-crl-stall",
                "0x1024",
                format!("crlDistributionPoints=URI:http://127.0.0.1:{odd}/stall.crl"),
            ),
            (
                "leaf-crl-short",
                "0x1025",
                format!("crlDistributionPoints=URI:http://127.0.0.1:{odd}/short.crl"),
            ),
        ];
        for (name, serial, access) in misbehaving {
            self.issue(
                name,
                "int",
                serial,
                &format!("/C=US/O=Test/CN={name}"),
                &format!("{}{access}\n", self.leaf_ext(None, None, "codeSigning")),
            );
        }
        for (name, serial) in [("leaf-delta", "0x1013"), ("leaf-delta-clean", "0x1014")] {
            self.issue(
                name,
                "int",
                serial,
                &format!("/C=US/O=Test/CN={name}"),
                &self.leaf_ext(None, Some("base.crl"), "codeSigning"),
            );
        }
        // OCSP index of the intermediate: 1003/1004 absent (unknown).
        let ocsp_index = format!(
            "V\t{FAR}\t\t1001\tunknown\t/C=US/O=Test/CN=leaf-good\n\
             V\t{FAR}\t\t100E\tunknown\t/C=US/O=Test/CN=leaf-self-embedded\n\
             V\t{FAR}\t\t1010\tunknown\t/C=US/O=Test/CN=tsa-good\n\
             V\t{FAR}\t\t1011\tunknown\t/C=US/O=Test/CN=leaf-two-servers\n\
             R\t{FAR}\t240101000000Z,keyCompromise\t1002\tunknown\t/C=US/O=Test/CN=leaf-revoked\n\
             R\t{FAR}\t240101000000Z,keyTime,20990101000000Z\t1009\tunknown\t/C=US/O=Test/CN=leaf-invalidity\n\
             R\t{FAR}\t240101000000Z,keyCompromise\t100C\tunknown\t/C=US/O=Test/CN=tsa-revoked\n"
        );
        std::fs::write(dir.join("int-ocsp.txt"), ocsp_index).unwrap();
        std::fs::write(
            dir.join("root-ocsp.txt"),
            format!(
                "V\t{FAR}\t\t2001\tunknown\t/C=US/O=Test/CN=Test Intermediate\n\
                 R\t{FAR}\t240101000000Z,keyCompromise\t2002\tunknown\t/C=US/O=Test/CN=Revoked Intermediate\n"
            ),
        )
        .unwrap();
        // CRL of the intermediate: 1004 revoked, 100A on hold, 1007 not listed.
        std::fs::write(
            dir.join("crl-index.txt"),
            format!(
                "R\t{FAR}\t240101000000Z,keyCompromise\t1004\tunknown\t/C=US/O=Test/CN=leaf-fallback\n\
                 R\t{FAR}\t240101000000Z,certificateHold,holdInstructionNone\t100A\tunknown\t/C=US/O=Test/CN=leaf-hold\n"
            ),
        )
        .unwrap();
        std::fs::write(dir.join("crlnumber"), "1000\n").unwrap();
        std::fs::write(
            dir.join("ca.cnf"),
            "[ ca ]\ndefault_ca = CA_default\n[ CA_default ]\ndatabase = crl-index.txt\ncrlnumber = crlnumber\ndefault_md = sha256\ndefault_crl_days = 1\n",
        )
        .unwrap();
        openssl(
            dir,
            &[
                "ca",
                "-gencrl",
                "-config",
                "ca.cnf",
                "-keyfile",
                "int.key",
                "-cert",
                "int.pem",
                "-out",
                "int.crl.pem",
            ],
        );
        openssl(
            dir,
            &[
                "ca",
                "-gencrl",
                "-config",
                "ca.cnf",
                "-keyfile",
                "int.key",
                "-cert",
                "int.pem",
                "-crl_lastupdate",
                "20200101000000Z",
                "-crl_nextupdate",
                "20200102000000Z",
                "-out",
                "expired.crl.pem",
            ],
        );
        // A base CRL pointing (FreshestCRL) at a delta CRL that revokes 1013; the base itself
        // lists nothing. The delta's indicator names the base's number.
        std::fs::write(dir.join("empty-index.txt"), "").unwrap();
        std::fs::write(
            dir.join("delta-index.txt"),
            format!("R\t{FAR}\t240101000000Z,keyCompromise\t1013\tunknown\t/C=US/O=Test/CN=leaf-delta\n"),
        )
        .unwrap();
        std::fs::write(dir.join("deltanumber"), "2000\n").unwrap();
        for (cnf, database) in [
            ("base.cnf", "empty-index.txt"),
            ("delta.cnf", "delta-index.txt"),
        ] {
            std::fs::write(
                dir.join(cnf),
                format!(
                    "[ ca ]\ndefault_ca = CA_default\n[ CA_default ]\ndatabase = {database}\ncrlnumber = deltanumber\n\
                     default_md = sha256\ndefault_crl_days = 1\n[ base_ext ]\nfreshestCRL = URI:http://127.0.0.1:{}/delta.crl\n\
                     [ delta_ext ]\n2.5.29.27 = critical,DER:02022000\n",
                    self.crl_port
                ),
            )
            .unwrap();
        }
        for (cnf, exts, out) in [
            ("base.cnf", "base_ext", "base"),
            ("delta.cnf", "delta_ext", "delta"),
        ] {
            openssl(
                dir,
                &[
                    "ca",
                    "-gencrl",
                    "-config",
                    cnf,
                    "-keyfile",
                    "int.key",
                    "-cert",
                    "int.pem",
                    "-crlexts",
                    exts,
                    "-out",
                    &format!("{out}.crl.pem"),
                ],
            );
        }
        for name in ["int", "expired", "base", "delta"] {
            openssl(
                dir,
                &[
                    "crl",
                    "-in",
                    &format!("{name}.crl.pem"),
                    "-outform",
                    "DER",
                    "-out",
                    &format!("{name}.crl"),
                ],
            );
        }
    }
}

/// The generated PKI with its responders running.
struct Setup {
    pki: Pki,
    _int: OcspResponder,
    _int_self: OcspResponder,
    _root: OcspResponder,
    crl: HttpServer,
    _hang: HangingServer,
    _odd: MisbehavingServer,
}

/// The test PKI and its responders (openssl missing, the test fails with the install command).
fn setup() -> Setup {
    external::OPENSSL.require();
    let mut pki = Pki::generate();
    let crl_listener = TcpListener::bind("127.0.0.1:0").unwrap();
    pki.crl_port = crl_listener.local_addr().unwrap().port();
    let hang = HangingServer::start();
    pki.hang_port = hang.port;
    let odd = MisbehavingServer::start();
    pki.odd_port = odd.port;
    pki.build();
    let files = HashMap::from([
        ("/int.crl".to_string(), pki.file("int.crl")),
        ("/expired.crl".to_string(), pki.file("expired.crl")),
        ("/base.crl".to_string(), pki.file("base.crl")),
        ("/delta.crl".to_string(), pki.file("delta.crl")),
    ]);
    let crl = HttpServer::start(crl_listener, files);
    // The intermediate signs its own responses without embedding a certificate; a second
    // instance embeds the intermediate's own certificate, which Go's OCSP parser refuses.
    let int = OcspResponder::start(
        pki.path(),
        pki.int_ocsp,
        "int-ocsp.txt",
        "int.pem",
        "int.pem",
        "int.key",
        &["-resp_no_certs"],
    );
    let int_self = OcspResponder::start(
        pki.path(),
        pki.int_self_ocsp,
        "int-ocsp.txt",
        "int.pem",
        "int.pem",
        "int.key",
        &[],
    );
    let root = OcspResponder::start(
        pki.path(),
        pki.root_ocsp,
        "root-ocsp.txt",
        "root.pem",
        "root-ocsp.pem",
        "root-ocsp.key",
        &[],
    );
    Setup {
        pki,
        _int: int,
        _int_self: int_self,
        _root: root,
        crl,
        _hang: hang,
        _odd: odd,
    }
}

fn message(result: &ChainRevocation) -> Option<String> {
    result.failure().map(|f| f.to_string())
}

// ------------------------------------------------------------------------------------------
// Tests against the generated PKI
// ------------------------------------------------------------------------------------------

#[test]
#[cfg_attr(
    feature = "skip-openssl-tests",
    ignore = "needs openssl: left out by FLUXVERIFY_SKIP_OPENSSL_TESTS=1"
)]
fn ocsp_good_revoked_unknown_and_revoked_intermediate() {
    let s = setup();
    let (v, counting) = validator(RevocationMode::OcspWithCrlFallback);

    let good = v.validate(
        &s.pki.chain(&["leaf-good", "int", "root"]),
        Purpose::CodeSigning,
        None,
    );
    assert_eq!(message(&good), None, "{good:#?}");
    assert_eq!(good.certificates[0].status, RevocationStatus::Ok);
    assert_eq!(good.certificates[0].method, RevocationMethod::Ocsp);
    assert_eq!(
        good.certificates[0].servers[0].server,
        format!("http://127.0.0.1:{}", s.pki.int_ocsp)
    );
    assert_eq!(good.certificates[1].status, RevocationStatus::NonRevokable);
    assert_eq!(good.certificates[2].status, RevocationStatus::NonRevokable);
    // Short requests go as GET <server>/<escaped base64>.
    let urls = counting.requests.lock().unwrap().clone();
    assert_eq!(urls.len(), 1);
    let prefix = format!("http://127.0.0.1:{}/", s.pki.int_ocsp);
    let escaped = urls[0].strip_prefix(&prefix).unwrap();
    assert!(escaped.len() < 255 && !escaped.contains('/'), "{urls:?}");
    // One SHA-1 CertID (1.3.14.3.2.26, NULL parameters), no nonce: the same shape as the
    // request notation-go sent in the upstream CRL scenario.
    assert!(
        escaped.starts_with("MEMwQTA%2FMD0wOzAJBgUrDgMCGgUABB"),
        "{escaped}"
    );

    let revoked = v.validate(
        &s.pki.chain(&["leaf-revoked", "int", "root"]),
        Purpose::CodeSigning,
        None,
    );
    assert_eq!(
        message(&revoked).as_deref(),
        Some("signing certificate with subject \"CN=leaf-revoked,O=Test,C=US\" is revoked")
    );
    assert_eq!(
        revoked.certificates[0].servers[0].error.as_deref(),
        Some("certificate is revoked via OCSP")
    );

    let unknown = v.validate(
        &s.pki.chain(&["leaf-unknown", "int", "root"]),
        Purpose::CodeSigning,
        None,
    );
    assert_eq!(
        message(&unknown).as_deref(),
        Some("signing certificate with subject \"CN=leaf-unknown,O=Test,C=US\" revocation status is unknown")
    );
    assert_eq!(
        unknown.certificates[0].servers[0].error.as_deref(),
        Some("certificate has unknown status via OCSP")
    );

    // The intermediate is revoked by the root's delegated responder; the leaf has no AIA.
    let int2 = v.validate(
        &s.pki.chain(&["leaf-under-int2", "int2", "root"]),
        Purpose::CodeSigning,
        None,
    );
    assert_eq!(
        message(&int2).as_deref(),
        Some("signing certificate with subject \"CN=Revoked Intermediate,O=Test,C=US\" is revoked")
    );
    assert_eq!(int2.certificates[0].status, RevocationStatus::NonRevokable);
    assert_eq!(int2.certificates[1].status, RevocationStatus::Revoked);
}

/// A log writer that keeps what it is given.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

#[test]
#[cfg_attr(
    feature = "skip-openssl-tests",
    ignore = "needs openssl: left out by FLUXVERIFY_SKIP_OPENSSL_TESTS=1"
)]
fn ocsp_and_crl_requests_are_logged_with_url_status_bytes_and_time() {
    let s = setup();
    let (v, _) = validator(RevocationMode::OcspWithCrlFallback);
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    let r = tracing::subscriber::with_default(subscriber, || {
        v.validate(
            &s.pki.chain(&["leaf-fallback", "int", "root"]),
            Purpose::CodeSigning,
            None,
        )
    });
    assert_eq!(r.certificates[0].method, RevocationMethod::OcspFallbackCrl);
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let field = |line: &str, name: &str| -> Option<String> {
        line.split(' ')
            .find_map(|f| f.strip_prefix(&format!("{name}=")))
            .map(str::to_owned)
    };
    let ocsp = log
        .lines()
        .find(|l| l.contains("OCSP request "))
        .unwrap_or_else(|| panic!("no OCSP request line:\n{log}"));
    // The responder's URL, not the GET URL with the encoded request in it.
    assert_eq!(
        field(ocsp, "url"),
        Some(format!("http://127.0.0.1:{}/", s.pki.int_ocsp)),
        "{ocsp}"
    );
    assert_eq!(field(ocsp, "method").as_deref(), Some("GET"), "{ocsp}");
    assert_eq!(field(ocsp, "status").as_deref(), Some("200"), "{ocsp}");
    assert!(field(ocsp, "bytes").is_some_and(|b| b != "0"), "{ocsp}");
    assert!(field(ocsp, "ms").is_some(), "{ocsp}");
    let crl = log
        .lines()
        .find(|l| l.contains("CRL request "))
        .unwrap_or_else(|| panic!("no CRL request line:\n{log}"));
    assert_eq!(
        field(crl, "url"),
        Some(format!("http://127.0.0.1:{}/int.crl", s.pki.crl_port)),
        "{crl}"
    );
    assert_eq!(field(crl, "status").as_deref(), Some("200"), "{crl}");
    assert!(field(crl, "bytes").is_some_and(|b| b != "0"), "{crl}");
}

#[test]
#[cfg_attr(
    feature = "skip-openssl-tests",
    ignore = "needs openssl: left out by FLUXVERIFY_SKIP_OPENSSL_TESTS=1"
)]
fn a_ca_embedding_its_own_certificate_is_refused_as_go_does() {
    let s = setup();
    let (v, _) = validator(RevocationMode::OcspWithCrlFallback);
    let r = v.validate(
        &s.pki.chain(&["leaf-self-embedded", "int", "root"]),
        Purpose::CodeSigning,
        None,
    );
    assert_eq!(
        message(&r).as_deref(),
        Some("signing certificate with subject \"CN=leaf-self-embedded,O=Test,C=US\" revocation status is unknown")
    );
    assert_eq!(
        r.certificates[0].servers[0].error.as_deref(),
        Some("bad OCSP signature: x509: ECDSA verification failure")
    );
}

#[test]
#[cfg_attr(
    feature = "skip-openssl-tests",
    ignore = "needs openssl: left out by FLUXVERIFY_SKIP_OPENSSL_TESTS=1"
)]
fn ocsp_unknown_falls_back_to_crl_which_says_revoked() {
    let s = setup();
    let (v, _) = validator(RevocationMode::OcspWithCrlFallback);
    let r = v.validate(
        &s.pki.chain(&["leaf-fallback", "int", "root"]),
        Purpose::CodeSigning,
        None,
    );
    assert_eq!(
        message(&r).as_deref(),
        Some("signing certificate with subject \"CN=leaf-fallback,O=Test,C=US\" is revoked")
    );
    let leaf = &r.certificates[0];
    assert_eq!(leaf.method, RevocationMethod::OcspFallbackCrl);
    assert_eq!(leaf.servers.len(), 2);
    assert_eq!(leaf.servers[0].method, RevocationMethod::Ocsp);
    assert_eq!(leaf.servers[0].status, RevocationStatus::Unknown);
    assert_eq!(leaf.servers[1].method, RevocationMethod::Crl);
    assert_eq!(
        leaf.servers[1].server,
        format!("http://127.0.0.1:{}/int.crl", s.pki.crl_port)
    );
    assert_eq!(leaf.servers[1].status, RevocationStatus::Revoked);

    // Source-controller 1.3/1.4 stop at OCSP: unknown, and the CRL is never fetched.
    let before = s.crl.requests.load(Ordering::SeqCst);
    let (ocsp_only, _) = validator(RevocationMode::OcspOnly);
    let r = ocsp_only.validate(
        &s.pki.chain(&["leaf-fallback", "int", "root"]),
        Purpose::CodeSigning,
        None,
    );
    assert_eq!(
        message(&r).as_deref(),
        Some("signing certificate with subject \"CN=leaf-fallback,O=Test,C=US\" revocation status is unknown")
    );
    assert_eq!(s.crl.requests.load(Ordering::SeqCst), before);
}

#[test]
#[cfg_attr(
    feature = "skip-openssl-tests",
    ignore = "needs openssl: left out by FLUXVERIFY_SKIP_OPENSSL_TESTS=1"
)]
fn crl_only_certificates_hold_and_expired_crls() {
    let s = setup();
    let (v, counting) = validator(RevocationMode::OcspWithCrlFallback);
    let r = v.validate(
        &s.pki.chain(&["leaf-crl-only", "int", "root"]),
        Purpose::CodeSigning,
        None,
    );
    assert_eq!(message(&r), None, "{r:#?}");
    assert_eq!(r.certificates[0].method, RevocationMethod::Crl);
    assert_eq!(r.certificates[0].status, RevocationStatus::Ok);

    let hold = v.validate(
        &s.pki.chain(&["leaf-hold", "int", "root"]),
        Purpose::CodeSigning,
        None,
    );
    assert_eq!(
        message(&hold).as_deref(),
        Some("signing certificate with subject \"CN=leaf-hold,O=Test,C=US\" is revoked")
    );

    let expired = v.validate(
        &s.pki.chain(&["leaf-expired-crl", "int", "root"]),
        Purpose::CodeSigning,
        None,
    );
    assert_eq!(
        message(&expired).as_deref(),
        Some("signing certificate with subject \"CN=leaf-expired-crl,O=Test,C=US\" revocation status is unknown")
    );
    let error = expired.certificates[0].servers[0].error.clone().unwrap();
    assert!(
        error.starts_with(&format!(
            "failed to validate CRL from http://127.0.0.1:{}/expired.crl: expired CRL. Current time ",
            s.pki.crl_port
        )) && error.ends_with("is after CRL NextUpdate 2020-01-02 00:00:00 +0000 UTC"),
        "{error}"
    );
    assert_eq!(counting.requests.lock().unwrap().len(), 3);

    // With OCSP only, a CRL-only certificate is not revocable and nothing is fetched.
    let (ocsp_only, counting) = validator(RevocationMode::OcspOnly);
    let r = ocsp_only.validate(
        &s.pki.chain(&["leaf-crl-only", "int", "root"]),
        Purpose::CodeSigning,
        None,
    );
    assert_eq!(message(&r), None);
    assert_eq!(r.certificates[0].status, RevocationStatus::NonRevokable);
    assert!(counting.requests.lock().unwrap().is_empty());
}

#[test]
#[cfg_attr(
    feature = "skip-openssl-tests",
    ignore = "needs openssl: left out by FLUXVERIFY_SKIP_OPENSSL_TESTS=1"
)]
fn responder_down_or_hanging_ends_unknown_within_the_timeout() {
    let s = setup();
    let (v, _) = validator(RevocationMode::OcspWithCrlFallback);
    let started = Instant::now();
    let down = v.validate(
        &s.pki.chain(&["leaf-down", "int", "root"]),
        Purpose::CodeSigning,
        None,
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(
        message(&down).as_deref(),
        Some("signing certificate with subject \"CN=leaf-down,O=Test,C=US\" revocation status is unknown")
    );
    let error = down.certificates[0].servers[0].error.clone().unwrap();
    assert!(
        error.starts_with("error checking revocation status via OCSP: Get \"http://127.0.0.1:")
            && error.ends_with("connect: connection refused"),
        "{error}"
    );

    let started = Instant::now();
    let hang = v.validate(
        &s.pki.chain(&["leaf-hang", "int", "root"]),
        Purpose::CodeSigning,
        None,
    );
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(1900), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(4), "{elapsed:?}");
    assert_eq!(
        hang.certificates[0].servers[0].error.as_deref(),
        Some("exceeded timeout threshold of 2.00 seconds for OCSP check")
    );
    assert_eq!(
        message(&hang).as_deref(),
        Some("signing certificate with subject \"CN=leaf-hang,O=Test,C=US\" revocation status is unknown")
    );

    // Leaf and intermediate both hang: certificates are checked concurrently, so one
    // verification still takes one timeout, not two.
    let started = Instant::now();
    let both = v.validate(
        &s.pki
            .chain(&["leaf-hang-under-int-hang", "int-hang", "root"]),
        Purpose::CodeSigning,
        None,
    );
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_millis(3500), "{elapsed:?}");
    assert_eq!(both.certificates[0].status, RevocationStatus::Unknown);
    assert_eq!(both.certificates[1].status, RevocationStatus::Unknown);
    assert_eq!(
        message(&both).as_deref(),
        Some("signing certificate with subject \"CN=leaf-hang-under-int-hang,O=Test,C=US\" revocation status is unknown")
    );
}

/// The error of the one server asked for `leaf` (under `int`).
fn server_error(v: &Validator, s: &Setup, leaf: &str) -> String {
    let r = v.validate(
        &s.pki.chain(&[leaf, "int", "root"]),
        Purpose::CodeSigning,
        None,
    );
    assert_eq!(
        r.certificates[0].status,
        RevocationStatus::Unknown,
        "{r:#?}"
    );
    assert_eq!(r.certificates[0].servers.len(), 1, "{r:#?}");
    r.certificates[0].servers[0].error.clone().unwrap()
}

#[test]
#[cfg_attr(
    feature = "skip-openssl-tests",
    ignore = "needs openssl: left out by FLUXVERIFY_SKIP_OPENSSL_TESTS=1"
)]
fn error_statuses_fail_at_once_without_reading_their_bodies() {
    let s = setup();
    // Timeouts far above the guard below: waiting for the body would outlast it.
    let config = RevocationConfig {
        ocsp_timeout: Duration::from_secs(30),
        crl_timeout: Duration::from_secs(30),
        ..RevocationConfig::default()
    };
    let v = Validator::with_transport(config, Arc::new(ReqwestTransport));
    let odd = s.pki.odd_port;
    let started = Instant::now();
    assert_eq!(
        server_error(&v, &s, "leaf-ocsp-endless-500"),
        "failed to retrieve OCSP: response had status code 500"
    );
    assert_eq!(
        server_error(&v, &s, "leaf-crl-endless-500"),
        format!("failed to download CRL from http://127.0.0.1:{odd}/endless-500.crl: failed to retrieve CRL: failed to download with status code: 500")
    );
    // Only a hang guard, far above any real duration.
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
#[cfg_attr(
    feature = "skip-openssl-tests",
    ignore = "needs openssl: left out by FLUXVERIFY_SKIP_OPENSSL_TESTS=1"
)]
fn body_read_failures_are_worded_as_go_and_notation_word_them() {
    let s = setup();
    let config = RevocationConfig {
        ocsp_timeout: Duration::from_millis(500),
        crl_timeout: Duration::from_millis(500),
        ..RevocationConfig::default()
    };
    let v = Validator::with_transport(config, Arc::new(ReqwestTransport));
    let odd = s.pki.odd_port;
    let deadline =
        "context deadline exceeded (Client.Timeout or context cancellation while reading body)";
    // The headers arrived, so the deadline is no `*url.Error` and not OCSP's timeout error.
    assert_eq!(
        server_error(&v, &s, "leaf-ocsp-stall"),
        format!("error checking revocation status via OCSP: {deadline}")
    );
    assert_eq!(
        server_error(&v, &s, "leaf-crl-stall"),
        format!("failed to download CRL from http://127.0.0.1:{odd}/stall.crl: failed to retrieve CRL: failed to read CRL response: {deadline}")
    );
    // A body cut short of its Content-Length.
    assert_eq!(
        server_error(&v, &s, "leaf-ocsp-short"),
        "error checking revocation status via OCSP: unexpected EOF"
    );
    assert_eq!(
        server_error(&v, &s, "leaf-crl-short"),
        format!("failed to download CRL from http://127.0.0.1:{odd}/short.crl: failed to retrieve CRL: failed to read CRL response: unexpected EOF")
    );
}

#[test]
#[cfg_attr(
    feature = "skip-openssl-tests",
    ignore = "needs openssl: left out by FLUXVERIFY_SKIP_OPENSSL_TESTS=1"
)]
fn servers_and_distribution_points_are_tried_in_order() {
    let s = setup();
    let (v, counting) = validator(RevocationMode::OcspWithCrlFallback);
    // OCSP: the first server is down, the second answers good and alone decides.
    let r = v.validate(
        &s.pki.chain(&["leaf-two-servers", "int", "root"]),
        Purpose::CodeSigning,
        None,
    );
    assert_eq!(message(&r), None, "{r:#?}");
    assert_eq!(r.certificates[0].servers.len(), 1);
    assert_eq!(
        r.certificates[0].servers[0].server,
        format!("http://127.0.0.1:{}", s.pki.int_ocsp)
    );
    assert_eq!(counting.requests.lock().unwrap().len(), 2);

    // CRL: every distribution point is read; the first error ends the check as unknown and
    // only the failing point is reported, as upstream.
    let r = v.validate(
        &s.pki.chain(&["leaf-two-crls", "int", "root"]),
        Purpose::CodeSigning,
        None,
    );
    assert_eq!(
        message(&r).as_deref(),
        Some("signing certificate with subject \"CN=leaf-two-crls,O=Test,C=US\" revocation status is unknown")
    );
    assert_eq!(r.certificates[0].servers.len(), 1);
    assert_eq!(
        r.certificates[0].servers[0].error.as_deref(),
        Some(
            format!(
                "failed to download CRL from http://127.0.0.1:{0}/gone.crl: failed to retrieve CRL: failed to download with status code: 404",
                s.pki.crl_port
            )
            .as_str()
        )
    );
}

#[test]
#[cfg_attr(
    feature = "skip-openssl-tests",
    ignore = "needs openssl: left out by FLUXVERIFY_SKIP_OPENSSL_TESTS=1"
)]
fn delta_crls_named_by_the_base_crl_are_applied() {
    let s = setup();
    let (v, counting) = validator(RevocationMode::OcspWithCrlFallback);
    let r = v.validate(
        &s.pki.chain(&["leaf-delta", "int", "root"]),
        Purpose::CodeSigning,
        None,
    );
    assert_eq!(
        message(&r).as_deref(),
        Some("signing certificate with subject \"CN=leaf-delta,O=Test,C=US\" is revoked")
    );
    let urls = counting.requests.lock().unwrap().clone();
    assert_eq!(
        urls,
        [
            format!("http://127.0.0.1:{}/base.crl", s.pki.crl_port),
            format!("http://127.0.0.1:{}/delta.crl", s.pki.crl_port)
        ]
    );
    let clean = v.validate(
        &s.pki.chain(&["leaf-delta-clean", "int", "root"]),
        Purpose::CodeSigning,
        None,
    );
    assert_eq!(message(&clean), None, "{clean:#?}");
}

#[test]
#[cfg_attr(
    feature = "skip-openssl-tests",
    ignore = "needs openssl: left out by FLUXVERIFY_SKIP_OPENSSL_TESTS=1"
)]
fn invalidity_date_after_the_authentic_signing_time_is_not_revoked() {
    let s = setup();
    let (v, _) = validator(RevocationMode::OcspWithCrlFallback);
    let chain = s.pki.chain(&["leaf-invalidity", "int", "root"]);
    let without = v.validate(&chain, Purpose::CodeSigning, None);
    assert_eq!(
        message(&without).as_deref(),
        Some("signing certificate with subject \"CN=leaf-invalidity,O=Test,C=US\" is revoked")
    );
    let signed_now = v.validate(&chain, Purpose::CodeSigning, Some(chrono::Utc::now()));
    assert_eq!(message(&signed_now), None, "{signed_now:#?}");
}

#[test]
#[cfg_attr(
    feature = "skip-openssl-tests",
    ignore = "needs openssl: left out by FLUXVERIFY_SKIP_OPENSSL_TESTS=1"
)]
fn timestamping_chains_use_the_timestamping_words() {
    let s = setup();
    let (v, _) = validator(RevocationMode::OcspWithCrlFallback);
    let r = v.validate(
        &s.pki.chain(&["tsa-revoked", "int", "root"]),
        Purpose::Timestamping,
        None,
    );
    assert_eq!(
        message(&r).as_deref(),
        Some("timestamping certificate with subject \"CN=tsa-revoked,O=Test,C=US\" is revoked")
    );
    // A code-signing leaf is not a valid timestamping chain: the check cannot run.
    let r = v.validate(
        &s.pki.chain(&["leaf-good", "int", "root"]),
        Purpose::Timestamping,
        None,
    );
    let text = message(&r).unwrap();
    assert!(
        text.starts_with("failed to check timestamping certificate chain revocation with error: invalid chain: expected chain to be correct and complete: "),
        "{text}"
    );
}

#[test]
#[cfg_attr(
    any(feature = "skip-openssl-tests", not(feature = "upstream-vectors")),
    ignore = "needs openssl: left out by FLUXVERIFY_SKIP_OPENSSL_TESTS=1; and ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn chains_without_revocation_info_never_touch_the_network() {
    let s = setup();
    let (v, counting) = validator(RevocationMode::OcspWithCrlFallback);
    let plain = v.validate(
        &s.pki.chain(&["leaf-plain", "int", "root"]),
        Purpose::CodeSigning,
        None,
    );
    assert_eq!(message(&plain), None, "{plain:#?}");
    assert!(plain
        .certificates
        .iter()
        .all(|c| c.status == RevocationStatus::NonRevokable));
    assert!(!plain.touched_network());
    let e2e = std::fs::read(upstream::upstream(
        "notation/test/e2e/testdata/config/localkeys/e2e.crt",
    ))
    .unwrap();
    let self_signed = Certificate::from_der(
        &x509_cert::Certificate::load_pem_chain(&e2e).unwrap()[0].to_der_vec(),
    )
    .unwrap();
    let r = v.validate(
        std::slice::from_ref(&self_signed),
        Purpose::CodeSigning,
        None,
    );
    assert_eq!(message(&r), None, "{r:#?}");
    assert_eq!(r.certificates.len(), 1);
    assert_eq!(r.certificates[0].status, RevocationStatus::NonRevokable);
    assert!(counting.requests.lock().unwrap().is_empty());
    assert_eq!(s.crl.requests.load(Ordering::SeqCst), 0);
}

#[test]
#[cfg_attr(
    feature = "skip-openssl-tests",
    ignore = "needs openssl: left out by FLUXVERIFY_SKIP_OPENSSL_TESTS=1"
)]
fn broken_chains_cannot_be_checked() {
    let s = setup();
    let (v, counting) = validator(RevocationMode::OcspWithCrlFallback);
    let r = v.validate(
        &s.pki.chain(&["leaf-good", "root"]),
        Purpose::CodeSigning,
        None,
    );
    let text = message(&r).unwrap();
    assert!(
        text.starts_with("unable to check revocation status, err: invalid chain: expected chain to be correct and complete: "),
        "{text}"
    );
    let r = v.validate(&[], Purpose::CodeSigning, None);
    assert_eq!(
        message(&r).as_deref(),
        Some("unable to check revocation status, err: invalid chain: expected chain to be correct and complete: chain does not contain any certificates")
    );
    assert!(counting.requests.lock().unwrap().is_empty());
}

/// A token from `openssl ts` signed by `tsa` over `message`, its chain embedded.
fn local_timestamp(pki: &Pki, tsa: &str, message: &[u8]) -> Vec<u8> {
    let dir = pki.path();
    std::fs::write(dir.join("message.bin"), message).unwrap();
    let chain = [pki.file("int.pem"), pki.file("root.pem")].concat();
    std::fs::write(dir.join("tsa-chain.pem"), chain).unwrap();
    std::fs::write(dir.join("tsaserial"), "01\n").unwrap();
    std::fs::write(
        dir.join("tsa.cnf"),
        format!(
            "[ tsa ]\ndefault_tsa = tsa_config\n[ tsa_config ]\ndir = .\nserial = tsaserial\n\
             signer_cert = {tsa}.pem\ncerts = tsa-chain.pem\nsigner_key = {tsa}.key\n\
             signer_digest = sha256\ndefault_policy = 1.2.3.4.1\ndigests = sha256, sha384, sha512\n\
             accuracy = secs:1\ness_cert_id_alg = sha256\nordering = no\ntsa_name = no\n"
        ),
    )
    .unwrap();
    openssl(
        dir,
        &[
            "ts",
            "-query",
            "-data",
            "message.bin",
            "-sha256",
            "-cert",
            "-no_nonce",
            "-out",
            "req.tsq",
        ],
    );
    openssl(
        dir,
        &[
            "ts",
            "-reply",
            "-config",
            "tsa.cnf",
            "-section",
            "tsa_config",
            "-queryfile",
            "req.tsq",
            "-token_out",
            "-out",
            "token.der",
        ],
    );
    pki.file("token.der")
}

#[test]
#[cfg_attr(
    any(feature = "skip-openssl-tests", not(feature = "upstream-vectors")),
    ignore = "needs openssl: left out by FLUXVERIFY_SKIP_OPENSSL_TESTS=1; and ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn timestamp_from_a_local_tsa_verifies_end_to_end() {
    use fluxverify::pki::timestamp::{verify_timestamp, TimestampInput};
    let s = setup();
    let (v, counting) = validator(RevocationMode::OcspWithCrlFallback);
    let signature = b"the envelope's signature bytes".to_vec();
    // The generated certificates start this second, and genTime − 1 s must not precede the
    // signing certificate, so the signing chain is the upstream e2e certificate (2022–2122).
    let e2e = std::fs::read(upstream::upstream(
        "notation/test/e2e/testdata/config/localkeys/e2e.crt",
    ))
    .unwrap();
    let signing_chain = vec![Certificate::from_der(
        &x509_cert::Certificate::load_pem_chain(&e2e).unwrap()[0].to_der_vec(),
    )
    .unwrap()];
    let roots = vec![s.pki.cert("root")];

    let token = local_timestamp(&s.pki, "tsa-good", &signature);
    let input = TimestampInput {
        token: Some(&token),
        signature: &signature,
        signing_chain: &signing_chain,
    };
    let verified = verify_timestamp(&input, || Ok(roots.clone()), &v).unwrap();
    let subjects: Vec<String> = verified
        .tsa_chain
        .iter()
        .map(Certificate::subject)
        .collect();
    assert_eq!(
        subjects,
        [
            "CN=tsa-good,O=Test,C=US",
            "CN=Test Intermediate,O=Test,C=US",
            "CN=Test Root,O=Test,C=US"
        ]
    );
    assert_eq!(verified.accuracy, chrono::Duration::seconds(1));
    assert!((chrono::Utc::now() - verified.gen_time).num_seconds().abs() < 60);
    assert_eq!(
        verified.revocation.certificates[0].status,
        RevocationStatus::Ok
    );
    assert_eq!(
        counting.requests.lock().unwrap().len(),
        1,
        "the TSA certificate was checked over OCSP"
    );

    // The same token over other bytes, or against another root, fails.
    let other = TimestampInput {
        signature: b"other bytes",
        ..input
    };
    assert_eq!(
        verify_timestamp(&other, || Ok(roots.clone()), &v)
            .unwrap_err()
            .to_string(),
        "failed to get timestamp from timestamp countersignature with error: invalid TSTInfo: mismatched message"
    );
    let stranger = vec![s.pki.cert("int2")];
    assert_eq!(
        verify_timestamp(&input, || Ok(stranger), &v).unwrap_err().to_string(),
        "failed to verify the timestamp countersignature with error: failed to verify signed token: cms verification failure: x509: certificate signed by unknown authority"
    );

    // A revoked TSA certificate fails authenticTimestamp with notation's words.
    let token = local_timestamp(&s.pki, "tsa-revoked", &signature);
    let input = TimestampInput {
        token: Some(&token),
        signature: &signature,
        signing_chain: &signing_chain,
    };
    assert_eq!(
        verify_timestamp(&input, || Ok(roots.clone()), &v)
            .unwrap_err()
            .to_string(),
        "timestamping certificate with subject \"CN=tsa-revoked,O=Test,C=US\" is revoked"
    );

    // Through the verification stage, the failure carries the TSA chain's details for the
    // report.
    use fluxverify::settings::Mode;
    use fluxverify::settings::{FluxVersion, Settings};
    use fluxverify::trust::policy::{Dialect, StoreType, TrustPolicyDocument};
    use fluxverify::trust::store::{TrustStore, TrustStoreError};
    use fluxverify::verify::signature::Stages;
    use fluxverify::verify::stages::PolicyStages;
    struct NoCertificates;
    impl TrustStore for NoCertificates {
        fn certificates(&self, _: StoreType, _: &str) -> Result<Vec<Certificate>, TrustStoreError> {
            Ok(Vec::new())
        }
    }
    let policy = TrustPolicyDocument::parse(
        br#"{"version": "1.0", "trustPolicies": [{"name": "p", "registryScopes": ["*"],
            "signatureVerification": {"level": "strict"}, "trustStores": ["ca:c", "tsa:t"],
            "trustedIdentities": ["*"]}]}"#,
        Dialect::Notation,
    )
    .unwrap();
    let stages = PolicyStages::new(
        policy,
        NoCertificates,
        v,
        Settings {
            mode: Mode::Notation,
            flux_version: FluxVersion::V1_9,
        },
    )
    .unwrap();
    let (result, details) =
        stages.verify_timestamp(Some(&token), &signature, &signing_chain, &mut || {
            Ok(roots.clone())
        });
    assert_eq!(
        result.unwrap_err(),
        "timestamping certificate with subject \"CN=tsa-revoked,O=Test,C=US\" is revoked"
    );
    let details = details.expect("the TSA chain's revocation details reach the report");
    assert_eq!(details.purpose, Purpose::Timestamping);
    assert_eq!(details.certificates[0].status, RevocationStatus::Revoked);
}

// ------------------------------------------------------------------------------------------
// Upstream CRL fixtures (certificates point at http://localhost:10086)
// ------------------------------------------------------------------------------------------

fn crl_fixture(file: &str) -> Vec<u8> {
    std::fs::read(upstream::upstream("notation/test/e2e/testdata/config/crl").join(file)).unwrap()
}

/// Port 10086 is fixed by the fixtures. The bound listener is the lock: another test binary
/// serving the same fixtures waits until it is free, and this test keeps it for its whole run.
fn serve_10086(files: Files) -> HttpServer {
    let deadline = Instant::now() + Duration::from_secs(60);
    let listener = loop {
        match TcpListener::bind("127.0.0.1:10086") {
            Ok(l) => break l,
            Err(e) => {
                assert!(Instant::now() < deadline, "port 10086: {e}");
                thread::sleep(Duration::from_millis(50));
            }
        }
    };
    HttpServer::start_shared(listener, files)
}

fn set_files(files: &Files, entries: &[(&str, &str)]) {
    let mut map = files.lock().unwrap();
    map.clear();
    for (path, file) in entries {
        map.insert(path.to_string(), crl_fixture(file));
    }
}

fn upstream_chain() -> Vec<Certificate> {
    use der::Encode;
    x509_cert::Certificate::load_pem_chain(&crl_fixture("certchain_with_crl.pem"))
        .unwrap()
        .iter()
        .map(|c| Certificate::from_der(&c.to_der().unwrap()).unwrap())
        .collect()
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn upstream_crl_chain_good_leaf_revoked_and_ocsp_fallback() {
    let files: Files = Arc::default();
    let _server = serve_10086(files.clone());
    let chain = upstream_chain();
    assert_eq!(chain.len(), 3);
    let (v, counting) = validator(RevocationMode::OcspWithCrlFallback);
    {
        set_files(
            &files,
            &[
                ("/leaf.crl", "leaf.crl"),
                ("/intermediate.crl", "intermediate.crl"),
            ],
        );
        let r = v.validate(&chain, Purpose::CodeSigning, None);
        assert_eq!(message(&r), None, "{r:#?}");
        assert_eq!(r.certificates[0].method, RevocationMethod::Crl);
        assert_eq!(
            r.certificates[0].servers[0].server,
            "http://localhost:10086/leaf.crl"
        );
        // The intermediate's OCSP server (localhost.test) never resolves: CRL fallback.
        let int = &r.certificates[1];
        assert_eq!(int.method, RevocationMethod::OcspFallbackCrl);
        assert_eq!(int.status, RevocationStatus::Ok);
        assert_eq!(int.servers[0].server, "http://localhost.test/ocsp");
        assert!(int.servers[0]
            .error
            .as_deref()
            .unwrap()
            .starts_with("error checking revocation status via OCSP: Get \"http://localhost.test/ocsp/MEMwQTA%2FMD0wOzAJBgUrDgMCGgUABBS7w0IpnE%2Bnr7K%2BWdALU7UHl2LGiQQUrK2Cr8DoCv7o956MYv7dK6chbxACAhAC\": ")
            || int.servers[0].error.as_deref() == Some("exceeded timeout threshold of 2.00 seconds for OCSP check"));
        assert_eq!(
            int.servers[1].server,
            "http://localhost:10086/intermediate.crl"
        );
        assert_eq!(r.certificates[2].status, RevocationStatus::NonRevokable);
        // The OCSP GET is exactly the request notation-go sent for this certificate.
        assert!(counting.requests.lock().unwrap().contains(
            &"http://localhost.test/ocsp/MEMwQTA%2FMD0wOzAJBgUrDgMCGgUABBS7w0IpnE%2Bnr7K%2BWdALU7UHl2LGiQQUrK2Cr8DoCv7o956MYv7dK6chbxACAhAC".to_string()
        ));
    }
    {
        set_files(
            &files,
            &[
                ("/leaf.crl", "leaf_revoked.crl"),
                ("/intermediate.crl", "intermediate.crl"),
            ],
        );
        let r = v.validate(&chain, Purpose::CodeSigning, None);
        assert_eq!(
            message(&r).as_deref(),
            Some("signing certificate with subject \"CN=LeafCert,OU=OrgUnit,O=Organization,L=City,ST=State,C=US\" is revoked")
        );
        assert_eq!(r.certificates[0].status, RevocationStatus::Revoked);
        assert_eq!(r.certificates[1].status, RevocationStatus::Ok);
    }
    {
        // The CRLs are gone (404): the leaf's CRL cannot be fetched → unknown.
        set_files(&files, &[]);
        let r = v.validate(&chain, Purpose::CodeSigning, None);
        assert_eq!(
            message(&r).as_deref(),
            Some("signing certificate with subject \"CN=LeafCert,OU=OrgUnit,O=Organization,L=City,ST=State,C=US\" revocation status is unknown")
        );
        let error = r.certificates[0].servers[0].error.clone().unwrap();
        assert_eq!(
            error,
            "failed to download CRL from http://localhost:10086/leaf.crl: failed to retrieve CRL: failed to download with status code: 404"
        );
    }
}

#[test]
#[cfg_attr(
    not(feature = "upstream-vectors"),
    ignore = "needs ../shared/upstream-vectors: run with --features upstream-vectors (scripts/test does)"
)]
fn upstream_freshest_crl_extension_vectors() {
    use fluxverify::pki::revocation::parse_crl_distribution_points;
    let dir = upstream::upstream("notation-core-go/revocation/crl/testdata");
    let freshest = |file: &str| {
        let pem = std::fs::read(dir.join(file)).unwrap();
        let der = x509_cert::Certificate::load_pem_chain(&pem).unwrap()[0].to_der_vec();
        let cert = Certificate::from_der(&der).unwrap();
        let oid = const_oid::ObjectIdentifier::new_unwrap("2.5.29.46");
        let ext = cert.extension(&oid).expect("freshestCRL extension").clone();
        parse_crl_distribution_points(ext.extn_value.as_bytes())
    };
    let one = freshest("certificateWithDeltaCRL.cer").unwrap();
    assert_eq!(one.len(), 1);
    assert!(one[0].starts_with("http://localhost:80"), "{one:?}");
    assert_eq!(
        freshest("certificateWithZeroDeltaCRLURL.cer")
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        freshest("certificateWithIncompleteFreshestCRL.cer"),
        Err("x509: invalid CRL distribution point")
    );
    assert_eq!(
        freshest("certificateWithIncompleteFreshestCRL2.cer")
            .unwrap()
            .len(),
        0
    );
}

trait ToDerVec {
    fn to_der_vec(&self) -> Vec<u8>;
}

impl ToDerVec for x509_cert::Certificate {
    fn to_der_vec(&self) -> Vec<u8> {
        use der::Encode;
        self.to_der().unwrap()
    }
}

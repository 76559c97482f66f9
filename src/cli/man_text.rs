//! The man page sections clap does not generate: each page's EXIT STATUS (the exit codes of
//! docs/cli.md, as they apply to that command) and EXAMPLES.

/// An exit code and what it means for the command.
pub type Status = (u8, &'static str);

/// What an example does, and its command line.
pub type Example = (&'static str, &'static str);

/// The hand-written sections of one page.
#[derive(Debug, Clone, Copy)]
pub struct PageText {
    /// EXIT STATUS, by code.
    pub exit_status: &'static [Status],
    /// EXAMPLES, in reading order.
    pub examples: &'static [Example],
}

/// Exit 2, for every command that reads local input or a registry.
const COULD_NOT_RUN: Status = (
    2,
    "The command could not run or could not decide: bad flags or input (an unreadable or malformed file, a reference the registry or layout does not hold), or the registry could not be read (DNS, connect, TLS, 401/403, 429, 5xx, the time limit).",
);

/// Exit 2 of the commands that read only local files.
const BAD_INPUT: Status = (
    2,
    "The command could not run: bad flags, or an unreadable or malformed file.",
);

const VERIFY_EXIT: &[Status] = &[
    (0, "Verified (notation mode: also a trust policy level skip, unless --strict)."),
    (1, "Verification failed: Flux would set SourceVerified=False (notation: the CLI would fail), because of the signatures, the policy or the trust material; with --strict also what would otherwise exit 3 or be skipped."),
    (2, "Could not decide: bad flags, an unreadable or malformed file, a registry that could not be read, or a keyless cosign signature that only Rekor online could verify (no Rekor bundle annotation)."),
    (3, "Ignored (flux mode): Flux accepts the artifact without setting SourceVerified (level skip, or an authenticity failure that is only logged)."),
];

const SCAN_EXIT: &[Status] = &[
    (0, "No source failed and none could not be decided (ignored and skipped sources included, unless --strict)."),
    (1, "A source fails as Flux would fail it (SourceVerified=False); with --strict also a skipped or ignored source, or nothing to verify at all."),
    (2, "No source failed but one could not be decided (its Secret missing or encrypted, its registry unreachable, its file unparsable, its Kustomization not built, its keyless cosign signature needing Rekor online); or bad flags or paths (the report of -o json|junit|github|sarif then says so, without rows)."),
    (130, "Stopped by SIGINT (Ctrl-C): the report holds the rows finished by then and the error."),
    (143, "Stopped by SIGTERM: as for SIGINT."),
];

const LIST_EXIT: &[Status] = &[(0, "The signatures were listed."), COULD_NOT_RUN];

const INSPECT_EXIT: &[Status] = &[
    (0, "The signatures were shown."),
    (
        1,
        "A signature could not be shown (it was skipped, and the output says which).",
    ),
    COULD_NOT_RUN,
];

const POLICY_CHECK_EXIT: &[Status] = &[
    (0, "The trust material is valid (warnings and lint hints may still be printed)."),
    (1, "The trust policy or the certificates are invalid as Flux (or notation) reads them; with --ocirepository also when Flux would fail that source offline."),
    BAD_INPUT,
];

const POLICY_SHOW_EXIT: &[Status] = &[
    (0, "The trust policy was printed."),
    (
        1,
        "The trust policy was printed but is invalid: Flux and notation reject it.",
    ),
    BAD_INPUT,
];

const POLICY_EXPLAIN_EXIT: &[Status] = &[
    (0, "A statement applies to the reference and was explained."),
    (
        1,
        "The trust material is invalid, or no statement applies to the reference (Flux fails it).",
    ),
    BAD_INPUT,
];

const POLICY_EXIT: &[Status] = &[
    (0, "The command did its job and found nothing wrong."),
    (1, "The trust material is invalid as Flux (or notation) reads it, or (explain) no statement applies to the reference."),
    BAD_INPUT,
];

const CERTS_EXIT: &[Status] = &[
    (0, "Every certificate was read."),
    (
        1,
        "A certificate or trust store entry is unusable as Flux (or notation) reads it.",
    ),
    BAD_INPUT,
];

const ENVELOPE_VERIFY_EXIT: &[Status] = &[
    (0, "The envelope verifies for the artifact."),
    (
        1,
        "Verification of the envelope fails as Flux (or notation) would fail it.",
    ),
    BAD_INPUT,
    (
        3,
        "Ignored (flux mode): Flux would accept the artifact without setting SourceVerified.",
    ),
];

const ENVELOPE_EXIT: &[Status] = &[
    (0, "The envelope verifies for the artifact (verify), or was shown (inspect)."),
    (1, "Verification of the envelope fails as Flux (or notation) would fail it."),
    BAD_INPUT,
    (3, "Ignored (verify, flux mode): Flux would accept the artifact without setting SourceVerified."),
];

const ENVELOPE_INSPECT_EXIT: &[Status] = &[(0, "The envelope was shown."), BAD_INPUT];

const GENERATED_EXIT: &[Status] = &[
    (0, "The text was written."),
    (2, "Bad flags, or it could not be written."),
];

/// Every exit code, for the top-level and group pages.
const ALL_EXIT: &[Status] = &[
    (0, "Verified, or the command did its job and found nothing wrong."),
    (1, "Verification failed (Flux would set SourceVerified=False), or policy check found the trust material invalid."),
    COULD_NOT_RUN,
    (3, "Ignored (verify, flux mode): Flux accepts the artifact without setting SourceVerified."),
];

const SCAN_EXAMPLES: &[Example] = &[
    ("Verify every signed source the clusters of the repository in the current directory apply, built as Flux builds them:", "fluxverify scan ."),
    ("One cluster, in a CI gate where every source must be verified (skipped and ignored sources fail):", "fluxverify scan clusters/production --strict"),
    ("A JUnit report for GitLab, and GitHub Actions annotations:", "fluxverify scan . --strict -o junit > fluxverify.xml\nfluxverify scan . --strict -o github"),
    ("A stream of built documents on standard input:", "kustomize build clusters/production | fluxverify scan -"),
    ("Files read one by one, nothing fetched (what the trust material alone decides):", "fluxverify scan --files --offline manifests/"),
];

const VERIFY_EXAMPLES: &[Example] = &[
    ("Notary Project signatures with the Secret Flux reads (trustpolicy.json and the certificates):", "fluxverify verify ghcr.io/org/app:v1 --secret notation-config.yaml"),
    ("What Flux does for an OCIRepository object (url, ref, insecure, verify.secretRef from the file, which may hold the Secret too):", "fluxverify verify --ocirepository ocirepository.yaml"),
    ("cosign with a static key, or keyless with the identity Flux's matchOIDCIdentity names:", "fluxverify verify ghcr.io/org/app:v1 --verify-provider cosign --key cosign.pub\nfluxverify verify ghcr.io/org/app:v1 --verify-provider cosign \\\n    --certificate-identity-regexp '^https://github.com/org/' \\\n    --certificate-oidc-issuer-regexp '^https://token.actions.githubusercontent.com$'"),
    ("An OCI image layout on disk (the example shipped in the repository), as source-controller 1.6 (Flux 2.6) would verify it:", "fluxverify verify --oci-layout fixtures/example/layout --scope registry.example/app \\\n    --secret fixtures/example/secret.yaml --flux-version 2.6 v1"),
    ("As the notation CLI would, with named trust stores:", "fluxverify verify --mode notation --trust-policy trustpolicy.json \\\n    --certs ca:acme=root.crt ghcr.io/org/app@sha256:..."),
];

const LIST_EXAMPLES: &[Example] = &[
    ("The signature manifests of an artifact, as notation ls prints them (cosign's follow):", "fluxverify ls ghcr.io/org/app:v1"),
    ("From an OCI image layout, as JSON:", "fluxverify ls --oci-layout fixtures/example/layout --scope registry.example/app v1 -o json"),
];

const INSPECT_EXAMPLES: &[Example] = &[
    (
        "The signature envelopes of an artifact, as notation inspect shows them:",
        "fluxverify inspect ghcr.io/org/app@sha256:...",
    ),
    (
        "As notation's JSON:",
        "fluxverify inspect ghcr.io/org/app:v1 -o json",
    ),
];

const POLICY_EXAMPLES: &[Example] = &[
    ("Validate the Secret's trust policy and certificates; Flux's clean-up warnings and lint hints:", "fluxverify policy check --secret notation-config.yaml"),
    ("Print the decoded trust policy, and explain which statement applies to an artifact:", "fluxverify policy show --secret notation-config.yaml\nfluxverify policy explain --secret notation-config.yaml ghcr.io/org/app@sha256:..."),
];

const POLICY_CHECK_EXAMPLES: &[Example] = &[
    ("Validate the Secret's trust policy and certificates:", "fluxverify policy check --secret notation-config.yaml"),
    ("Check the material against an OCIRepository's url, offline (the Secret may be in the same file):", "fluxverify policy check --ocirepository ocirepository.yaml"),
    ("A trustpolicy.json alone, as the notation CLI reads it:", "fluxverify policy check --trust-policy trustpolicy.json --mode notation"),
];

const POLICY_SHOW_EXAMPLES: &[Example] = &[
    ("The trust policy a Secret holds, decoded:", "fluxverify policy show --secret notation-config.yaml"),
    ("As JSON, from kubectl:", "kubectl get secret -n flux-system notation-config -o yaml | fluxverify policy show --secret - -o json"),
];

const POLICY_EXPLAIN_EXAMPLES: &[Example] = &[
    ("Which statement applies to an artifact, its effective actions and the certificates consulted:", "fluxverify policy explain --secret notation-config.yaml ghcr.io/org/app@sha256:..."),
    ("An OCIRepository's url works too:", "fluxverify policy explain --trust-policy trustpolicy.json --certs certs/ oci://ghcr.io/org/app"),
];

const CERTS_EXAMPLES: &[Example] = &[
    (
        "The certificates of a Secret as Flux will use them:",
        "fluxverify certs --secret notation-config.yaml",
    ),
    (
        "A directory of certificates, as JSON:",
        "fluxverify certs --certs certs/ -o json",
    ),
];

const ENVELOPE_EXAMPLES: &[Example] = &[
    ("Verify a signature envelope pulled by hand against the artifact it should sign:", "fluxverify envelope verify signature.jws --reference ghcr.io/org/app@sha256:... \\\n    --subject @subject.json --secret notation-config.yaml"),
    ("Show an envelope's contents:", "fluxverify envelope inspect signature.cose -o json"),
];

const ENVELOPE_VERIFY_EXAMPLES: &[Example] = &[
    ("Verify a JWS envelope against the artifact's descriptor, with the Secret Flux reads:", "fluxverify envelope verify signature.jws --reference ghcr.io/org/app@sha256:... \\\n    --subject @subject.json --secret notation-config.yaml"),
    ("A COSE envelope, as the notation CLI would verify it, as JSON:", "fluxverify envelope verify signature.cose --media-type application/cose \\\n    --reference ghcr.io/org/app@sha256:... --subject @subject.json \\\n    --mode notation --trust-policy trustpolicy.json --certs ca:acme=root.crt -o json"),
];

const ENVELOPE_INSPECT_EXAMPLES: &[Example] = &[
    (
        "An envelope's payload, signer certificates and attributes:",
        "fluxverify envelope inspect signature.jws",
    ),
    (
        "As JSON:",
        "fluxverify envelope inspect signature.cose -o json",
    ),
];

const COMPLETIONS_EXAMPLES: &[Example] = &[
    ("Install the completion script for bash, or for zsh:", "fluxverify completions bash > ~/.local/share/bash-completion/completions/fluxverify\nfluxverify completions zsh > \"${fpath[1]}/_fluxverify\""),
];

const VERSION_EXAMPLES: &[Example] = &[(
    "The version and the Sigstore trusted root keyless cosign uses (the shipped snapshot, or a --refresh-root update):",
    "fluxverify version",
)];

const MAN_EXAMPLES: &[Example] = &[(
    "Read the main page, or install every page:",
    "fluxverify man | man -l -\nfluxverify man --dir /usr/local/share/man/man1",
)];

const TOP_EXAMPLES: &[Example] = &[
    ("Verify every signed source of a GitOps repository, as a CI gate:", "fluxverify scan . --strict"),
    ("One artifact, as Flux would verify it with notation or cosign:", "fluxverify verify ghcr.io/org/app:v1 --secret notation-config.yaml\nfluxverify verify ghcr.io/org/app:v1 --verify-provider cosign --key cosign.pub"),
    ("The example shipped in the repository, offline:", "fluxverify verify --oci-layout fixtures/example/layout --scope registry.example/app \\\n    --secret fixtures/example/secret.yaml v1"),
];

/// The sections of the page named `name` (`fluxverify`, `fluxverify-scan`,
/// `fluxverify-policy-check`, ...); `None` for a page without them, which `man` refuses.
pub fn for_page(name: &str) -> Option<PageText> {
    let (exit_status, examples) = match name.strip_prefix("fluxverify")? {
        "" => (ALL_EXIT, TOP_EXAMPLES),
        "-scan" => (SCAN_EXIT, SCAN_EXAMPLES),
        "-verify" => (VERIFY_EXIT, VERIFY_EXAMPLES),
        "-ls" => (LIST_EXIT, LIST_EXAMPLES),
        "-inspect" => (INSPECT_EXIT, INSPECT_EXAMPLES),
        "-policy" => (POLICY_EXIT, POLICY_EXAMPLES),
        "-policy-check" => (POLICY_CHECK_EXIT, POLICY_CHECK_EXAMPLES),
        "-policy-show" => (POLICY_SHOW_EXIT, POLICY_SHOW_EXAMPLES),
        "-policy-explain" => (POLICY_EXPLAIN_EXIT, POLICY_EXPLAIN_EXAMPLES),
        "-certs" => (CERTS_EXIT, CERTS_EXAMPLES),
        "-envelope" => (ENVELOPE_EXIT, ENVELOPE_EXAMPLES),
        "-envelope-verify" => (ENVELOPE_VERIFY_EXIT, ENVELOPE_VERIFY_EXAMPLES),
        "-envelope-inspect" => (ENVELOPE_INSPECT_EXIT, ENVELOPE_INSPECT_EXAMPLES),
        "-completions" => (GENERATED_EXIT, COMPLETIONS_EXAMPLES),
        "-man" => (GENERATED_EXIT, MAN_EXAMPLES),
        "-version" => (GENERATED_EXIT, VERSION_EXAMPLES),
        _ => return None,
    };
    Some(PageText {
        exit_status,
        examples,
    })
}

# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_fluxverify_global_optspecs
    string join \n v/verbose h/help V/version
end

function __fish_fluxverify_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_fluxverify_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_fluxverify_using_subcommand
    set -l cmd (__fish_fluxverify_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c fluxverify -n "__fish_fluxverify_needs_command" -s v -l verbose -d 'Log what is done on stderr: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature\'s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as `fluxverify=debug`) take precedence'
complete -c fluxverify -n "__fish_fluxverify_needs_command" -s h -l help -d 'Print help'
complete -c fluxverify -n "__fish_fluxverify_needs_command" -s V -l version -d 'Print version'
complete -c fluxverify -n "__fish_fluxverify_needs_command" -f -a "scan" -d 'Verify every signed source of a GitOps tree as Flux will (OCIRepository, OCI HelmChart, HelmRelease): one CI gate'
complete -c fluxverify -n "__fish_fluxverify_needs_command" -f -a "verify" -d 'Verify an artifact\'s signatures the way Flux (or notation) would'
complete -c fluxverify -n "__fish_fluxverify_needs_command" -f -a "ls" -d 'List the signature manifests of an artifact (notation ls)'
complete -c fluxverify -n "__fish_fluxverify_needs_command" -f -a "inspect" -d 'Show the signature envelopes of an artifact (notation inspect)'
complete -c fluxverify -n "__fish_fluxverify_needs_command" -f -a "policy" -d 'Check, show or explain a trust policy'
complete -c fluxverify -n "__fish_fluxverify_needs_command" -f -a "certs" -d 'Show the certificates of the trust material as Flux will use them'
complete -c fluxverify -n "__fish_fluxverify_needs_command" -f -a "envelope" -d 'Verify or inspect a single signature envelope file'
complete -c fluxverify -n "__fish_fluxverify_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c fluxverify -n "__fish_fluxverify_needs_command" -f -a "version" -d 'Print the version and the Sigstore public-good trusted root in use (shipped snapshot or cached TUF refresh)'
complete -c fluxverify -n "__fish_fluxverify_needs_command" -f -a "man" -d 'Print the man page (fluxverify.1), or write every page (one per command) into DIR'
complete -c fluxverify -n "__fish_fluxverify_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand scan" -l root -d 'The repository root Flux Kustomization paths are relative to (default: found from the bootstrap Kustomization, else the git top level)' -r -F
complete -c fluxverify -n "__fish_fluxverify_using_subcommand scan" -l source -d 'The GitRepository (`GitRepository/NAMESPACE/NAME`) the clusters sync this repository through (default: the one the bootstrap Kustomization names)' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand scan" -l kustomize -d 'The kustomize to run (`kustomize`, `kubectl`, a path; default: `kustomize`, else `kubectl kustomize`)' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand scan" -l secret -d 'A Secret manifest searched first for the sources\' `verify.secretRef`; repeatable' -r -F
complete -c fluxverify -n "__fish_fluxverify_using_subcommand scan" -l flux-version -d 'source-controller release to reproduce: 1.3 ... 1.9, or Flux 2.3 ... 2.9' -r -f -a "1.3\t'source-controller 1.3 (Flux 2.3)'
1.4\t'source-controller 1.4 (Flux 2.4)'
1.5\t'source-controller 1.5 (Flux 2.5)'
1.6\t'source-controller 1.6 (Flux 2.6)'
1.7\t'source-controller 1.7 (Flux 2.7)'
1.8\t'source-controller 1.8 (Flux 2.8)'
1.9\t'source-controller 1.9 (Flux 2.9)'
2.3\t'Flux 2.3 (source-controller 1.3)'
2.4\t'Flux 2.4 (source-controller 1.4)'
2.5\t'Flux 2.5 (source-controller 1.5)'
2.6\t'Flux 2.6 (source-controller 1.6)'
2.7\t'Flux 2.7 (source-controller 1.7)'
2.8\t'Flux 2.8 (source-controller 1.8)'
2.9\t'Flux 2.9 (source-controller 1.9)'"
complete -c fluxverify -n "__fish_fluxverify_using_subcommand scan" -s j -l jobs -d 'Verifications in flight at most' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand scan" -l trusted-root -d 'Keyless cosign: the Sigstore trusted_root.json to verify with instead of the public-good root (a manifest\'s trustedRootSecretRef still comes first)' -r -F
complete -c fluxverify -n "__fish_fluxverify_using_subcommand scan" -l tuf-root -d 'With --refresh-root: the TUF root.json the chain of roots starts from when the cache holds none, instead of the one shipped with fluxverify (Sigstore\'s v10)' -r -F
complete -c fluxverify -n "__fish_fluxverify_using_subcommand scan" -l tuf-url -d 'The TUF mirror --refresh-root reads (a test repository)' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand scan" -l ca-file -d 'PEM file of CA certificates to trust for the registry\'s TLS' -r -F
complete -c fluxverify -n "__fish_fluxverify_using_subcommand scan" -s u -l username -d 'Registry user name' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand scan" -s p -l password -d 'Registry password or token' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand scan" -s o -l output -d 'Output format' -r -f -a "text\t'A table, the conditions of failures, a summary line'
json\t'One JSON object: `resources` and `summary`'
junit\t'JUnit XML (GitLab / GitHub test reports)'
github\t'GitHub Actions workflow commands, then the table'
sarif\t'SARIF 2.1.0 (GitHub code scanning): a result per source not verified'"
complete -c fluxverify -n "__fish_fluxverify_using_subcommand scan" -l provider -d '`aws`, `azure`, `gcp` or `generic`: get registry credentials from this cloud provider\'s CLI for every source, instead of each source\'s `spec.provider`, when none are configured (flags, Docker config) [default: each source\'s spec.provider]' -r -f -a "generic\t''
aws\t''
azure\t''
gcp\t''"
complete -c fluxverify -n "__fish_fluxverify_using_subcommand scan" -l timeout -d 'Time limit of each source whose manifest sets no `spec.timeout` (its requests, the auth round trips, the signature checks), in Go duration syntax: `60s`, `1m30s`, `500ms`. When it expires that source\'s row is an error naming the request that was waiting [default: 60s, as Flux]' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand scan" -l files -d 'Read the files one by one instead of building them (for trees kustomize cannot build): overlays, patches and substitutions are then not applied'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand scan" -l offline -d 'Fetch nothing: report only what the trust material decides whatever the registry holds'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand scan" -l strict -d 'Every source must be verified: `skipped` and `ignored` are failures'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand scan" -l check-claims -d 'cosign sources: check the claims as `cosign verify` does, refusing what Flux accepts laxly: a classic signature whose payload names another digest than the artifact\'s (a `failed` row)'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand scan" -l refresh-root -d 'Keyless cosign: update the public-good trusted root through Sigstore\'s TUF repository before verifying (the only network fetch besides the registry), caching it under $XDG_CACHE_HOME/fluxverify (else ~/.cache/fluxverify) for later runs'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand scan" -l insecure-skip-tls-verify -d 'Do not verify the registry\'s TLS certificate'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand scan" -l plain-http -d 'Use plain HTTP for every source\'s registry, as if each source set `insecure: true`'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand scan" -s v -l verbose -d 'Log what is done on stderr: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature\'s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as `fluxverify=debug`) take precedence'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand scan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand scan" -s V -l version -d 'Print version'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -l ocirepository -d 'An OCIRepository manifest to take url, ref, insecure and verify.secretRef from' -r -F
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -l secret -d 'Kubernetes Secret manifest (YAML or JSON, `-` for stdin) holding `trustpolicy.json` and certificates' -r -F
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -l secret-name -d 'Name of the Secret to use when the file holds several that carry `trustpolicy.json`' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -l trust-policy -d 'A `trustpolicy.json` file' -r -F
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -l certs -d 'Certificate file or directory (`*.crt`, `*.pem`); repeatable. In notation mode also `TYPE:NAME=PATH`' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -l mode -d 'Reproduce Flux source-controller (default; --flux-version picks the release) or the notation CLI' -r -f -a "flux\t'Flux source-controller'
notation\t'The notation CLI'"
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -l flux-version -d 'source-controller release to reproduce: 1.3 ... 1.9, or Flux 2.3 ... 2.9' -r -f -a "1.3\t'source-controller 1.3 (Flux 2.3)'
1.4\t'source-controller 1.4 (Flux 2.4)'
1.5\t'source-controller 1.5 (Flux 2.5)'
1.6\t'source-controller 1.6 (Flux 2.6)'
1.7\t'source-controller 1.7 (Flux 2.7)'
1.8\t'source-controller 1.8 (Flux 2.8)'
1.9\t'source-controller 1.9 (Flux 2.9)'
2.3\t'Flux 2.3 (source-controller 1.3)'
2.4\t'Flux 2.4 (source-controller 1.4)'
2.5\t'Flux 2.5 (source-controller 1.5)'
2.6\t'Flux 2.6 (source-controller 1.6)'
2.7\t'Flux 2.7 (source-controller 1.7)'
2.8\t'Flux 2.8 (source-controller 1.8)'
2.9\t'Flux 2.9 (source-controller 1.9)'"
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -l max-signatures -d 'Maximum number of signatures to evaluate (notation mode; Flux always uses 3)' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -s m -l user-metadata -d '`key=value` that must be in the signature\'s user metadata (notation mode); repeatable' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -l ca-file -d 'PEM file of CA certificates to trust for the registry\'s TLS' -r -F
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -s u -l username -d 'Registry user name' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -s p -l password -d 'Registry password or token' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -l oci-layout -d 'OCI image layout directory holding the artifact and its signatures' -r -F
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -l scope -d '`registry/repository` that trust policy scopes are matched against (with --oci-layout; not needed when REFERENCE is a full `registry/repository@sha256:...`)' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -l verify-provider -d 'Which signatures to verify, as Flux\'s `spec.verify.provider` [default: notation; with --ocirepository: its spec.verify.provider]' -r -f -a "notation\t'Notary Project signatures'
cosign\t'cosign signatures (static keys or keyless)'"
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -l key -d 'A cosign public key (PEM) to verify with; repeatable (with or instead of --secret, whose data keys ending in `.pub` are the keys)' -r -F
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -l certificate-identity-regexp -d 'Keyless cosign: a Go regular expression the certificate\'s subject (SAN) must match; repeatable, paired in order with --certificate-oidc-issuer-regexp (as matchOIDCIdentity)' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -l certificate-oidc-issuer-regexp -d 'Keyless cosign: a Go regular expression the certificate\'s OIDC issuer must match; repeatable, paired in order with --certificate-identity-regexp' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -l trusted-root -d 'Keyless cosign: the Sigstore trusted_root.json to verify with instead of the public-good root (a manifest\'s trustedRootSecretRef still comes first)' -r -F
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -l tuf-root -d 'With --refresh-root: the TUF root.json the chain of roots starts from when the cache holds none, instead of the one shipped with fluxverify (Sigstore\'s v10)' -r -F
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -l tuf-url -d 'The TUF mirror --refresh-root reads (a test repository)' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -s o -l output -d 'Output format' -r -f -a "text\t'Human-readable text'
json\t'One JSON object on stdout'
sarif\t'SARIF 2.1.0 (GitHub code scanning): one result unless verified'"
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -l provider -d '`aws`, `azure`, `gcp` or `generic`: get registry credentials from this cloud provider\'s CLI when none are configured (flags, Docker config), as Flux\'s `spec.provider` does [default: generic; with --ocirepository: its spec.provider]' -r -f -a "generic\t''
aws\t''
azure\t''
gcp\t''"
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -l timeout -d 'Time limit of the whole run (every request, the auth round trips, the signature checks), in Go duration syntax as Flux\'s `spec.timeout`: `60s`, `1m30s`, `500ms`. When it expires the result is an error (exit 2) naming the request that was waiting [default: 60s; with --ocirepository: its spec.timeout, which this flag overrides]' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -l plain-http -d 'Use plain HTTP (what `insecure: true` means for Flux\'s signature calls)'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -l insecure-skip-tls-verify -d 'Do not verify the registry\'s TLS certificate'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -l strict -d 'The artifact must be verified: what Flux would accept without setting `SourceVerified` (exit 3, ignored) and a `skip` level in notation mode fail instead (exit 1)'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -l check-claims -d 'cosign: check the claims as `cosign verify` does, refusing what Flux accepts laxly: a classic signature whose payload names another digest than the artifact\'s'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -l refresh-root -d 'Keyless cosign: update the public-good trusted root through Sigstore\'s TUF repository before verifying (the only network fetch besides the registry), caching it under $XDG_CACHE_HOME/fluxverify (else ~/.cache/fluxverify) for later runs'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -s v -l verbose -d 'Log what is done on stderr: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature\'s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as `fluxverify=debug`) take precedence'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand verify" -s V -l version -d 'Print version'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand ls" -l ca-file -d 'PEM file of CA certificates to trust for the registry\'s TLS' -r -F
complete -c fluxverify -n "__fish_fluxverify_using_subcommand ls" -s u -l username -d 'Registry user name' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand ls" -s p -l password -d 'Registry password or token' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand ls" -l provider -d '`aws`, `azure`, `gcp` or `generic`: get registry credentials from this cloud provider\'s CLI when none are configured (flags, Docker config), as Flux\'s `spec.provider` does [default: generic]' -r -f -a "generic\t''
aws\t''
azure\t''
gcp\t''"
complete -c fluxverify -n "__fish_fluxverify_using_subcommand ls" -l timeout -d 'Time limit of the whole run (every request and the auth round trips), in Go duration syntax as Flux\'s `spec.timeout`: `60s`, `1m30s`, `500ms`. When it expires the result is an error (exit 2) naming the request that was waiting [default: 60s]' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand ls" -l oci-layout -d 'OCI image layout directory holding the artifact and its signatures' -r -F
complete -c fluxverify -n "__fish_fluxverify_using_subcommand ls" -l max-signatures -d 'Maximum number of signatures to list' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand ls" -s o -l output -d 'Output format' -r -f -a "text\t'Human-readable text'
json\t'One JSON object on stdout'"
complete -c fluxverify -n "__fish_fluxverify_using_subcommand ls" -l scope -d '`registry/repository` the layout\'s artifact belongs to (with --oci-layout; not needed when REFERENCE is a full `registry/repository@sha256:...`)' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand ls" -l plain-http -d 'Use plain HTTP (what `insecure: true` means for Flux\'s signature calls)'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand ls" -l insecure-skip-tls-verify -d 'Do not verify the registry\'s TLS certificate'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand ls" -s v -l verbose -d 'Log what is done on stderr: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature\'s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as `fluxverify=debug`) take precedence'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand ls" -s V -l version -d 'Print version'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand inspect" -l ca-file -d 'PEM file of CA certificates to trust for the registry\'s TLS' -r -F
complete -c fluxverify -n "__fish_fluxverify_using_subcommand inspect" -s u -l username -d 'Registry user name' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand inspect" -s p -l password -d 'Registry password or token' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand inspect" -l provider -d '`aws`, `azure`, `gcp` or `generic`: get registry credentials from this cloud provider\'s CLI when none are configured (flags, Docker config), as Flux\'s `spec.provider` does [default: generic]' -r -f -a "generic\t''
aws\t''
azure\t''
gcp\t''"
complete -c fluxverify -n "__fish_fluxverify_using_subcommand inspect" -l timeout -d 'Time limit of the whole run (every request and the auth round trips), in Go duration syntax as Flux\'s `spec.timeout`: `60s`, `1m30s`, `500ms`. When it expires the result is an error (exit 2) naming the request that was waiting [default: 60s]' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand inspect" -l oci-layout -d 'OCI image layout directory holding the artifact and its signatures' -r -F
complete -c fluxverify -n "__fish_fluxverify_using_subcommand inspect" -s o -l output -d 'Output format' -r -f -a "text\t'Human-readable text'
json\t'One JSON object on stdout'"
complete -c fluxverify -n "__fish_fluxverify_using_subcommand inspect" -l scope -d '`registry/repository` the layout\'s artifact belongs to (with --oci-layout; not needed when REFERENCE is a full `registry/repository@sha256:...`)' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand inspect" -l max-signatures -d 'Maximum number of signatures to show' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand inspect" -l plain-http -d 'Use plain HTTP (what `insecure: true` means for Flux\'s signature calls)'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand inspect" -l insecure-skip-tls-verify -d 'Do not verify the registry\'s TLS certificate'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand inspect" -s v -l verbose -d 'Log what is done on stderr: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature\'s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as `fluxverify=debug`) take precedence'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand inspect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand inspect" -s V -l version -d 'Print version'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and not __fish_seen_subcommand_from check show explain help" -s v -l verbose -d 'Log what is done on stderr: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature\'s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as `fluxverify=debug`) take precedence'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and not __fish_seen_subcommand_from check show explain help" -s h -l help -d 'Print help'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and not __fish_seen_subcommand_from check show explain help" -s V -l version -d 'Print version'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and not __fish_seen_subcommand_from check show explain help" -f -a "check" -d 'Validate the trust policy; report Flux clean-up warnings and lint hints'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and not __fish_seen_subcommand_from check show explain help" -f -a "show" -d 'Print the decoded trust policy'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and not __fish_seen_subcommand_from check show explain help" -f -a "explain" -d 'Explain which statement applies to REFERENCE, its effective actions and certificates'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and not __fish_seen_subcommand_from check show explain help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from check" -l secret -d 'Kubernetes Secret manifest (YAML or JSON, `-` for stdin) holding `trustpolicy.json` and certificates' -r -F
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from check" -l secret-name -d 'Name of the Secret to use when the file holds several that carry `trustpolicy.json`' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from check" -l trust-policy -d 'A `trustpolicy.json` file' -r -F
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from check" -l certs -d 'Certificate file or directory (`*.crt`, `*.pem`); repeatable. In notation mode also `TYPE:NAME=PATH`' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from check" -l mode -d 'Reproduce Flux source-controller (default; --flux-version picks the release) or the notation CLI' -r -f -a "flux\t'Flux source-controller'
notation\t'The notation CLI'"
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from check" -l flux-version -d 'source-controller release to reproduce: 1.3 ... 1.9, or Flux 2.3 ... 2.9' -r -f -a "1.3\t'source-controller 1.3 (Flux 2.3)'
1.4\t'source-controller 1.4 (Flux 2.4)'
1.5\t'source-controller 1.5 (Flux 2.5)'
1.6\t'source-controller 1.6 (Flux 2.6)'
1.7\t'source-controller 1.7 (Flux 2.7)'
1.8\t'source-controller 1.8 (Flux 2.8)'
1.9\t'source-controller 1.9 (Flux 2.9)'
2.3\t'Flux 2.3 (source-controller 1.3)'
2.4\t'Flux 2.4 (source-controller 1.4)'
2.5\t'Flux 2.5 (source-controller 1.5)'
2.6\t'Flux 2.6 (source-controller 1.6)'
2.7\t'Flux 2.7 (source-controller 1.7)'
2.8\t'Flux 2.8 (source-controller 1.8)'
2.9\t'Flux 2.9 (source-controller 1.9)'"
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from check" -s o -l output -d 'Output format' -r -f -a "text\t'Human-readable text'
json\t'One JSON object on stdout'"
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from check" -l ocirepository -d 'An OCIRepository manifest whose url the material is checked against, offline (its verify.secretRef is taken from the file when no --secret / --trust-policy is given)' -r -F
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from check" -s v -l verbose -d 'Log what is done on stderr: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature\'s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as `fluxverify=debug`) take precedence'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from show" -l secret -d 'Kubernetes Secret manifest (YAML or JSON, `-` for stdin) holding `trustpolicy.json` and certificates' -r -F
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from show" -l secret-name -d 'Name of the Secret to use when the file holds several that carry `trustpolicy.json`' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from show" -l trust-policy -d 'A `trustpolicy.json` file' -r -F
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from show" -l certs -d 'Certificate file or directory (`*.crt`, `*.pem`); repeatable. In notation mode also `TYPE:NAME=PATH`' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from show" -l mode -d 'Reproduce Flux source-controller (default; --flux-version picks the release) or the notation CLI' -r -f -a "flux\t'Flux source-controller'
notation\t'The notation CLI'"
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from show" -l flux-version -d 'source-controller release to reproduce: 1.3 ... 1.9, or Flux 2.3 ... 2.9' -r -f -a "1.3\t'source-controller 1.3 (Flux 2.3)'
1.4\t'source-controller 1.4 (Flux 2.4)'
1.5\t'source-controller 1.5 (Flux 2.5)'
1.6\t'source-controller 1.6 (Flux 2.6)'
1.7\t'source-controller 1.7 (Flux 2.7)'
1.8\t'source-controller 1.8 (Flux 2.8)'
1.9\t'source-controller 1.9 (Flux 2.9)'
2.3\t'Flux 2.3 (source-controller 1.3)'
2.4\t'Flux 2.4 (source-controller 1.4)'
2.5\t'Flux 2.5 (source-controller 1.5)'
2.6\t'Flux 2.6 (source-controller 1.6)'
2.7\t'Flux 2.7 (source-controller 1.7)'
2.8\t'Flux 2.8 (source-controller 1.8)'
2.9\t'Flux 2.9 (source-controller 1.9)'"
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format' -r -f -a "text\t'Human-readable text'
json\t'One JSON object on stdout'"
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Log what is done on stderr: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature\'s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as `fluxverify=debug`) take precedence'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from explain" -l secret -d 'Kubernetes Secret manifest (YAML or JSON, `-` for stdin) holding `trustpolicy.json` and certificates' -r -F
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from explain" -l secret-name -d 'Name of the Secret to use when the file holds several that carry `trustpolicy.json`' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from explain" -l trust-policy -d 'A `trustpolicy.json` file' -r -F
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from explain" -l certs -d 'Certificate file or directory (`*.crt`, `*.pem`); repeatable. In notation mode also `TYPE:NAME=PATH`' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from explain" -l mode -d 'Reproduce Flux source-controller (default; --flux-version picks the release) or the notation CLI' -r -f -a "flux\t'Flux source-controller'
notation\t'The notation CLI'"
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from explain" -l flux-version -d 'source-controller release to reproduce: 1.3 ... 1.9, or Flux 2.3 ... 2.9' -r -f -a "1.3\t'source-controller 1.3 (Flux 2.3)'
1.4\t'source-controller 1.4 (Flux 2.4)'
1.5\t'source-controller 1.5 (Flux 2.5)'
1.6\t'source-controller 1.6 (Flux 2.6)'
1.7\t'source-controller 1.7 (Flux 2.7)'
1.8\t'source-controller 1.8 (Flux 2.8)'
1.9\t'source-controller 1.9 (Flux 2.9)'
2.3\t'Flux 2.3 (source-controller 1.3)'
2.4\t'Flux 2.4 (source-controller 1.4)'
2.5\t'Flux 2.5 (source-controller 1.5)'
2.6\t'Flux 2.6 (source-controller 1.6)'
2.7\t'Flux 2.7 (source-controller 1.7)'
2.8\t'Flux 2.8 (source-controller 1.8)'
2.9\t'Flux 2.9 (source-controller 1.9)'"
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from explain" -s o -l output -d 'Output format' -r -f -a "text\t'Human-readable text'
json\t'One JSON object on stdout'"
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from explain" -s v -l verbose -d 'Log what is done on stderr: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature\'s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as `fluxverify=debug`) take precedence'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from explain" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from explain" -s V -l version -d 'Print version'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "check" -d 'Validate the trust policy; report Flux clean-up warnings and lint hints'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print the decoded trust policy'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "explain" -d 'Explain which statement applies to REFERENCE, its effective actions and certificates'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand policy; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand certs" -l secret -d 'Kubernetes Secret manifest (YAML or JSON, `-` for stdin) holding `trustpolicy.json` and certificates' -r -F
complete -c fluxverify -n "__fish_fluxverify_using_subcommand certs" -l secret-name -d 'Name of the Secret to use when the file holds several that carry `trustpolicy.json`' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand certs" -l trust-policy -d 'A `trustpolicy.json` file' -r -F
complete -c fluxverify -n "__fish_fluxverify_using_subcommand certs" -l certs -d 'Certificate file or directory (`*.crt`, `*.pem`); repeatable. In notation mode also `TYPE:NAME=PATH`' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand certs" -l mode -d 'Show the certificates as Flux (default) or the notation CLI would read them' -r -f -a "flux\t'Flux source-controller'
notation\t'The notation CLI'"
complete -c fluxverify -n "__fish_fluxverify_using_subcommand certs" -s o -l output -d 'Output format' -r -f -a "text\t'Human-readable text'
json\t'One JSON object on stdout'"
complete -c fluxverify -n "__fish_fluxverify_using_subcommand certs" -s v -l verbose -d 'Log what is done on stderr: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature\'s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as `fluxverify=debug`) take precedence'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand certs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand certs" -s V -l version -d 'Print version'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand envelope; and not __fish_seen_subcommand_from verify inspect help" -s v -l verbose -d 'Log what is done on stderr: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature\'s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as `fluxverify=debug`) take precedence'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand envelope; and not __fish_seen_subcommand_from verify inspect help" -s h -l help -d 'Print help'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand envelope; and not __fish_seen_subcommand_from verify inspect help" -s V -l version -d 'Print version'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand envelope; and not __fish_seen_subcommand_from verify inspect help" -f -a "verify" -d 'Verify one signature envelope file against the artifact it should sign'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand envelope; and not __fish_seen_subcommand_from verify inspect help" -f -a "inspect" -d 'Show the contents of one signature envelope file'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand envelope; and not __fish_seen_subcommand_from verify inspect help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand envelope; and __fish_seen_subcommand_from verify" -l reference -d 'The artifact reference the signature is verified for, `registry/repository@sha256:...`' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand envelope; and __fish_seen_subcommand_from verify" -l subject -d 'The signed artifact\'s OCI descriptor, as JSON text or `@file`' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand envelope; and __fish_seen_subcommand_from verify" -l media-type -d 'Envelope media type (default: from the content)' -r -f -a "application/jose+json\t'`application/jose+json`'
application/cose\t'`application/cose`'"
complete -c fluxverify -n "__fish_fluxverify_using_subcommand envelope; and __fish_seen_subcommand_from verify" -l secret -d 'Kubernetes Secret manifest (YAML or JSON, `-` for stdin) holding `trustpolicy.json` and certificates' -r -F
complete -c fluxverify -n "__fish_fluxverify_using_subcommand envelope; and __fish_seen_subcommand_from verify" -l secret-name -d 'Name of the Secret to use when the file holds several that carry `trustpolicy.json`' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand envelope; and __fish_seen_subcommand_from verify" -l trust-policy -d 'A `trustpolicy.json` file' -r -F
complete -c fluxverify -n "__fish_fluxverify_using_subcommand envelope; and __fish_seen_subcommand_from verify" -l certs -d 'Certificate file or directory (`*.crt`, `*.pem`); repeatable. In notation mode also `TYPE:NAME=PATH`' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand envelope; and __fish_seen_subcommand_from verify" -l mode -d 'Reproduce Flux source-controller (default; --flux-version picks the release) or the notation CLI' -r -f -a "flux\t'Flux source-controller'
notation\t'The notation CLI'"
complete -c fluxverify -n "__fish_fluxverify_using_subcommand envelope; and __fish_seen_subcommand_from verify" -l flux-version -d 'source-controller release to reproduce: 1.3 ... 1.9, or Flux 2.3 ... 2.9' -r -f -a "1.3\t'source-controller 1.3 (Flux 2.3)'
1.4\t'source-controller 1.4 (Flux 2.4)'
1.5\t'source-controller 1.5 (Flux 2.5)'
1.6\t'source-controller 1.6 (Flux 2.6)'
1.7\t'source-controller 1.7 (Flux 2.7)'
1.8\t'source-controller 1.8 (Flux 2.8)'
1.9\t'source-controller 1.9 (Flux 2.9)'
2.3\t'Flux 2.3 (source-controller 1.3)'
2.4\t'Flux 2.4 (source-controller 1.4)'
2.5\t'Flux 2.5 (source-controller 1.5)'
2.6\t'Flux 2.6 (source-controller 1.6)'
2.7\t'Flux 2.7 (source-controller 1.7)'
2.8\t'Flux 2.8 (source-controller 1.8)'
2.9\t'Flux 2.9 (source-controller 1.9)'"
complete -c fluxverify -n "__fish_fluxverify_using_subcommand envelope; and __fish_seen_subcommand_from verify" -l max-signatures -d 'Maximum number of signatures to evaluate (notation mode; Flux always uses 3)' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand envelope; and __fish_seen_subcommand_from verify" -s m -l user-metadata -d '`key=value` that must be in the signature\'s user metadata (notation mode); repeatable' -r
complete -c fluxverify -n "__fish_fluxverify_using_subcommand envelope; and __fish_seen_subcommand_from verify" -s o -l output -d 'Output format' -r -f -a "text\t'Human-readable text'
json\t'One JSON object on stdout'"
complete -c fluxverify -n "__fish_fluxverify_using_subcommand envelope; and __fish_seen_subcommand_from verify" -s v -l verbose -d 'Log what is done on stderr: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature\'s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as `fluxverify=debug`) take precedence'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand envelope; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand envelope; and __fish_seen_subcommand_from verify" -s V -l version -d 'Print version'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand envelope; and __fish_seen_subcommand_from inspect" -l media-type -d 'Envelope media type (default: from the content)' -r -f -a "application/jose+json\t'`application/jose+json`'
application/cose\t'`application/cose`'"
complete -c fluxverify -n "__fish_fluxverify_using_subcommand envelope; and __fish_seen_subcommand_from inspect" -s o -l output -d 'Output format' -r -f -a "text\t'Human-readable text'
json\t'One JSON object on stdout'"
complete -c fluxverify -n "__fish_fluxverify_using_subcommand envelope; and __fish_seen_subcommand_from inspect" -s v -l verbose -d 'Log what is done on stderr: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature\'s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as `fluxverify=debug`) take precedence'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand envelope; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand envelope; and __fish_seen_subcommand_from inspect" -s V -l version -d 'Print version'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand envelope; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Verify one signature envelope file against the artifact it should sign'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand envelope; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Show the contents of one signature envelope file'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand envelope; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand completions" -s v -l verbose -d 'Log what is done on stderr: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature\'s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as `fluxverify=debug`) take precedence'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand completions" -s h -l help -d 'Print help'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand completions" -s V -l version -d 'Print version'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand version" -s v -l verbose -d 'Log what is done on stderr: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature\'s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as `fluxverify=debug`) take precedence'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand version" -s h -l help -d 'Print help'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand version" -s V -l version -d 'Print version'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand man" -l dir -d 'Write fluxverify.1 and fluxverify-COMMAND.1 pages into this directory' -r -F
complete -c fluxverify -n "__fish_fluxverify_using_subcommand man" -s v -l verbose -d 'Log what is done on stderr: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature\'s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as `fluxverify=debug`) take precedence'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand man" -s h -l help -d 'Print help'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand man" -s V -l version -d 'Print version'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand help; and not __fish_seen_subcommand_from scan verify ls inspect policy certs envelope completions version man help" -f -a "scan" -d 'Verify every signed source of a GitOps tree as Flux will (OCIRepository, OCI HelmChart, HelmRelease): one CI gate'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand help; and not __fish_seen_subcommand_from scan verify ls inspect policy certs envelope completions version man help" -f -a "verify" -d 'Verify an artifact\'s signatures the way Flux (or notation) would'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand help; and not __fish_seen_subcommand_from scan verify ls inspect policy certs envelope completions version man help" -f -a "ls" -d 'List the signature manifests of an artifact (notation ls)'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand help; and not __fish_seen_subcommand_from scan verify ls inspect policy certs envelope completions version man help" -f -a "inspect" -d 'Show the signature envelopes of an artifact (notation inspect)'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand help; and not __fish_seen_subcommand_from scan verify ls inspect policy certs envelope completions version man help" -f -a "policy" -d 'Check, show or explain a trust policy'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand help; and not __fish_seen_subcommand_from scan verify ls inspect policy certs envelope completions version man help" -f -a "certs" -d 'Show the certificates of the trust material as Flux will use them'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand help; and not __fish_seen_subcommand_from scan verify ls inspect policy certs envelope completions version man help" -f -a "envelope" -d 'Verify or inspect a single signature envelope file'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand help; and not __fish_seen_subcommand_from scan verify ls inspect policy certs envelope completions version man help" -f -a "completions" -d 'Print a shell completion script'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand help; and not __fish_seen_subcommand_from scan verify ls inspect policy certs envelope completions version man help" -f -a "version" -d 'Print the version and the Sigstore public-good trusted root in use (shipped snapshot or cached TUF refresh)'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand help; and not __fish_seen_subcommand_from scan verify ls inspect policy certs envelope completions version man help" -f -a "man" -d 'Print the man page (fluxverify.1), or write every page (one per command) into DIR'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand help; and not __fish_seen_subcommand_from scan verify ls inspect policy certs envelope completions version man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "check" -d 'Validate the trust policy; report Flux clean-up warnings and lint hints'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "show" -d 'Print the decoded trust policy'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand help; and __fish_seen_subcommand_from policy" -f -a "explain" -d 'Explain which statement applies to REFERENCE, its effective actions and certificates'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand help; and __fish_seen_subcommand_from envelope" -f -a "verify" -d 'Verify one signature envelope file against the artifact it should sign'
complete -c fluxverify -n "__fish_fluxverify_using_subcommand help; and __fish_seen_subcommand_from envelope" -f -a "inspect" -d 'Show the contents of one signature envelope file'

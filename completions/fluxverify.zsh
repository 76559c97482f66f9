#compdef fluxverify

autoload -U is-at-least

_fluxverify() {
    typeset -A opt_args
    typeset -a _arguments_options
    local ret=1

    if is-at-least 5.2; then
        _arguments_options=(-s -S -C)
    else
        _arguments_options=(-s -C)
    fi

    local context curcontext="$curcontext" state line
    _arguments "${_arguments_options[@]}" : \
'*-v[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'*--verbose[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
":: :_fluxverify_commands" \
"*::: :->fluxverify" \
&& ret=0
    case $state in
    (fluxverify)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:fluxverify-command-$line[1]:"
        case $line[1] in
            (scan)
_arguments "${_arguments_options[@]}" : \
'--root=[The repository root Flux Kustomization paths are relative to (default\: found from the bootstrap Kustomization, else the git top level)]:DIR:_files' \
'--source=[The GitRepository (\`GitRepository/NAMESPACE/NAME\`) the clusters sync this repository through (default\: the one the bootstrap Kustomization names)]:REF:_default' \
'--kustomize=[The kustomize to run (\`kustomize\`, \`kubectl\`, a path; default\: \`kustomize\`, else \`kubectl kustomize\`)]:CMD:_default' \
'*--secret=[A Secret manifest searched first for the sources'\'' \`verify.secretRef\`; repeatable]:FILE:_files' \
'--flux-version=[source-controller release to reproduce\: 1.3 ... 1.9, or Flux 2.3 ... 2.9]:VERSION:((1.3\:"source-controller 1.3 (Flux 2.3)"
1.4\:"source-controller 1.4 (Flux 2.4)"
1.5\:"source-controller 1.5 (Flux 2.5)"
1.6\:"source-controller 1.6 (Flux 2.6)"
1.7\:"source-controller 1.7 (Flux 2.7)"
1.8\:"source-controller 1.8 (Flux 2.8)"
1.9\:"source-controller 1.9 (Flux 2.9)"
2.3\:"Flux 2.3 (source-controller 1.3)"
2.4\:"Flux 2.4 (source-controller 1.4)"
2.5\:"Flux 2.5 (source-controller 1.5)"
2.6\:"Flux 2.6 (source-controller 1.6)"
2.7\:"Flux 2.7 (source-controller 1.7)"
2.8\:"Flux 2.8 (source-controller 1.8)"
2.9\:"Flux 2.9 (source-controller 1.9)"))' \
'-j+[Verifications in flight at most]:N:_default' \
'--jobs=[Verifications in flight at most]:N:_default' \
'(--refresh-root)--trusted-root=[Keyless cosign\: the Sigstore trusted_root.json to verify with instead of the public-good root (a manifest'\''s trustedRootSecretRef still comes first)]:FILE:_files' \
'--tuf-root=[With --refresh-root\: the TUF root.json the chain of roots starts from when the cache holds none, instead of the one shipped with fluxverify (Sigstore'\''s v10)]:FILE:_files' \
'--tuf-url=[The TUF mirror --refresh-root reads (a test repository)]:URL:_default' \
'--ca-file=[PEM file of CA certificates to trust for the registry'\''s TLS]:FILE:_files' \
'-u+[Registry user name]:USER:_default' \
'--username=[Registry user name]:USER:_default' \
'-p+[Registry password or token]:PASSWORD:_default' \
'--password=[Registry password or token]:PASSWORD:_default' \
'-o+[Output format]:OUTPUT:((text\:"A table, the conditions of failures, a summary line"
json\:"One JSON object\: \`resources\` and \`summary\`"
junit\:"JUnit XML (GitLab / GitHub test reports)"
github\:"GitHub Actions workflow commands, then the table"
sarif\:"SARIF 2.1.0 (GitHub code scanning)\: a result per source not verified"))' \
'--output=[Output format]:OUTPUT:((text\:"A table, the conditions of failures, a summary line"
json\:"One JSON object\: \`resources\` and \`summary\`"
junit\:"JUnit XML (GitLab / GitHub test reports)"
github\:"GitHub Actions workflow commands, then the table"
sarif\:"SARIF 2.1.0 (GitHub code scanning)\: a result per source not verified"))' \
'*--provider=[\`aws\`, \`azure\`, \`gcp\` or \`generic\`\: get registry credentials from this cloud provider'\''s CLI for every source, instead of each source'\''s \`spec.provider\`, when none are configured (flags, Docker config) \[default\: each source'\''s spec.provider\]]:PROVIDER:(generic aws azure gcp)' \
'--timeout=[Time limit of each source whose manifest sets no \`spec.timeout\` (its requests, the auth round trips, the signature checks), in Go duration syntax\: \`60s\`, \`1m30s\`, \`500ms\`. When it expires that source'\''s row is an error naming the request that was waiting \[default\: 60s, as Flux\]]:DURATION:_default' \
'--files[Read the files one by one instead of building them (for trees kustomize cannot build)\: overlays, patches and substitutions are then not applied]' \
'--offline[Fetch nothing\: report only what the trust material decides whatever the registry holds]' \
'--strict[Every source must be verified\: \`skipped\` and \`ignored\` are failures]' \
'--check-claims[cosign sources\: check the claims as \`cosign verify\` does, refusing what Flux accepts laxly\: a classic signature whose payload names another digest than the artifact'\''s (a \`failed\` row)]' \
'--refresh-root[Keyless cosign\: update the public-good trusted root through Sigstore'\''s TUF repository before verifying (the only network fetch besides the registry), caching it under \$XDG_CACHE_HOME/fluxverify (else ~/.cache/fluxverify) for later runs]' \
'--insecure-skip-tls-verify[Do not verify the registry'\''s TLS certificate]' \
'--plain-http[Use plain HTTP for every source'\''s registry, as if each source set \`insecure\: true\`]' \
'*-v[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'*--verbose[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
'*::paths -- Directories of a fleet repository, built as Flux builds them\: a cluster directory (its bootstrap Kustomization and every Flux Kustomization it leads to), a repository root holding several clusters, or any kustomize directory; `-` for a stream of built documents on stdin (`kustomize build`, `flux build` output):_files' \
&& ret=0
;;
(verify)
_arguments "${_arguments_options[@]}" : \
'--ocirepository=[An OCIRepository manifest to take url, ref, insecure and verify.secretRef from]:FILE:_files' \
'(--trust-policy)--secret=[Kubernetes Secret manifest (YAML or JSON, \`-\` for stdin) holding \`trustpolicy.json\` and certificates]:FILE:_files' \
'--secret-name=[Name of the Secret to use when the file holds several that carry \`trustpolicy.json\`]:NAME:_default' \
'--trust-policy=[A \`trustpolicy.json\` file]:FILE:_files' \
'*--certs=[Certificate file or directory (\`*.crt\`, \`*.pem\`); repeatable. In notation mode also \`TYPE\:NAME=PATH\`]:PATH:_default' \
'--mode=[Reproduce Flux source-controller (default; --flux-version picks the release) or the notation CLI]:MODE:((flux\:"Flux source-controller"
notation\:"The notation CLI"))' \
'--flux-version=[source-controller release to reproduce\: 1.3 ... 1.9, or Flux 2.3 ... 2.9]:VERSION:((1.3\:"source-controller 1.3 (Flux 2.3)"
1.4\:"source-controller 1.4 (Flux 2.4)"
1.5\:"source-controller 1.5 (Flux 2.5)"
1.6\:"source-controller 1.6 (Flux 2.6)"
1.7\:"source-controller 1.7 (Flux 2.7)"
1.8\:"source-controller 1.8 (Flux 2.8)"
1.9\:"source-controller 1.9 (Flux 2.9)"
2.3\:"Flux 2.3 (source-controller 1.3)"
2.4\:"Flux 2.4 (source-controller 1.4)"
2.5\:"Flux 2.5 (source-controller 1.5)"
2.6\:"Flux 2.6 (source-controller 1.6)"
2.7\:"Flux 2.7 (source-controller 1.7)"
2.8\:"Flux 2.8 (source-controller 1.8)"
2.9\:"Flux 2.9 (source-controller 1.9)"))' \
'--max-signatures=[Maximum number of signatures to evaluate (notation mode; Flux always uses 3)]:N:_default' \
'*-m+[\`key=value\` that must be in the signature'\''s user metadata (notation mode); repeatable]:KEY=VALUE:_default' \
'*--user-metadata=[\`key=value\` that must be in the signature'\''s user metadata (notation mode); repeatable]:KEY=VALUE:_default' \
'--ca-file=[PEM file of CA certificates to trust for the registry'\''s TLS]:FILE:_files' \
'-u+[Registry user name]:USER:_default' \
'--username=[Registry user name]:USER:_default' \
'-p+[Registry password or token]:PASSWORD:_default' \
'--password=[Registry password or token]:PASSWORD:_default' \
'--oci-layout=[OCI image layout directory holding the artifact and its signatures]:DIR:_files' \
'--scope=[\`registry/repository\` that trust policy scopes are matched against (with --oci-layout; not needed when REFERENCE is a full \`registry/repository@sha256\:...\`)]:REGISTRY/REPOSITORY:_default' \
'--verify-provider=[Which signatures to verify, as Flux'\''s \`spec.verify.provider\` \[default\: notation; with --ocirepository\: its spec.verify.provider\]]:PROVIDER:((notation\:"Notary Project signatures"
cosign\:"cosign signatures (static keys or keyless)"))' \
'*--key=[A cosign public key (PEM) to verify with; repeatable (with or instead of --secret, whose data keys ending in \`.pub\` are the keys)]:FILE:_files' \
'*--certificate-identity-regexp=[Keyless cosign\: a Go regular expression the certificate'\''s subject (SAN) must match; repeatable, paired in order with --certificate-oidc-issuer-regexp (as matchOIDCIdentity)]:REGEX:_default' \
'*--certificate-oidc-issuer-regexp=[Keyless cosign\: a Go regular expression the certificate'\''s OIDC issuer must match; repeatable, paired in order with --certificate-identity-regexp]:REGEX:_default' \
'(--refresh-root)--trusted-root=[Keyless cosign\: the Sigstore trusted_root.json to verify with instead of the public-good root (a manifest'\''s trustedRootSecretRef still comes first)]:FILE:_files' \
'--tuf-root=[With --refresh-root\: the TUF root.json the chain of roots starts from when the cache holds none, instead of the one shipped with fluxverify (Sigstore'\''s v10)]:FILE:_files' \
'--tuf-url=[The TUF mirror --refresh-root reads (a test repository)]:URL:_default' \
'-o+[Output format]:OUTPUT:((text\:"Human-readable text"
json\:"One JSON object on stdout"
sarif\:"SARIF 2.1.0 (GitHub code scanning)\: one result unless verified"))' \
'--output=[Output format]:OUTPUT:((text\:"Human-readable text"
json\:"One JSON object on stdout"
sarif\:"SARIF 2.1.0 (GitHub code scanning)\: one result unless verified"))' \
'*--provider=[\`aws\`, \`azure\`, \`gcp\` or \`generic\`\: get registry credentials from this cloud provider'\''s CLI when none are configured (flags, Docker config), as Flux'\''s \`spec.provider\` does \[default\: generic; with --ocirepository\: its spec.provider\]]:PROVIDER:(generic aws azure gcp)' \
'--timeout=[Time limit of the whole run (every request, the auth round trips, the signature checks), in Go duration syntax as Flux'\''s \`spec.timeout\`\: \`60s\`, \`1m30s\`, \`500ms\`. When it expires the result is an error (exit 2) naming the request that was waiting \[default\: 60s; with --ocirepository\: its spec.timeout, which this flag overrides\]]:DURATION:_default' \
'--plain-http[Use plain HTTP (what \`insecure\: true\` means for Flux'\''s signature calls)]' \
'--insecure-skip-tls-verify[Do not verify the registry'\''s TLS certificate]' \
'--strict[The artifact must be verified\: what Flux would accept without setting \`SourceVerified\` (exit 3, ignored) and a \`skip\` level in notation mode fail instead (exit 1)]' \
'--check-claims[cosign\: check the claims as \`cosign verify\` does, refusing what Flux accepts laxly\: a classic signature whose payload names another digest than the artifact'\''s]' \
'--refresh-root[Keyless cosign\: update the public-good trusted root through Sigstore'\''s TUF repository before verifying (the only network fetch besides the registry), caching it under \$XDG_CACHE_HOME/fluxverify (else ~/.cache/fluxverify) for later runs]' \
'*-v[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'*--verbose[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
'::reference -- `registry/repository\:tag`, `registry/repository@sha256\:...` or `registry/repository\:tag@sha256\:...` (with --oci-layout\: a tag or `@sha256\:...` inside the layout):_default' \
&& ret=0
;;
(ls)
_arguments "${_arguments_options[@]}" : \
'--ca-file=[PEM file of CA certificates to trust for the registry'\''s TLS]:FILE:_files' \
'-u+[Registry user name]:USER:_default' \
'--username=[Registry user name]:USER:_default' \
'-p+[Registry password or token]:PASSWORD:_default' \
'--password=[Registry password or token]:PASSWORD:_default' \
'*--provider=[\`aws\`, \`azure\`, \`gcp\` or \`generic\`\: get registry credentials from this cloud provider'\''s CLI when none are configured (flags, Docker config), as Flux'\''s \`spec.provider\` does \[default\: generic\]]:PROVIDER:(generic aws azure gcp)' \
'--timeout=[Time limit of the whole run (every request and the auth round trips), in Go duration syntax as Flux'\''s \`spec.timeout\`\: \`60s\`, \`1m30s\`, \`500ms\`. When it expires the result is an error (exit 2) naming the request that was waiting \[default\: 60s\]]:DURATION:_default' \
'--oci-layout=[OCI image layout directory holding the artifact and its signatures]:DIR:_files' \
'--max-signatures=[Maximum number of signatures to list]:N:_default' \
'-o+[Output format]:OUTPUT:((text\:"Human-readable text"
json\:"One JSON object on stdout"))' \
'--output=[Output format]:OUTPUT:((text\:"Human-readable text"
json\:"One JSON object on stdout"))' \
'--scope=[\`registry/repository\` the layout'\''s artifact belongs to (with --oci-layout; not needed when REFERENCE is a full \`registry/repository@sha256\:...\`)]:REGISTRY/REPOSITORY:_default' \
'--plain-http[Use plain HTTP (what \`insecure\: true\` means for Flux'\''s signature calls)]' \
'--insecure-skip-tls-verify[Do not verify the registry'\''s TLS certificate]' \
'*-v[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'*--verbose[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
':reference -- Artifact reference (with --oci-layout\: a tag or `@sha256\:...` inside the layout):_default' \
&& ret=0
;;
(inspect)
_arguments "${_arguments_options[@]}" : \
'--ca-file=[PEM file of CA certificates to trust for the registry'\''s TLS]:FILE:_files' \
'-u+[Registry user name]:USER:_default' \
'--username=[Registry user name]:USER:_default' \
'-p+[Registry password or token]:PASSWORD:_default' \
'--password=[Registry password or token]:PASSWORD:_default' \
'*--provider=[\`aws\`, \`azure\`, \`gcp\` or \`generic\`\: get registry credentials from this cloud provider'\''s CLI when none are configured (flags, Docker config), as Flux'\''s \`spec.provider\` does \[default\: generic\]]:PROVIDER:(generic aws azure gcp)' \
'--timeout=[Time limit of the whole run (every request and the auth round trips), in Go duration syntax as Flux'\''s \`spec.timeout\`\: \`60s\`, \`1m30s\`, \`500ms\`. When it expires the result is an error (exit 2) naming the request that was waiting \[default\: 60s\]]:DURATION:_default' \
'--oci-layout=[OCI image layout directory holding the artifact and its signatures]:DIR:_files' \
'-o+[Output format]:OUTPUT:((text\:"Human-readable text"
json\:"One JSON object on stdout"))' \
'--output=[Output format]:OUTPUT:((text\:"Human-readable text"
json\:"One JSON object on stdout"))' \
'--scope=[\`registry/repository\` the layout'\''s artifact belongs to (with --oci-layout; not needed when REFERENCE is a full \`registry/repository@sha256\:...\`)]:REGISTRY/REPOSITORY:_default' \
'--max-signatures=[Maximum number of signatures to show]:N:_default' \
'--plain-http[Use plain HTTP (what \`insecure\: true\` means for Flux'\''s signature calls)]' \
'--insecure-skip-tls-verify[Do not verify the registry'\''s TLS certificate]' \
'*-v[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'*--verbose[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
':reference -- Artifact reference (with --oci-layout\: a tag or `@sha256\:...` inside the layout):_default' \
&& ret=0
;;
(policy)
_arguments "${_arguments_options[@]}" : \
'*-v[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'*--verbose[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
":: :_fluxverify__subcmd__policy_commands" \
"*::: :->policy" \
&& ret=0

    case $state in
    (policy)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:fluxverify-policy-command-$line[1]:"
        case $line[1] in
            (check)
_arguments "${_arguments_options[@]}" : \
'(--trust-policy)--secret=[Kubernetes Secret manifest (YAML or JSON, \`-\` for stdin) holding \`trustpolicy.json\` and certificates]:FILE:_files' \
'--secret-name=[Name of the Secret to use when the file holds several that carry \`trustpolicy.json\`]:NAME:_default' \
'--trust-policy=[A \`trustpolicy.json\` file]:FILE:_files' \
'*--certs=[Certificate file or directory (\`*.crt\`, \`*.pem\`); repeatable. In notation mode also \`TYPE\:NAME=PATH\`]:PATH:_default' \
'--mode=[Reproduce Flux source-controller (default; --flux-version picks the release) or the notation CLI]:MODE:((flux\:"Flux source-controller"
notation\:"The notation CLI"))' \
'--flux-version=[source-controller release to reproduce\: 1.3 ... 1.9, or Flux 2.3 ... 2.9]:VERSION:((1.3\:"source-controller 1.3 (Flux 2.3)"
1.4\:"source-controller 1.4 (Flux 2.4)"
1.5\:"source-controller 1.5 (Flux 2.5)"
1.6\:"source-controller 1.6 (Flux 2.6)"
1.7\:"source-controller 1.7 (Flux 2.7)"
1.8\:"source-controller 1.8 (Flux 2.8)"
1.9\:"source-controller 1.9 (Flux 2.9)"
2.3\:"Flux 2.3 (source-controller 1.3)"
2.4\:"Flux 2.4 (source-controller 1.4)"
2.5\:"Flux 2.5 (source-controller 1.5)"
2.6\:"Flux 2.6 (source-controller 1.6)"
2.7\:"Flux 2.7 (source-controller 1.7)"
2.8\:"Flux 2.8 (source-controller 1.8)"
2.9\:"Flux 2.9 (source-controller 1.9)"))' \
'-o+[Output format]:OUTPUT:((text\:"Human-readable text"
json\:"One JSON object on stdout"))' \
'--output=[Output format]:OUTPUT:((text\:"Human-readable text"
json\:"One JSON object on stdout"))' \
'--ocirepository=[An OCIRepository manifest whose url the material is checked against, offline (its verify.secretRef is taken from the file when no --secret / --trust-policy is given)]:FILE:_files' \
'*-v[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'*--verbose[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(show)
_arguments "${_arguments_options[@]}" : \
'(--trust-policy)--secret=[Kubernetes Secret manifest (YAML or JSON, \`-\` for stdin) holding \`trustpolicy.json\` and certificates]:FILE:_files' \
'--secret-name=[Name of the Secret to use when the file holds several that carry \`trustpolicy.json\`]:NAME:_default' \
'--trust-policy=[A \`trustpolicy.json\` file]:FILE:_files' \
'*--certs=[Certificate file or directory (\`*.crt\`, \`*.pem\`); repeatable. In notation mode also \`TYPE\:NAME=PATH\`]:PATH:_default' \
'--mode=[Reproduce Flux source-controller (default; --flux-version picks the release) or the notation CLI]:MODE:((flux\:"Flux source-controller"
notation\:"The notation CLI"))' \
'--flux-version=[source-controller release to reproduce\: 1.3 ... 1.9, or Flux 2.3 ... 2.9]:VERSION:((1.3\:"source-controller 1.3 (Flux 2.3)"
1.4\:"source-controller 1.4 (Flux 2.4)"
1.5\:"source-controller 1.5 (Flux 2.5)"
1.6\:"source-controller 1.6 (Flux 2.6)"
1.7\:"source-controller 1.7 (Flux 2.7)"
1.8\:"source-controller 1.8 (Flux 2.8)"
1.9\:"source-controller 1.9 (Flux 2.9)"
2.3\:"Flux 2.3 (source-controller 1.3)"
2.4\:"Flux 2.4 (source-controller 1.4)"
2.5\:"Flux 2.5 (source-controller 1.5)"
2.6\:"Flux 2.6 (source-controller 1.6)"
2.7\:"Flux 2.7 (source-controller 1.7)"
2.8\:"Flux 2.8 (source-controller 1.8)"
2.9\:"Flux 2.9 (source-controller 1.9)"))' \
'-o+[Output format]:OUTPUT:((text\:"Human-readable text"
json\:"One JSON object on stdout"))' \
'--output=[Output format]:OUTPUT:((text\:"Human-readable text"
json\:"One JSON object on stdout"))' \
'*-v[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'*--verbose[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(explain)
_arguments "${_arguments_options[@]}" : \
'(--trust-policy)--secret=[Kubernetes Secret manifest (YAML or JSON, \`-\` for stdin) holding \`trustpolicy.json\` and certificates]:FILE:_files' \
'--secret-name=[Name of the Secret to use when the file holds several that carry \`trustpolicy.json\`]:NAME:_default' \
'--trust-policy=[A \`trustpolicy.json\` file]:FILE:_files' \
'*--certs=[Certificate file or directory (\`*.crt\`, \`*.pem\`); repeatable. In notation mode also \`TYPE\:NAME=PATH\`]:PATH:_default' \
'--mode=[Reproduce Flux source-controller (default; --flux-version picks the release) or the notation CLI]:MODE:((flux\:"Flux source-controller"
notation\:"The notation CLI"))' \
'--flux-version=[source-controller release to reproduce\: 1.3 ... 1.9, or Flux 2.3 ... 2.9]:VERSION:((1.3\:"source-controller 1.3 (Flux 2.3)"
1.4\:"source-controller 1.4 (Flux 2.4)"
1.5\:"source-controller 1.5 (Flux 2.5)"
1.6\:"source-controller 1.6 (Flux 2.6)"
1.7\:"source-controller 1.7 (Flux 2.7)"
1.8\:"source-controller 1.8 (Flux 2.8)"
1.9\:"source-controller 1.9 (Flux 2.9)"
2.3\:"Flux 2.3 (source-controller 1.3)"
2.4\:"Flux 2.4 (source-controller 1.4)"
2.5\:"Flux 2.5 (source-controller 1.5)"
2.6\:"Flux 2.6 (source-controller 1.6)"
2.7\:"Flux 2.7 (source-controller 1.7)"
2.8\:"Flux 2.8 (source-controller 1.8)"
2.9\:"Flux 2.9 (source-controller 1.9)"))' \
'-o+[Output format]:OUTPUT:((text\:"Human-readable text"
json\:"One JSON object on stdout"))' \
'--output=[Output format]:OUTPUT:((text\:"Human-readable text"
json\:"One JSON object on stdout"))' \
'*-v[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'*--verbose[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
':reference -- Artifact reference to explain, `registry/repository@sha256\:...` (a tag or an `oci\://` URL as in an OCIRepository also works\: scopes are matched on `registry/repository`):_default' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_fluxverify__subcmd__policy__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:fluxverify-policy-help-command-$line[1]:"
        case $line[1] in
            (check)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(show)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(explain)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
;;
(certs)
_arguments "${_arguments_options[@]}" : \
'(--trust-policy)--secret=[Kubernetes Secret manifest (YAML or JSON, \`-\` for stdin) holding \`trustpolicy.json\` and certificates]:FILE:_files' \
'--secret-name=[Name of the Secret to use when the file holds several that carry \`trustpolicy.json\`]:NAME:_default' \
'--trust-policy=[A \`trustpolicy.json\` file]:FILE:_files' \
'*--certs=[Certificate file or directory (\`*.crt\`, \`*.pem\`); repeatable. In notation mode also \`TYPE\:NAME=PATH\`]:PATH:_default' \
'--mode=[Show the certificates as Flux (default) or the notation CLI would read them]:MODE:((flux\:"Flux source-controller"
notation\:"The notation CLI"))' \
'-o+[Output format]:OUTPUT:((text\:"Human-readable text"
json\:"One JSON object on stdout"))' \
'--output=[Output format]:OUTPUT:((text\:"Human-readable text"
json\:"One JSON object on stdout"))' \
'*-v[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'*--verbose[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(envelope)
_arguments "${_arguments_options[@]}" : \
'*-v[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'*--verbose[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
":: :_fluxverify__subcmd__envelope_commands" \
"*::: :->envelope" \
&& ret=0

    case $state in
    (envelope)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:fluxverify-envelope-command-$line[1]:"
        case $line[1] in
            (verify)
_arguments "${_arguments_options[@]}" : \
'--reference=[The artifact reference the signature is verified for, \`registry/repository@sha256\:...\`]:REGISTRY/REPO@sha256:...:_default' \
'--subject=[The signed artifact'\''s OCI descriptor, as JSON text or \`@file\`]:DESCRIPTOR:_default' \
'--media-type=[Envelope media type (default\: from the content)]:MEDIA_TYPE:((application/jose+json\:"\`application/jose+json\`"
application/cose\:"\`application/cose\`"))' \
'(--trust-policy)--secret=[Kubernetes Secret manifest (YAML or JSON, \`-\` for stdin) holding \`trustpolicy.json\` and certificates]:FILE:_files' \
'--secret-name=[Name of the Secret to use when the file holds several that carry \`trustpolicy.json\`]:NAME:_default' \
'--trust-policy=[A \`trustpolicy.json\` file]:FILE:_files' \
'*--certs=[Certificate file or directory (\`*.crt\`, \`*.pem\`); repeatable. In notation mode also \`TYPE\:NAME=PATH\`]:PATH:_default' \
'--mode=[Reproduce Flux source-controller (default; --flux-version picks the release) or the notation CLI]:MODE:((flux\:"Flux source-controller"
notation\:"The notation CLI"))' \
'--flux-version=[source-controller release to reproduce\: 1.3 ... 1.9, or Flux 2.3 ... 2.9]:VERSION:((1.3\:"source-controller 1.3 (Flux 2.3)"
1.4\:"source-controller 1.4 (Flux 2.4)"
1.5\:"source-controller 1.5 (Flux 2.5)"
1.6\:"source-controller 1.6 (Flux 2.6)"
1.7\:"source-controller 1.7 (Flux 2.7)"
1.8\:"source-controller 1.8 (Flux 2.8)"
1.9\:"source-controller 1.9 (Flux 2.9)"
2.3\:"Flux 2.3 (source-controller 1.3)"
2.4\:"Flux 2.4 (source-controller 1.4)"
2.5\:"Flux 2.5 (source-controller 1.5)"
2.6\:"Flux 2.6 (source-controller 1.6)"
2.7\:"Flux 2.7 (source-controller 1.7)"
2.8\:"Flux 2.8 (source-controller 1.8)"
2.9\:"Flux 2.9 (source-controller 1.9)"))' \
'--max-signatures=[Maximum number of signatures to evaluate (notation mode; Flux always uses 3)]:N:_default' \
'*-m+[\`key=value\` that must be in the signature'\''s user metadata (notation mode); repeatable]:KEY=VALUE:_default' \
'*--user-metadata=[\`key=value\` that must be in the signature'\''s user metadata (notation mode); repeatable]:KEY=VALUE:_default' \
'-o+[Output format]:OUTPUT:((text\:"Human-readable text"
json\:"One JSON object on stdout"))' \
'--output=[Output format]:OUTPUT:((text\:"Human-readable text"
json\:"One JSON object on stdout"))' \
'*-v[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'*--verbose[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
':file -- The signature envelope file:_files' \
&& ret=0
;;
(inspect)
_arguments "${_arguments_options[@]}" : \
'--media-type=[Envelope media type (default\: from the content)]:MEDIA_TYPE:((application/jose+json\:"\`application/jose+json\`"
application/cose\:"\`application/cose\`"))' \
'-o+[Output format]:OUTPUT:((text\:"Human-readable text"
json\:"One JSON object on stdout"))' \
'--output=[Output format]:OUTPUT:((text\:"Human-readable text"
json\:"One JSON object on stdout"))' \
'*-v[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'*--verbose[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
':file -- The signature envelope file:_files' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_fluxverify__subcmd__envelope__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:fluxverify-envelope-help-command-$line[1]:"
        case $line[1] in
            (verify)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(inspect)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
;;
(completions)
_arguments "${_arguments_options[@]}" : \
'*-v[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'*--verbose[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
':shell -- The shell to generate the script for:(bash elvish fish powershell zsh)' \
&& ret=0
;;
(version)
_arguments "${_arguments_options[@]}" : \
'*-v[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'*--verbose[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(man)
_arguments "${_arguments_options[@]}" : \
'--dir=[Write fluxverify.1 and fluxverify-COMMAND.1 pages into this directory]:DIR:_files' \
'*-v[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'*--verbose[Log what is done on stderr\: -v requests, tag resolution and the trust policy statement used; -vv auth and each signature'\''s checks; -vvv everything. FLUXVERIFY_LOG or RUST_LOG (a filter such as \`fluxverify=debug\`) take precedence]' \
'-h[Print help]' \
'--help[Print help]' \
'-V[Print version]' \
'--version[Print version]' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_fluxverify__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:fluxverify-help-command-$line[1]:"
        case $line[1] in
            (scan)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(verify)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(ls)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(inspect)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(policy)
_arguments "${_arguments_options[@]}" : \
":: :_fluxverify__subcmd__help__subcmd__policy_commands" \
"*::: :->policy" \
&& ret=0

    case $state in
    (policy)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:fluxverify-help-policy-command-$line[1]:"
        case $line[1] in
            (check)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(show)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(explain)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
(certs)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(envelope)
_arguments "${_arguments_options[@]}" : \
":: :_fluxverify__subcmd__help__subcmd__envelope_commands" \
"*::: :->envelope" \
&& ret=0

    case $state in
    (envelope)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:fluxverify-help-envelope-command-$line[1]:"
        case $line[1] in
            (verify)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(inspect)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
(completions)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(version)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(man)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
}

(( $+functions[_fluxverify_commands] )) ||
_fluxverify_commands() {
    local commands; commands=(
'scan:Verify every signed source of a GitOps tree as Flux will (OCIRepository, OCI HelmChart, HelmRelease)\: one CI gate' \
'verify:Verify an artifact'\''s signatures the way Flux (or notation) would' \
'ls:List the signature manifests of an artifact (notation ls)' \
'inspect:Show the signature envelopes of an artifact (notation inspect)' \
'policy:Check, show or explain a trust policy' \
'certs:Show the certificates of the trust material as Flux will use them' \
'envelope:Verify or inspect a single signature envelope file' \
'completions:Print a shell completion script' \
'version:Print the version and the Sigstore public-good trusted root in use (shipped snapshot or cached TUF refresh)' \
'man:Print the man page (fluxverify.1), or write every page (one per command) into DIR' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'fluxverify commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__certs_commands] )) ||
_fluxverify__subcmd__certs_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify certs commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__completions_commands] )) ||
_fluxverify__subcmd__completions_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify completions commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__envelope_commands] )) ||
_fluxverify__subcmd__envelope_commands() {
    local commands; commands=(
'verify:Verify one signature envelope file against the artifact it should sign' \
'inspect:Show the contents of one signature envelope file' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'fluxverify envelope commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__envelope__subcmd__help_commands] )) ||
_fluxverify__subcmd__envelope__subcmd__help_commands() {
    local commands; commands=(
'verify:Verify one signature envelope file against the artifact it should sign' \
'inspect:Show the contents of one signature envelope file' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'fluxverify envelope help commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__envelope__subcmd__help__subcmd__help_commands] )) ||
_fluxverify__subcmd__envelope__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify envelope help help commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__envelope__subcmd__help__subcmd__inspect_commands] )) ||
_fluxverify__subcmd__envelope__subcmd__help__subcmd__inspect_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify envelope help inspect commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__envelope__subcmd__help__subcmd__verify_commands] )) ||
_fluxverify__subcmd__envelope__subcmd__help__subcmd__verify_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify envelope help verify commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__envelope__subcmd__inspect_commands] )) ||
_fluxverify__subcmd__envelope__subcmd__inspect_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify envelope inspect commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__envelope__subcmd__verify_commands] )) ||
_fluxverify__subcmd__envelope__subcmd__verify_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify envelope verify commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__help_commands] )) ||
_fluxverify__subcmd__help_commands() {
    local commands; commands=(
'scan:Verify every signed source of a GitOps tree as Flux will (OCIRepository, OCI HelmChart, HelmRelease)\: one CI gate' \
'verify:Verify an artifact'\''s signatures the way Flux (or notation) would' \
'ls:List the signature manifests of an artifact (notation ls)' \
'inspect:Show the signature envelopes of an artifact (notation inspect)' \
'policy:Check, show or explain a trust policy' \
'certs:Show the certificates of the trust material as Flux will use them' \
'envelope:Verify or inspect a single signature envelope file' \
'completions:Print a shell completion script' \
'version:Print the version and the Sigstore public-good trusted root in use (shipped snapshot or cached TUF refresh)' \
'man:Print the man page (fluxverify.1), or write every page (one per command) into DIR' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'fluxverify help commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__help__subcmd__certs_commands] )) ||
_fluxverify__subcmd__help__subcmd__certs_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify help certs commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__help__subcmd__completions_commands] )) ||
_fluxverify__subcmd__help__subcmd__completions_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify help completions commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__help__subcmd__envelope_commands] )) ||
_fluxverify__subcmd__help__subcmd__envelope_commands() {
    local commands; commands=(
'verify:Verify one signature envelope file against the artifact it should sign' \
'inspect:Show the contents of one signature envelope file' \
    )
    _describe -t commands 'fluxverify help envelope commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__help__subcmd__envelope__subcmd__inspect_commands] )) ||
_fluxverify__subcmd__help__subcmd__envelope__subcmd__inspect_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify help envelope inspect commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__help__subcmd__envelope__subcmd__verify_commands] )) ||
_fluxverify__subcmd__help__subcmd__envelope__subcmd__verify_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify help envelope verify commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__help__subcmd__help_commands] )) ||
_fluxverify__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify help help commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__help__subcmd__inspect_commands] )) ||
_fluxverify__subcmd__help__subcmd__inspect_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify help inspect commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__help__subcmd__ls_commands] )) ||
_fluxverify__subcmd__help__subcmd__ls_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify help ls commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__help__subcmd__man_commands] )) ||
_fluxverify__subcmd__help__subcmd__man_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify help man commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__help__subcmd__policy_commands] )) ||
_fluxverify__subcmd__help__subcmd__policy_commands() {
    local commands; commands=(
'check:Validate the trust policy; report Flux clean-up warnings and lint hints' \
'show:Print the decoded trust policy' \
'explain:Explain which statement applies to REFERENCE, its effective actions and certificates' \
    )
    _describe -t commands 'fluxverify help policy commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__help__subcmd__policy__subcmd__check_commands] )) ||
_fluxverify__subcmd__help__subcmd__policy__subcmd__check_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify help policy check commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__help__subcmd__policy__subcmd__explain_commands] )) ||
_fluxverify__subcmd__help__subcmd__policy__subcmd__explain_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify help policy explain commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__help__subcmd__policy__subcmd__show_commands] )) ||
_fluxverify__subcmd__help__subcmd__policy__subcmd__show_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify help policy show commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__help__subcmd__scan_commands] )) ||
_fluxverify__subcmd__help__subcmd__scan_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify help scan commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__help__subcmd__verify_commands] )) ||
_fluxverify__subcmd__help__subcmd__verify_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify help verify commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__help__subcmd__version_commands] )) ||
_fluxverify__subcmd__help__subcmd__version_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify help version commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__inspect_commands] )) ||
_fluxverify__subcmd__inspect_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify inspect commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__ls_commands] )) ||
_fluxverify__subcmd__ls_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify ls commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__man_commands] )) ||
_fluxverify__subcmd__man_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify man commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__policy_commands] )) ||
_fluxverify__subcmd__policy_commands() {
    local commands; commands=(
'check:Validate the trust policy; report Flux clean-up warnings and lint hints' \
'show:Print the decoded trust policy' \
'explain:Explain which statement applies to REFERENCE, its effective actions and certificates' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'fluxverify policy commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__policy__subcmd__check_commands] )) ||
_fluxverify__subcmd__policy__subcmd__check_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify policy check commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__policy__subcmd__explain_commands] )) ||
_fluxverify__subcmd__policy__subcmd__explain_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify policy explain commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__policy__subcmd__help_commands] )) ||
_fluxverify__subcmd__policy__subcmd__help_commands() {
    local commands; commands=(
'check:Validate the trust policy; report Flux clean-up warnings and lint hints' \
'show:Print the decoded trust policy' \
'explain:Explain which statement applies to REFERENCE, its effective actions and certificates' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'fluxverify policy help commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__policy__subcmd__help__subcmd__check_commands] )) ||
_fluxverify__subcmd__policy__subcmd__help__subcmd__check_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify policy help check commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__policy__subcmd__help__subcmd__explain_commands] )) ||
_fluxverify__subcmd__policy__subcmd__help__subcmd__explain_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify policy help explain commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__policy__subcmd__help__subcmd__help_commands] )) ||
_fluxverify__subcmd__policy__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify policy help help commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__policy__subcmd__help__subcmd__show_commands] )) ||
_fluxverify__subcmd__policy__subcmd__help__subcmd__show_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify policy help show commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__policy__subcmd__show_commands] )) ||
_fluxverify__subcmd__policy__subcmd__show_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify policy show commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__scan_commands] )) ||
_fluxverify__subcmd__scan_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify scan commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__verify_commands] )) ||
_fluxverify__subcmd__verify_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify verify commands' commands "$@"
}
(( $+functions[_fluxverify__subcmd__version_commands] )) ||
_fluxverify__subcmd__version_commands() {
    local commands; commands=()
    _describe -t commands 'fluxverify version commands' commands "$@"
}

if [ "$funcstack[1]" = "_fluxverify" ]; then
    _fluxverify "$@"
else
    compdef _fluxverify fluxverify
fi

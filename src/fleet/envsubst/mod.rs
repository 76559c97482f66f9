//! Flux's postBuild variable substitution: the template language of `fluxcd/pkg/envsubst`
//! ([`eval`]) and kustomize-controller's use of it per resource (`fluxcd/pkg/kustomize`,
//! `kustomize_varsub.go`: [`postbuild`]).
//!
//! The forms (a name is letters, digits and `_`, Unicode letters included):
//!
//! | form | value |
//! |---|---|
//! | `${v}` | the value |
//! | `${v=d}` `${v:=d}` `${v:-d}` `${v:?d}` `${v:+d}` | the value, or `d` when it is empty or unset (all five alike) |
//! | `${#v}` | its length in bytes |
//! | `${v^}` `${v^^}` `${v,}` `${v,,}` | first / all characters upper / lower case |
//! | `${v:off}` `${v:off:len}` | a substring (bytes; negative offsets count from the end) |
//! | `${v#p}` `${v##p}` `${v%p}` `${v%%p}` | shortest / longest glob prefix / suffix removed |
//! | `${v/p/r}` `${v//p/r}` `${v/#p/r}` `${v/%p/r}` | first / every / prefix / suffix occurrence replaced |
//! | `$$` | a literal `$` (so `$${v}` stays `${v}`) |
//!
//! `$v` without braces is text. `${v-d}`, `${v+d}` and `${v?d}` are not forms (`missing
//! closing brace`). Arguments may hold further `${...}`. An unset variable reads as empty
//! unless the substitution is strict (kustomize-controller's `StrictPostBuildSubstitutions`),
//! where it fails with `variable not set (strict mode): "v"` — through Flux 2.8 only for a bare
//! `${v}`, since Flux 2.9 for every form but the default-giving ones.

mod funcs;
mod parse;
pub mod postbuild;

pub use parse::ParseError;
use parse::{parse, Node};

/// Which generation of `fluxcd/pkg/envsubst` to reproduce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Release {
    /// As in Flux 2.3 … 2.8: strict mode checks bare `${v}` only; an empty replace pattern
    /// (`${v/#/x}`) does not parse; a negative substring length panics the controller.
    Flux2_8,
    /// As in Flux 2.9: strict mode also covers `${#v}`, `${v^^}`, `${v:0}`, `${v/a/b}`, `${v#p}`
    /// … (fluxcd/pkg#1167); `${v/#/x}` prepends (fluxcd/pkg#947); `${v:1:-1}` counts back from
    /// the end (fluxcd/pkg#1275, a 2.9.x backport).
    #[default]
    Flux2_9,
}

/// How a template is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Dialect {
    /// Strict mode: an unset variable is an error, not the empty string.
    pub strict: bool,
    /// The envsubst generation.
    pub release: Release,
}

/// Why a template could not be evaluated; `Display` is envsubst's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvsubstError {
    /// The template does not parse.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// Strict mode and the variable is not set (`errVarNotSet` in `template.go`, `%q`-quoted).
    #[error("variable not set (strict mode): {}", crate::golang::quote::go_quote(.0))]
    NotSet(String),
    /// A Go runtime panic the controller recovers from (controller-runtime's wording).
    #[error("panic: {0} [recovered]")]
    Panic(String),
    /// The result is not UTF-8 (a byte offset split a character); Flux's YAML decoder would
    /// refuse the document.
    #[error("the substituted text is not valid UTF-8")]
    NotUtf8,
}

/// Evaluates a template: `vars` gives a variable's value, `None` when it is unset.
pub fn eval(
    text: &str,
    vars: &dyn Fn(&str) -> Option<String>,
    dialect: Dialect,
) -> Result<String, EnvsubstError> {
    let root = parse(text, dialect.release)?;
    let mut out = Vec::with_capacity(text.len());
    evaluate(&root, vars, dialect, &mut out)?;
    String::from_utf8(out).map_err(|_| EnvsubstError::NotUtf8)
}

/// The operators whose contract covers an unset variable (`isDefaultOp`).
fn is_default_op(name: &str) -> bool {
    matches!(name, "-" | "+" | "=" | "?" | ":-" | ":+" | ":=" | ":?")
}

fn evaluate(
    node: &Node,
    vars: &dyn Fn(&str) -> Option<String>,
    dialect: Dialect,
    out: &mut Vec<u8>,
) -> Result<(), EnvsubstError> {
    match node {
        Node::Text(text) => out.extend_from_slice(text.as_bytes()),
        Node::List(nodes) => {
            for node in nodes {
                evaluate(node, vars, dialect, out)?;
            }
        }
        Node::Func { param, name, args } => {
            // Arguments first: a nested unset variable fails even when the default is unused.
            let mut values = Vec::with_capacity(args.len());
            for arg in args {
                let mut value = Vec::new();
                evaluate(arg, vars, dialect, &mut value)?;
                values.push(value);
            }
            let value = vars(param);
            if dialect.strict && value.is_none() {
                let fails = match dialect.release {
                    Release::Flux2_8 => name.is_empty(),
                    Release::Flux2_9 => !is_default_op(name),
                };
                if fails {
                    return Err(EnvsubstError::NotSet(param.clone()));
                }
            }
            let value = value.unwrap_or_default();
            out.extend(funcs::apply(
                name,
                value.as_bytes(),
                &values,
                dialect.release,
            )?);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn with(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    fn lenient(text: &str, vars: &[(&str, &str)]) -> String {
        eval(text, &with(vars), Dialect::default()).unwrap()
    }

    fn strict(text: &str, release: Release) -> Result<String, EnvsubstError> {
        let dialect = Dialect {
            strict: true,
            release,
        };
        eval(text, &with(&[("set", "v"), ("empty", "")]), dialect)
    }

    #[test]
    fn the_forms_flux_documents() {
        let v = [("var01", "abcdEFGH28ij")];
        assert_eq!(lenient("abcdEFGH28ij", &[]), "abcdEFGH28ij");
        assert_eq!(lenient("${#var01}", &v), "12");
        assert_eq!(lenient("${var01^}", &v), "AbcdEFGH28ij");
        assert_eq!(lenient("${var01^^}", &v), "ABCDEFGH28IJ");
        assert_eq!(lenient("${v,}", &[("v", "ABC")]), "aBC");
        assert_eq!(lenient("${v,,}", &[("v", "ABC")]), "abc");
        let path = [("p", "/home/bozo/ideas/thoughts.for.today")];
        assert_eq!(lenient("${p:11}", &path), "ideas/thoughts.for.today");
        assert_eq!(lenient("${p:11:5}", &path), "ideas");
        assert_eq!(lenient("${var=xyz}", &[("var", "abc")]), "abc");
        assert_eq!(lenient("${var=xyz}", &[]), "xyz");
        assert_eq!(lenient("${var:=xyz}", &[]), "xyz");
        assert_eq!(lenient("${var:-xyz}", &[("var", "")]), "xyz");
        // `=` takes the default for an empty value too, unlike a shell.
        assert_eq!(lenient("${var=xyz}", &[("var", "")]), "xyz");
        // `:+` and `:?` behave as `:-`.
        assert_eq!(lenient("${var:+alt}", &[("var", "set")]), "set");
        assert_eq!(lenient("${var:+alt}", &[]), "alt");
        assert_eq!(lenient("${var:?msg}", &[]), "msg");
        let d = [("d", "foo1")];
        assert_eq!(lenient("x ${var=${d}}", &d), "x foo1");
        assert_eq!(lenient("foo: ${var=pre${d}-suf}", &d), "foo: prefoo1-suf");
        let z = [("z", "abcABC123ABCabc")];
        assert_eq!(lenient("${z/%abc/XYZ}", &z), "abcABC123ABCXYZ");
        assert_eq!(lenient("${z/#abc/XYZ}", &z), "XYZABC123ABCabc");
        assert_eq!(lenient("${z//abc/xyz}", &z), "xyzABC123ABCxyz");
        assert_eq!(lenient("${z/abc/xyz}", &z), "xyzABC123ABCabc");
        assert_eq!(lenient("${s/#/pre-}", &[("s", "v")]), "pre-v");
        assert_eq!(lenient("${s/%/-suf}", &[("s", "v")]), "v-suf");
        assert_eq!(lenient(r"${s/\//-}", &[("s", "foo/bar")]), "foo-bar");
        assert_eq!(lenient(r"${s//\//-}", &[("s", "a/b/c")]), "a-b-c");
        assert_eq!(lenient("${s/./}", &[("s", "foo.bar")]), "foobar");
        assert_eq!(lenient("${var=${var01^^}}", &v), "ABCDEFGH28IJ");
    }

    #[test]
    fn escapes_and_text_that_looks_like_variables() {
        let v = [("var01", "abc")];
        assert_eq!(lenient("$${var01}", &v), "${var01}");
        assert_eq!(
            lenient("some text ${var01}$${var$${var01}$var01${var01}", &v),
            "some text abc${var${var01}$var01abc"
        );
        assert_eq!(lenient("x $${var=${d}}", &[("d", "foo")]), "x ${var=foo}");
        assert_eq!(lenient(r"\\x ${var=${d}}", &[("d", "foo")]), r"\\x foo");
        assert_eq!(lenient("$var ${var}", &[("var", "v")]), "$var v");
        assert_eq!(lenient("$$$", &[]), "$$");
        // Pairs collapse left to right: the fourth `$` escapes nothing and `{x}` stays text.
        assert_eq!(lenient("$$$${x}", &[("x", "v")]), "$${x}");
        assert_eq!(lenient("$$${x}", &[("x", "v")]), "$v");
        // An unset variable is empty; so is a name no variable can have.
        assert_eq!(lenient("a${missing}b ${héllo}", &[]), "ab ");
    }

    #[test]
    fn parse_errors_read_as_envsubst_words() {
        let err = |t: &str| {
            eval(t, &with(&[]), Dialect::default())
                .unwrap_err()
                .to_string()
        };
        assert_eq!(err("${var-default}"), "missing closing brace");
        assert_eq!(err("value: '${'"), "unable to parse variable name");
        assert_eq!(err("${a:}"), "unable to parse substitution within function");
        assert_eq!(err("${#}"), "bad substitution");
    }

    #[test]
    fn strict_mode_through_flux_2_8_checks_bare_references_only() {
        let old = Release::Flux2_8;
        assert_eq!(
            strict("${missing}", old).unwrap_err().to_string(),
            r#"variable not set (strict mode): "missing""#
        );
        assert_eq!(strict("${empty}${set}", old).unwrap(), "v");
        for text in [
            "${#missing}",
            "${missing^^}",
            "${missing:0}",
            "${missing/a/b}",
            "${missing%p}",
        ] {
            assert_eq!(
                strict(text, old).unwrap(),
                if text.contains('#') { "0" } else { "" },
                "{text}"
            );
        }
        assert_eq!(strict("${missing:=d}", old).unwrap(), "d");
        // A nested bare reference fails even where its default would not be used.
        assert!(strict("${set:=${missing}}", old).is_err());
    }

    #[test]
    fn strict_mode_since_flux_2_9_covers_every_reading_operator() {
        let new = Release::Flux2_9;
        for text in [
            "${#missing}",
            "${missing^}",
            "${missing^^}",
            "${missing,}",
            "${missing,,}",
            "${missing:0}",
            "${missing:0:10}",
            "${missing/p/r}",
            "${missing//p/r}",
            "${missing/#p/r}",
            "${missing/%p/r}",
            "${missing#p}",
            "${missing##p}",
            "${missing%p}",
            "${missing%%p}",
        ] {
            assert_eq!(
                strict(text, new),
                Err(EnvsubstError::NotSet("missing".into())),
                "{text}"
            );
        }
        assert_eq!(strict("${missing:-fallback}", new).unwrap(), "fallback");
        assert_eq!(strict("${missing:=assigned}", new).unwrap(), "assigned");
        assert_eq!(strict("${missing=assigned}", new).unwrap(), "assigned");
        assert_eq!(strict("${missing:+x}${missing:?y}", new).unwrap(), "xy");
    }
}

//! placeholder
#![allow(missing_docs)]
#[derive(Debug, thiserror::Error)]
#[error("x")]
pub struct EnvsubstError;
pub fn eval(
    text: &str,
    vars: &dyn Fn(&str) -> Option<String>,
    _strict: bool,
) -> Result<String, EnvsubstError> {
    let re = regex::Regex::new(r"\$\{([_a-zA-Z][_a-zA-Z0-9]*)(?::=([^}]*))?\}")
        .map_err(|_| EnvsubstError)?;
    Ok(re
        .replace_all(text, |c: &regex::Captures| {
            vars(&c[1])
                .unwrap_or_else(|| c.get(2).map(|m| m.as_str().to_owned()).unwrap_or_default())
        })
        .into_owned())
}

//! The nesting limit every YAML or JSON input is held to before a parser sees it.
//!
//! serde_norway (libyaml's scanner) gives up at a nesting depth of 128, but only after work that
//! grows with the square of the number of open flow collections: 200 KB of `[` took 44.7 s to
//! end in `recursion limit exceeded`, so one small file stalled a CI gate. Counting the open
//! flow collections (`[`, `{`) first is one linear pass, and a document nested deeper than the
//! parser would accept anyway is refused at once, naming the line and column. Block nesting (by
//! indentation) does not show the growth and stays the parser's to limit. JSON is YAML's flow
//! syntax, so the same pass covers JSON inputs (which fall back to the YAML parser).
//!
//! Written by hand because no crate answers "how deep is this YAML" without parsing it, which
//! is the slow part: the pass only knows where a `[`/`{` can open a collection (not inside a
//! quoted scalar, a comment, a block scalar's text or a plain scalar such as `a[0]`).

/// The deepest nesting of flow collections accepted: serde_norway's own recursion limit, so
/// nothing it would have parsed is refused.
pub const MAX_NESTING: usize = 128;

/// A document nested deeper than [`MAX_NESTING`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("nesting deeper than {MAX_NESTING} levels at line {line} column {column} (refused before parsing)")]
pub struct TooDeep {
    /// 1-based line of the opening bracket past the limit.
    pub line: usize,
    /// 1-based column (in characters) of that bracket.
    pub column: usize,
}

/// Where the pass is in the text between characters.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quote {
    None,
    Single,
    Double,
}

/// Refuses `text` when its flow collections nest deeper than [`MAX_NESTING`].
pub fn check_nesting(text: &str) -> Result<(), TooDeep> {
    let mut depth = 0usize;
    let mut quote = Quote::None;
    // Inside a block scalar (`|`, `>`): the indentation of its parent node, then of its text.
    let mut block_parent: Option<usize> = None;
    let mut block_indent: Option<usize> = None;
    for (index, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if let Some(parent) = block_parent {
            if line.trim().is_empty() {
                continue;
            }
            let content = *block_indent.get_or_insert(indent);
            if content > parent && indent >= content {
                continue;
            }
            block_parent = None;
            block_indent = None;
        }
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        let mut prev: Option<char> = None;
        // Inside an anchor, alias or tag (`&a[` is the anchor `a` on a collection).
        let mut in_property = false;
        while let Some(&c) = chars.get(i) {
            match quote {
                Quote::Single => {
                    if c == '\'' {
                        if chars.get(i + 1) == Some(&'\'') {
                            i += 1;
                        } else {
                            quote = Quote::None;
                        }
                    }
                }
                Quote::Double => {
                    if c == '\\' {
                        i += 1;
                    } else if c == '"' {
                        quote = Quote::None;
                    }
                }
                Quote::None => {
                    let at_token_start = prev.is_none_or(char::is_whitespace);
                    if c.is_whitespace() {
                        in_property = false;
                    } else if at_token_start && matches!(c, '&' | '*' | '!') {
                        in_property = true;
                    }
                    let after_flow_indicator =
                        depth > 0 && prev.is_some_and(|p| matches!(p, '[' | '{' | ',' | ':'));
                    match c {
                        '#' if at_token_start => break,
                        '\'' if at_token_start || after_flow_indicator => quote = Quote::Single,
                        '"' if at_token_start || after_flow_indicator => quote = Quote::Double,
                        // In block context a bracket after other text belongs to a plain
                        // scalar (`a[0]`); after a stray closing bracket it opens again.
                        '[' | '{'
                            if depth > 0
                                || at_token_start
                                || in_property
                                || prev.is_some_and(|p| matches!(p, ']' | '}')) =>
                        {
                            depth += 1;
                            if depth > MAX_NESTING {
                                return Err(TooDeep {
                                    line: index + 1,
                                    column: i + 1,
                                });
                            }
                        }
                        ']' | '}' if depth > 0 => depth -= 1,
                        '|' | '>'
                            if depth == 0
                                && at_token_start
                                && is_block_scalar_header(
                                    chars.get(i + 1..).unwrap_or_default(),
                                ) =>
                        {
                            block_parent = Some(parent_indent(&chars, indent));
                            break;
                        }
                        _ => {}
                    }
                }
            }
            prev = Some(c);
            i += 1;
        }
    }
    Ok(())
}

/// Whether what follows `|` or `>` on its line makes it a block scalar header: indentation and
/// chomping indicators, then nothing but a comment.
fn is_block_scalar_header(rest: &[char]) -> bool {
    let mut rest = rest
        .iter()
        .skip_while(|c| matches!(c, '0'..='9' | '+' | '-'));
    match rest.find(|c| !c.is_whitespace()) {
        None => true,
        Some('#') => true,
        Some(_) => false,
    }
}

/// The indentation of the node a block scalar on this line belongs to: past the `- ` and `? `
/// of block sequence entries and complex keys, the column of the mapping key or of the entry.
fn parent_indent(chars: &[char], indent: usize) -> usize {
    let mut column = indent;
    let mut entry = indent;
    while matches!(chars.get(column), Some('-' | '?')) && chars.get(column + 1) == Some(&' ') {
        entry = column;
        column += 2;
        while chars.get(column) == Some(&' ') {
            column += 1;
        }
    }
    if matches!(chars.get(column), Some('|' | '>')) {
        entry
    } else {
        column
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(depth: usize) -> String {
        format!("{}{}", "[".repeat(depth), "]".repeat(depth))
    }

    #[test]
    fn the_parsers_limit_is_accepted_and_one_more_is_refused() {
        assert_eq!(check_nesting(&nested(MAX_NESTING)), Ok(()));
        assert_eq!(
            check_nesting(&nested(MAX_NESTING + 1)),
            Err(TooDeep {
                line: 1,
                column: MAX_NESTING + 1
            })
        );
        let json = format!("{}1{}", r#"{"a":"#.repeat(200), "}".repeat(200));
        assert_eq!(
            check_nesting(&json),
            Err(TooDeep {
                line: 1,
                column: 5 * MAX_NESTING + 1
            })
        );
    }

    #[test]
    fn the_limit_counts_open_collections_not_brackets() {
        // Many collections one after another, and across lines, never deep.
        let wide = "[1], ".repeat(10_000);
        assert_eq!(check_nesting(&format!("a: [{wide}]\n")), Ok(()));
        let across = format!("a:\n{}", "  - [\n    x]\n".repeat(500));
        assert_eq!(check_nesting(&across), Ok(()));
        let deep = format!("a:\n  b: {}\n", "[\n".repeat(MAX_NESTING + 1));
        assert_eq!(
            check_nesting(&deep),
            Err(TooDeep {
                line: 2 + MAX_NESTING,
                column: 1
            })
        );
    }

    #[test]
    fn brackets_that_open_nothing_are_not_counted() {
        let many = "[".repeat(MAX_NESTING + 1);
        for text in [
            // Quoted scalars, with their escapes, across lines.
            format!("a: '{many}'\nb: \"{many}\"\n"),
            format!("a: 'it''s {many}'\n"),
            format!("a: \"\\\" {many}\"\n"),
            format!("a: \"one\n  {many}\"\n"),
            // Comments.
            format!("a: 1 # {many}\n# {many}\n"),
            // Plain scalars in block context.
            format!("a: x{many}\nb: don't{many}\n"),
            // Block scalars, whatever their indicators, until the text ends.
            format!("a: |\n  {many}\n\n  {many}\nb: 1\n"),
            format!("- key: >-\n    {many}\n  other: 1\n"),
            format!("- |2\n  {many}\n- x\n"),
        ] {
            assert_eq!(check_nesting(&text), Ok(()), "{text}");
        }
    }

    #[test]
    fn text_after_a_block_scalar_is_counted_again() {
        let many = "[".repeat(MAX_NESTING + 1);
        for text in [
            format!("a: |\n  text\nb: {many}\n"),
            // Less indented than the scalar's text, more than its key: no longer its text.
            format!("a:\n  b: |\n      text\n    {many}\n"),
            format!("- key: |\n    text\n  other: {many}\n"),
            // `|` inside a flow collection or after text is no header.
            format!("a: x | {many}\n"),
            // An anchor or a tag right before a collection.
            format!("a: {}\n", "&x[".repeat(MAX_NESTING + 1)),
            format!("a: !t{many}\n"),
        ] {
            assert!(check_nesting(&text).is_err(), "{text}");
        }
    }

    #[test]
    fn quotes_inside_flow_collections_open_after_indicators() {
        let many = "[".repeat(MAX_NESTING + 1);
        assert_eq!(
            check_nesting(&format!("a: [\"{many}\",'{many}']\n")),
            Ok(())
        );
        assert_eq!(check_nesting(&format!("{{\"k\":\"{many}\"}}")), Ok(()));
    }

    /// Random texts never panic the pass, and on texts of brackets alone (where every bracket
    /// opens or closes a collection) it agrees with a plain depth count.
    #[test]
    fn random_texts_agree_with_a_plain_count_on_brackets() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(19);
        let all: Vec<char> = "[]{} ,:'\"#\n|>-?a\\\t".chars().collect();
        for round in 0..2000 {
            let len = rng.gen_range(0..600);
            let text: String = (0..len).map(|_| all[rng.gen_range(0..all.len())]).collect();
            let _ = check_nesting(&text);
            let brackets: String = (0..len)
                .map(|_| {
                    if rng.gen_bool(0.8 - f64::from(round % 4) * 0.1) {
                        '['
                    } else {
                        ']'
                    }
                })
                .collect();
            let mut depth = 0usize;
            let mut first_over = None;
            for (i, c) in brackets.chars().enumerate() {
                if c == '[' {
                    depth += 1;
                    if depth > MAX_NESTING && first_over.is_none() {
                        first_over = Some(i + 1);
                    }
                } else {
                    depth = depth.saturating_sub(1);
                }
            }
            let want = first_over.map(|column| TooDeep { line: 1, column });
            assert_eq!(check_nesting(&brackets).err(), want, "{brackets}");
        }
    }
}

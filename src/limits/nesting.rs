//! The nesting pass: how deep the collections of a YAML (or JSON) text nest, counted in one
//! linear pass before a parser sees the text.
//!
//! serde_norway (libyaml's scanner) gives up at a nesting depth of 128, but only after work that
//! grows faster than the input: 200 KB of `[` took 44.7 s to end in `recursion limit exceeded`,
//! and a megabyte of compact block sequences (`- - - …`) 0.7 s and 180 MB (4 MiB: 4 s, 670 MB),
//! so one small file stalled a CI gate. This pass counts the open collections of both styles —
//! flow (`[`, `{`) and block (a `- ` entry, a `? ` or `key:` mapping, each at its column) — and
//! refuses a document nested deeper than the parser would accept anyway, naming the line and
//! column. JSON is YAML's flow syntax, so the same pass covers JSON inputs.
//!
//! Written by hand because no crate answers "how deep is this YAML" without parsing it, which
//! is the slow part. The pass only knows where a collection can open (a `[` inside a quoted
//! scalar, a comment, a block scalar's text or a plain scalar such as `a[0]` opens nothing) and
//! never counts more collections than the parser opens, so nothing the parser accepts is
//! refused (a test holds it to that against serde_norway itself).

/// The deepest nesting of collections accepted: serde_norway's own recursion limit, so nothing
/// it would have parsed is refused.
pub const MAX_NESTING: usize = 128;

/// A document nested deeper than [`MAX_NESTING`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("nesting deeper than {MAX_NESTING} levels at line {line} column {column} (refused before parsing)")]
pub struct TooDeep {
    /// 1-based line of the collection past the limit.
    pub line: usize,
    /// 1-based column (in characters) where it opens.
    pub column: usize,
}

/// Where the pass is in the text between characters.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quote {
    None,
    Single,
    Double,
}

/// An open block collection: the column its entries or keys start at, and its kind.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Block {
    column: usize,
    sequence: bool,
}

/// The block collections open at a point of the text, innermost last.
#[derive(Default)]
struct Blocks(Vec<Block>);

impl Blocks {
    /// A line of block content starting at `indent`: the collections indented deeper are over.
    fn content_at(&mut self, indent: usize) {
        while self.0.last().is_some_and(|b| b.column > indent) {
            self.0.pop();
        }
    }

    /// A sequence entry (`sequence`) or a mapping key at `column`: either one more entry or key
    /// of the innermost collection, or a new collection inside it.
    fn open(&mut self, column: usize, sequence: bool) {
        self.content_at(column);
        if let Some(top) = self.0.last().copied().filter(|b| b.column == column) {
            if top.sequence == sequence {
                return;
            }
            if !sequence {
                // A key at the column of a sequence that is a mapping's value (`a:` then `- x`
                // at the same indentation): the sequence is over, the key is the mapping's.
                self.0.pop();
                if self
                    .0
                    .last()
                    .is_some_and(|b| b.column == column && !b.sequence)
                {
                    return;
                }
            }
            // Else a sequence at its mapping's indentation: the value of the key above.
        }
        self.0.push(Block { column, sequence });
    }

    fn depth(&self) -> usize {
        self.0.len()
    }
}

/// Whether a line is a document marker (`---`, `...`): block collections end there.
fn is_document_marker(line: &str) -> bool {
    ["---", "..."].iter().any(|marker| {
        line.strip_prefix(marker)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r']))
    })
}

/// Refuses `text` when its collections nest deeper than [`MAX_NESTING`].
pub fn check_nesting(text: &str) -> Result<(), TooDeep> {
    // Open flow collections, and the block collections around them.
    let mut depth = 0usize;
    let mut blocks = Blocks::default();
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
        // Bytes, not chars: every indicator is ASCII, and a line's characters are never
        // collected (a megabyte on one line costs no allocation). Columns in messages are
        // counted in characters.
        let bytes = line.as_bytes();
        let too_deep = |at: usize| TooDeep {
            line: index + 1,
            column: line.get(..at).map_or(at, |head| head.chars().count()) + 1,
        };
        // Where a block node may start on this line (its first token, then the token after each
        // `- `, `? ` or `: ` indicator); none once a key was seen or outside block context.
        let mut node_start = None;
        if depth == 0 && quote == Quote::None {
            if is_document_marker(line) {
                blocks = Blocks::default();
            } else if !matches!(bytes.get(indent), None | Some(b'#' | b'\t')) {
                blocks.content_at(indent);
                node_start = Some(indent);
            }
        }
        let mut i = 0;
        let mut prev: Option<u8> = None;
        // Inside an anchor, alias or tag (`&a[` is the anchor `a` on a collection).
        let mut in_property = false;
        while let Some(&c) = bytes.get(i) {
            match quote {
                Quote::Single => {
                    if c == b'\'' {
                        if bytes.get(i + 1) == Some(&b'\'') {
                            i += 1;
                        } else {
                            quote = Quote::None;
                        }
                    }
                }
                Quote::Double => {
                    if c == b'\\' {
                        i += 1;
                    } else if c == b'"' {
                        quote = Quote::None;
                    }
                }
                Quote::None => {
                    let at_token_start = prev.is_none_or(|p| p.is_ascii_whitespace());
                    if c.is_ascii_whitespace() {
                        in_property = false;
                    } else if at_token_start && matches!(c, b'&' | b'*' | b'!') {
                        in_property = true;
                    }
                    let after_flow_indicator =
                        depth > 0 && prev.is_some_and(|p| matches!(p, b'[' | b'{' | b',' | b':'));
                    let indicator =
                        depth == 0 && bytes.get(i + 1).is_none_or(u8::is_ascii_whitespace);
                    match c {
                        b'#' if at_token_start => break,
                        // A block entry or an explicit key or value opens a node after it.
                        b'-' | b'?' | b':' if indicator && node_start == Some(i) => {
                            if c != b':' {
                                blocks.open(i, c == b'-');
                                if blocks.depth() > MAX_NESTING {
                                    return Err(too_deep(i));
                                }
                            }
                            let next = bytes
                                .get(i + 1..)
                                .unwrap_or_default()
                                .iter()
                                .position(|c| !c.is_ascii_whitespace());
                            node_start = next.map(|n| i + 1 + n);
                        }
                        // `key: `: the node starting this line's last block node is a mapping.
                        b':' if indicator => {
                            if let Some(column) = node_start.take() {
                                blocks.open(column, false);
                                if blocks.depth() > MAX_NESTING {
                                    return Err(too_deep(column));
                                }
                            }
                        }
                        b'\'' if at_token_start || after_flow_indicator => quote = Quote::Single,
                        b'"' if at_token_start || after_flow_indicator => quote = Quote::Double,
                        // In block context a bracket after other text belongs to a plain
                        // scalar (`a[0]`); after a stray closing bracket it opens again.
                        b'[' | b'{'
                            if depth > 0
                                || at_token_start
                                || in_property
                                || prev.is_some_and(|p| matches!(p, b']' | b'}')) =>
                        {
                            depth += 1;
                            // A flow collection as a key holds no block node of this line.
                            node_start = None;
                            if depth + blocks.depth() > MAX_NESTING {
                                return Err(too_deep(i));
                            }
                        }
                        b']' | b'}' if depth > 0 => depth -= 1,
                        b'|' | b'>'
                            if depth == 0
                                && at_token_start
                                && is_block_scalar_header(
                                    bytes.get(i + 1..).unwrap_or_default(),
                                ) =>
                        {
                            block_parent = Some(parent_indent(bytes, indent));
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
fn is_block_scalar_header(rest: &[u8]) -> bool {
    let mut rest = rest
        .iter()
        .skip_while(|c| matches!(c, b'0'..=b'9' | b'+' | b'-'));
    match rest.find(|c| !c.is_ascii_whitespace()) {
        None => true,
        Some(b'#') => true,
        Some(_) => false,
    }
}

/// The indentation of the node a block scalar on this line belongs to: past the `- ` and `? `
/// of block sequence entries and complex keys, the column of the mapping key or of the entry.
fn parent_indent(bytes: &[u8], indent: usize) -> usize {
    let mut column = indent;
    let mut entry = indent;
    while matches!(bytes.get(column), Some(b'-' | b'?')) && bytes.get(column + 1) == Some(&b' ') {
        entry = column;
        column += 2;
        while bytes.get(column) == Some(&b' ') {
            column += 1;
        }
    }
    if matches!(bytes.get(column), Some(b'|' | b'>')) {
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
        // Columns count characters, not bytes.
        assert_eq!(
            check_nesting(&format!("é: {}", "[".repeat(MAX_NESTING))),
            Err(TooDeep {
                line: 1,
                column: 3 + MAX_NESTING
            })
        );
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
        // Two block mappings around the flow collections: the 127th `[` (line 128) is the
        // 129th collection.
        let deep = format!("a:\n  b: {}\n", "[\n".repeat(MAX_NESTING + 1));
        assert_eq!(
            check_nesting(&deep),
            Err(TooDeep {
                line: MAX_NESTING,
                column: 1
            })
        );
    }

    #[test]
    fn block_collections_count_by_their_columns() {
        let over = MAX_NESTING + 1;
        // Compact entries and keys on one line: the 129th indicator.
        for (text, column) in [
            ("- ".repeat(over) + "x\n", 2 * MAX_NESTING + 1),
            ("? ".repeat(over) + "x\n", 2 * MAX_NESTING + 1),
            ("- ".repeat(MAX_NESTING) + "a: 1\n", 2 * MAX_NESTING + 1),
        ] {
            assert_eq!(
                check_nesting(&text),
                Err(TooDeep { line: 1, column }),
                "{text}"
            );
        }
        // A staircase of keys, of entries, and of a sequence at its key's column.
        let keys: String = (0..over)
            .map(|d| format!("{}a:\n", " ".repeat(d)))
            .collect();
        let entries: String = (0..over).map(|d| format!("{}-\n", " ".repeat(d))).collect();
        let same_column: String = (0..over.div_ceil(2))
            .map(|d| format!("{0}a:\n{0}-\n", " ".repeat(2 * d)))
            .collect();
        for (text, line) in [(keys, over), (entries, over), (same_column, over)] {
            assert_eq!(
                check_nesting(&text).map_err(|e| e.line),
                Err(line),
                "{text}"
            );
        }
        // Flow collections inside block ones count together.
        let mixed = format!("{}{}", "- ".repeat(100), "[".repeat(29));
        assert_eq!(
            check_nesting(&mixed),
            Err(TooDeep {
                line: 1,
                column: 200 + 29
            })
        );
        assert_eq!(
            check_nesting(&format!("{}{}", "- ".repeat(100), "[".repeat(28))),
            Ok(())
        );
    }

    #[test]
    fn block_collections_that_end_are_not_counted() {
        // Siblings, dedents, a new document, and a sequence at its key's column ending at the
        // next key: never deeper than a few levels.
        let siblings = "a:\n  b:\n    c: 1\n  d:\n  - x\n  e: 2\nf: 3\n".repeat(2_000);
        assert_eq!(check_nesting(&siblings), Ok(()));
        let documents = format!("{}---\n", "- ".repeat(100) + "x\n").repeat(100);
        assert_eq!(check_nesting(&documents), Ok(()));
        let items = "- a: 1\n  b:\n  - - x\n    - y\n".repeat(1_000);
        assert_eq!(check_nesting(&items), Ok(()));
        // Indicators that open nothing: in scalars, quotes, comments, block scalars and flow
        // collections; plain scalars continued on deeper lines.
        for text in [
            format!("a: {}\n", "- ".repeat(200)),
            format!("a: '{}'\n", "? ".repeat(200)),
            format!("# {}\na: 1\n", "- ".repeat(200)),
            format!("a: |\n  {}\n", "- ".repeat(200)),
            format!("a: [{}]\n", "-1, ".repeat(200)),
            (0..200)
                .map(|d| format!("{}word{d}\n", " ".repeat(d + 2)))
                .fold("a: plain\n".to_owned(), |t, l| t + &l),
            format!("a: {}\n", "x: ".repeat(200)),
        ] {
            assert_eq!(check_nesting(&text), Ok(()), "{text}");
        }
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

    /// A YAML tree for the agreement test: collections of either style, scalars of every kind.
    enum Node {
        Scalar(&'static str),
        Seq(Vec<Node>, bool),
        Map(Vec<Node>, bool),
    }

    impl Node {
        fn depth(&self) -> usize {
            match self {
                Node::Scalar(_) => 0,
                Node::Seq(items, _) | Node::Map(items, _) => {
                    1 + items.iter().map(Node::depth).max().unwrap_or(0)
                }
            }
        }

        fn is_block(&self) -> bool {
            matches!(self, Node::Seq(items, false) | Node::Map(items, false) if !items.is_empty())
        }

        /// Flow style (every collection inside a flow collection is flow too).
        fn flow(&self, out: &mut String) {
            let (items, open, close, map) = match self {
                // A plain scalar cannot hold a flow indicator in flow context.
                Node::Scalar(s) if s.starts_with('a') => return out.push_str("a0"),
                Node::Scalar(s) => return out.push_str(s),
                Node::Seq(items, _) => (items, '[', ']', false),
                Node::Map(items, _) => (items, '{', '}', true),
            };
            out.push(open);
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if map {
                    out.push_str(&format!("k{i}: "));
                }
                item.flow(out);
            }
            out.push(close);
        }

        /// Block style at `indent`; `first` is what the first line starts with instead of its
        /// indentation (a compact `- ` entry of the parent).
        fn block(&self, indent: usize, first: Option<String>, out: &mut String) {
            let (items, map) = match self {
                Node::Seq(items, false) if !items.is_empty() => (items, false),
                Node::Map(items, false) if !items.is_empty() => (items, true),
                _ => unreachable!("only block collections"),
            };
            let mut first = first;
            for (i, item) in items.iter().enumerate() {
                let lead = first.take().unwrap_or_else(|| " ".repeat(indent));
                let head = if map {
                    format!("{lead}k{i}:")
                } else {
                    format!("{lead}-")
                };
                if !item.is_block() {
                    out.push_str(&head);
                    out.push(' ');
                    item.flow(out);
                    out.push('\n');
                } else if !map && i % 2 == 0 {
                    // A compact entry: the item's first line on the entry's line.
                    item.block(indent + 2, Some(format!("{head} ")), out);
                } else if map && matches!(item, Node::Seq(..)) && i % 2 == 1 {
                    // A sequence at its key's column.
                    out.push_str(&head);
                    out.push('\n');
                    item.block(indent, None, out);
                } else {
                    out.push_str(&head);
                    out.push_str(" # comment - [\n");
                    item.block(indent + 1 + i % 3, None, out);
                }
            }
        }
    }

    /// A random chain `depth` deep, with siblings and scalars that look like collections.
    fn random_tree(rng: &mut impl rand::Rng, depth: usize, flow_from: usize) -> Node {
        const SCALARS: [&str; 6] = ["plain", "'- [ {'", "\"? [x\"", "a[0]", "-1", "http://x:1"];
        if depth == 0 {
            return Node::Scalar(SCALARS[rng.gen_range(0..SCALARS.len())]);
        }
        let flow = depth <= flow_from;
        let mut items: Vec<Node> = (0..rng.gen_range(0..3))
            .map(|_| Node::Scalar(SCALARS[rng.gen_range(0..SCALARS.len())]))
            .collect();
        let at = rng.gen_range(0..=items.len());
        items.insert(at, random_tree(rng, depth - 1, flow_from));
        if rng.gen_bool(0.5) {
            Node::Seq(items, flow)
        } else {
            Node::Map(items, flow)
        }
    }

    /// On random documents of both styles around the limit, the pass and serde_norway agree:
    /// what the parser accepts passes, what it refuses for its depth is refused.
    #[test]
    fn the_pass_agrees_with_the_parser_on_random_documents() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(128);
        for _ in 0..300 {
            let depth = rng.gen_range(MAX_NESTING - 8..=MAX_NESTING + 8);
            let flow_from = rng.gen_range(0..depth);
            let tree = random_tree(&mut rng, depth, flow_from);
            assert_eq!(tree.depth(), depth);
            let mut text = String::new();
            if tree.is_block() {
                tree.block(0, None, &mut text);
            } else {
                tree.flow(&mut text);
                text.push('\n');
            }
            let parsed = serde_norway::from_str::<serde_norway::Value>(&text);
            let checked = check_nesting(&text);
            if depth <= MAX_NESTING {
                assert!(parsed.is_ok(), "{depth}: {parsed:?}\n{text}");
                assert_eq!(checked, Ok(()), "{depth}\n{text}");
            } else {
                let error = parsed.unwrap_err().to_string();
                assert!(
                    error.contains("recursion limit exceeded"),
                    "{error}\n{text}"
                );
                assert!(checked.is_err(), "{depth} passed\n{text}");
            }
        }
    }
}

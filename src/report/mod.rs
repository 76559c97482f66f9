//! Text and JSON renderings of verification results.

//! The fleet stage's building blocks that stand on their own: Flux's postBuild variable
//! substitution ([`envsubst`]).

pub mod envsubst;

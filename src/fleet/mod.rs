//! The fleet stage's building blocks that stand on their own: Flux's postBuild variable
//! substitution ([`envsubst`]) and the ArtifactGenerator's composition of artifacts from source
//! files ([`artifact`]).

pub mod artifact;
pub mod envsubst;

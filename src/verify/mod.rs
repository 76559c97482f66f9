//! The validations of one signature in notation-go's order, and the signature loop.

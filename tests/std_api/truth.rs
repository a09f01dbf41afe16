//! Truth tests: the table against rustc.

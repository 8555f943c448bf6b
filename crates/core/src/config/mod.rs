//! Settings: where they live, how they are layered, and how they are read and written safely.

pub mod file;

//! Cargo rebuilds the crate when a file it compiles changes, but not when a
//! folder read by a macro gains, loses or edits a file: `embed_migrations!`
//! reads `migrations/` and `RustEmbed` reads `static/` at compile time.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=static");
    println!("cargo:rerun-if-changed=build.rs");
}

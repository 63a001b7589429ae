//! `include_dir!` compiles the SQL files in, and cargo then tracks the files it read but not
//! files added since: watching the crate's folder rebuilds it when a control or view is added.
fn main() {
    println!("cargo:rerun-if-changed=.");
}

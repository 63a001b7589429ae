//! `include_dir!` compiles the demo account in, and cargo then tracks the files it read but not
//! files added since: watching the folder rebuilds the crate when a demo file is added.
fn main() {
    println!("cargo:rerun-if-changed=../demo");
}

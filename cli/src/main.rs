//! The `relman` command: see [`relman_cli::run`].

fn main() {
    std::process::exit(relman_cli::run(std::env::args_os()));
}

//! The `sepakat` binary: the command line in `sepakat::cli`.

fn main() -> std::process::ExitCode {
    sepakat::cli::main()
}

//! The `sepakat` binary: the command line in `sepakat::cli`.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    sepakat::cli::main()
}

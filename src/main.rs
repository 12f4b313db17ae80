//! The `briefing` command: parses arguments and hands over to [`cli`].

mod cli;

/// mimalloc: the build allocates many small strings and maps from several threads at once.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::run()
}

//! The `briefing` command: parses arguments and hands over to [`cli`].

mod cli;

/// mimalloc: the build allocates many small strings and maps from several threads at once.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    without_huge_pages();
    let code = cli::run();
    exit_now(code)
}

/// End the process with `code`, its output flushed, skipping the allocator's tidying at exit:
/// by now every file is written and closed, and mimalloc would spend tens of milliseconds
/// handing a build's memory back page by page just before the kernel takes all of it at once.
fn exit_now(code: u8) -> std::process::ExitCode {
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    #[cfg(unix)]
    // SAFETY: `_exit` ends the process at once; nothing of ours runs after it, so no state
    // can be left half-made, and the standard streams were flushed above.
    unsafe {
        libc::_exit(code.into())
    }
    #[cfg(not(unix))]
    std::process::ExitCode::from(code)
}

/// Ask Linux not to back this process's memory with transparent huge pages. mimalloc asks for
/// them on its arenas; a build's heap is many small strings spread over partly used 2 MiB
/// pages, so huge pages add ~40 MB to the peak resident memory of a 10,000-article build and
/// make no build faster (docs/performance.md, session 5).
fn without_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes an integer flag and touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

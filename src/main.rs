//! The `briefing` command: parses arguments and hands over to [`cli`].

mod cli;

/// mimalloc: the build allocates many small strings and maps from several threads at once.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    without_huge_pages();
    cli::run()
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

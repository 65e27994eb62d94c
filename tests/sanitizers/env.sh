# Sanitizer runtime settings shared by scripts/sanitize.sh and scripts/fuzz.sh (sourced).
# Suppressions cover third-party libraries only (see the files); never our own code.
_san_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# abort_on_error: a report kills the process (a failed test, a libFuzzer crash), never a warning.
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:${ASAN_OPTIONS_EXTRA:-}"
export LSAN_OPTIONS="suppressions=$_san_dir/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$_san_dir/ubsan.supp"
export TSAN_OPTIONS="halt_on_error=1:ignore_noninstrumented_modules=1:second_deadlock_stack=1:suppressions=$_san_dir/tsan.supp"
# glib's slice allocator recycles memory between threads behind the sanitizers' back (false
# races and leaks); with always-malloc every g_slice block is an ordinary malloc they can see.
export G_SLICE=always-malloc
unset _san_dir

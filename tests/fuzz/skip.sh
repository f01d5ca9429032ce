#!/bin/sh
# Stand-in for the fuzz test when clang (libFuzzer) is not installed.
echo "fuzz: clang++ with -fsanitize=fuzzer not available; skipped"
exit 77

// libFuzzer's driver, for a program that has a main of its own. SwiftPM gives every Swift
// executable a main (renamed, for testable executables, and linked back with --defsym),
// which keeps libFuzzer's own main out of the link; so each fuzz target's main.swift
// runs the driver itself. The function is in the runtime that -sanitize=fuzzer links.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));

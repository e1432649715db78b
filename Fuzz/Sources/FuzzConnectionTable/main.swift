import FuzzSupport

// A closure rather than the function itself: a reference to the @_cdecl function from here
// would emit its C symbol a second time, in this file too.
runFuzzer { fuzzConnectionTable($0, $1) }

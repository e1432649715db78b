// Placeholder until the module has real files.

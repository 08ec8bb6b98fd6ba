"""Helpers every stage may use: atomic file writes, byte and charset sniffing, inline text
clean-up and printed units. They import only the package's base modules (errors, model,
numbers, patterns, version), never a stage."""

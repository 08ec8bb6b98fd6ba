"""A memory budget for the process extracting documents (a worker).

The budget caps the process's data segment (RLIMIT_DATA: its heap and private writable
mappings, not the shared libraries it maps): past it an allocation fails with a
MemoryError, which ends that one document as ``out_of_memory``, instead of the machine swapping
or the kernel's OOM killer choosing a victim, perhaps the process writing the outputs.
"""

from __future__ import annotations

import resource

# The largest real disclosures need a few hundred MiB (OCR'd scans of 100 pages); four
# times that leaves room, and 2 workers under it fit a laptop.
DEFAULT_MEMORY_MIB = 2048
_MIB = 1024 * 1024
_budget: int | None = None


def limit_memory(mib: int) -> None:
    """Let this process (and the programs it starts: LibreOffice) take ``mib`` MiB more than
    it holds now.

    A worker forked from the process writing the outputs inherits its mappings: its VmData
    starts near 1.2 GiB (measured; most of it, it seems, address space the Parquet writer's
    allocator reserved). Counted from zero, that would leave a document nothing.
    """
    global _budget  # noqa: PLW0603 - the budget is the process's own, like its rlimit
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    size = _data_bytes() + mib * _MIB
    if hard != resource.RLIM_INFINITY:
        size = min(size, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (size, hard))
    _budget = mib


def _data_bytes() -> int:
    """The process's data segment now (VmData), in bytes; 0 where /proc cannot tell."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def memory_budget() -> int | None:
    """The memory budget this process was given (MiB), or None when it has none."""
    return _budget

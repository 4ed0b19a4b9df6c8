"""Run every benchmark (``python -m bench [name ...] [--quick]``) and print its figures."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = [
    "bench.audit_chain",
    "bench.signin_timing",
    "bench.records_import",
    "bench.transliteration",
    "bench.screening_accuracy",
    "bench.screening_speed",
    "bench.screening_api",
    "bench.export_lock",
    "bench.load",
    "bench.scaleout",
    "bench.slow_clients",
    "bench.node_sync",
    "bench.document_lookup",
    "bench.messaging",
    "bench.console_pages",
    "bench.analysis_graph",
    "bench.fuzz_parsers",
]


def main(names: list[str]) -> None:
    names = [name for name in names if not name.startswith("--")]
    for module_name in names or BENCHMARKS:
        module = importlib.import_module(
            module_name if "." in module_name else f"bench.{module_name}"
        )
        print(f"== {module_name}")
        module.run()


if __name__ == "__main__":
    main(sys.argv[1:])

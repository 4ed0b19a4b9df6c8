"""One import in its own process, for ``bench.records_import``: prints a JSON line with
the counts, the seconds and the process's peak resident memory."""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from interlink.access import Visibility, VisibilityMode
from interlink.core.db import make_engine
from interlink.members.models import Bureau
from interlink.records.file_import import import_file


def main(url: str, path: str, fmt: str, kind: str) -> None:
    engine = make_engine(url)
    with Session(engine) as session:
        owner = session.scalars(select(Bureau).where(Bureau.code == "FR")).one()
        started = time.perf_counter()
        report = import_file(
            session,
            Path(path),
            fmt,
            kind=kind,
            owner=owner,
            visibility=Visibility(mode=VisibilityMode.ALL_MEMBERS),
            actor_name="bench",
        )
        seconds = time.perf_counter() - started
    engine.dispose()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "records": report.seen,
                "created": report.created,
                "unchanged": report.unchanged,
                "failed": report.failed,
                "seconds": seconds,
                "rss_mb": rss_mb,
            }
        )
    )


if __name__ == "__main__":
    main(*sys.argv[1:5])

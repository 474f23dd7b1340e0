"""How many cases per second each source reads: PDF forms, Excel rows, IMAP mail, JSON folder.

Two numbers per source: `read` is the source alone (items() over the inbox), `read+parse`
adds turning each raw item into a validated case (RPA.PDF form fields, row mapping, JSON).
The IMAP figure needs dovecot and root (it starts the test server from tests/mailservers.py).

    .venv/bin/python bench/sources.py [--count 200]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from runner.models.robot import load_robot  # noqa: E402
from runner.sources.base import RawItem, Source  # noqa: E402
from runner.sources.convert import read_case  # noqa: E402
from runner.store.records import RawItemRecord  # noqa: E402
from tests.sources.helpers import demo_module  # noqa: E402

MAX_BYTES = 10_000_000


def _record(item: RawItem) -> RawItemRecord:
    digest = hashlib.sha256(item.content).hexdigest()
    return RawItemRecord(0, "bench", item.source, item.source_ref, digest, len(item.content),
                         datetime.now(UTC))  # fmt: skip


def measure(name: str, source: Source, config: Any, count: int) -> dict[str, Any]:
    started = time.perf_counter()
    items = list(source.items())
    read = time.perf_counter() - started
    started = time.perf_counter()
    valid = 0
    for item in items:
        try:
            read_case(config, _record(item), item.content, "byggesak")
            valid += 1
        except Exception as error:  # counted, not raised, in a benchmark
            print(f"  {name}: {item.source_ref}: {error}", file=sys.stderr)
    parse = time.perf_counter() - started
    assert len(items) == count, (name, len(items), count)
    return {
        "source": name,
        "cases": count,
        "valid": valid,
        "read_per_s": round(count / read, 1),
        "read_parse_per_s": round(count / (read + parse), 1),
    }


def _forms(folder: Path, count: int) -> None:
    make_form = demo_module("make_form")
    blank = ROOT / "demo" / "forms" / "soknad-mindre-tiltak.pdf"
    for index, case in enumerate(make_form.demo_cases(count)):
        make_form.fill(blank, make_form.form_values(case), folder / f"skjema-{index:05d}.pdf")


def _json(folder: Path, count: int) -> list[bytes]:
    cases = sorted((ROOT / "demo" / "inbox" / "byggesak").glob("*.json"))
    contents = []
    for index in range(count):
        data = json.loads(cases[index % len(cases)].read_text(encoding="utf-8"))
        data["reference"] = f"BS-B-{index:06d}"
        data["attachments"] = []
        content = json.dumps(data, ensure_ascii=False).encode("utf-8")
        (folder / f"{index:06d}.json").write_bytes(content)
        contents.append(content)
    return contents


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args(list(argv) if argv is not None else None)
    from runner.sources.excel import ExcelSource
    from runner.sources.folder import FolderSource
    from runner.sources.pdfform import PdfFormSource

    count = args.count
    results = []
    work = Path(tempfile.mkdtemp(prefix="saksrobot-bench-"))
    try:
        skjema = load_robot(ROOT / "robots" / "byggesak-skjema.yaml").source
        excel = load_robot(ROOT / "robots" / "byggesak-excel.yaml").source
        plain = load_robot(ROOT / "robots" / "byggesak-smatiltak.yaml").source
        for name in ("forms", "excel", "json"):
            (work / name).mkdir()
        _forms(work / "forms", count)
        results.append(measure("pdfform", PdfFormSource(work / "forms", max_bytes=MAX_BYTES),
                               skjema, count))  # fmt: skip
        make_excel = demo_module("make_excel")
        make_excel.write_batch(
            work / "excel" / "batch.xlsx", make_excel.batch_rows(count, bad_row=None)
        )
        batch = ExcelSource(work / "excel", max_bytes=MAX_BYTES, sheet="Saker")
        results.append(measure("excel", batch, excel, count))
        contents = _json(work / "json", count)
        results.append(measure("folder (JSON)", FolderSource(work / "json", max_bytes=MAX_BYTES),
                               plain, count))  # fmt: skip
        results.append(_imap(contents, count))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for result in results:
        print(json.dumps(result, ensure_ascii=False))


def _imap(contents: list[bytes], count: int) -> dict[str, Any]:
    from email.message import EmailMessage

    from runner.sources.configs import ImapSourceConfig
    from runner.sources.imap import ImapSource
    from tests.mailservers import dovecot_missing, running_dovecot

    reason = dovecot_missing()
    if reason:
        return {"source": "imap", "skipped": reason}
    with running_dovecot() as server:
        connection = server.connect()
        for index, content in enumerate(contents):
            message = EmailMessage()
            message["Message-ID"] = f"<bench-{index}@example.no>"
            message["Subject"] = "Søknad"
            message.set_content("Søknad vedlagt.")
            message.add_attachment(content, maintype="application", subtype="json",
                                   filename="soknad.json")  # fmt: skip
            connection.append("INBOX", "", time.time(), message.as_bytes())
        connection.logout()
        source = ImapSource(server.settings, folder="INBOX", handled_folder="Behandlet",
                            max_bytes=MAX_BYTES)  # fmt: skip
        return measure("imap (JSON attached, moved after)", source,
                       ImapSourceConfig(kind="imap"), count)  # fmt: skip


if __name__ == "__main__":
    main()

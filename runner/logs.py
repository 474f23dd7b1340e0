"""Logging set-up: structlog and the standard library's logging through one handler whose
last step before rendering redacts personal data (runner/redaction.py)."""

from __future__ import annotations

import logging
import sys
from typing import Literal, TextIO

import structlog
from structlog.typing import Processor

from runner.redaction import redact

__all__ = ["THIRD_PARTY_LOGGERS", "configure_logging", "get_logger"]

#: Libraries that may install handlers of their own; configure_logging routes them to root.
THIRD_PARTY_LOGGERS = (
    "RPA",
    "robot",
    "alembic",
    "sqlalchemy",
    "sqlalchemy.engine",
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "fastapi",
    "httpx",
    "urllib3",
    "selenium",
    "py.warnings",
)

_SHARED: list[Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.processors.StackInfoRenderer(),
    structlog.processors.format_exc_info,
]


def configure_logging(
    level: str = "info",
    fmt: Literal["console", "json"] = "console",
    stream: TextIO | None = None,
) -> None:
    """Send structlog and the standard library's logging through one redacting handler.

    Logs go to `stream` (default stderr; stdout is kept for the CLI's --json output). The
    handler becomes the only handler of any logger that exists now or is named in
    THIRD_PARTY_LOGGERS: they all propagate to root, so no record is written unredacted.
    Call it again to change level, format or stream. A library that adds a handler later
    (uvicorn's log_config, SQLAlchemy's echo=True, alembic's fileConfig) bypasses this:
    pass log_config=None, use log levels instead of echo, and skip fileConfig.
    """
    numeric_level = logging.getLevelNamesMapping().get(level.upper())
    if numeric_level is None:
        raise ValueError(f"Unknown log level '{level}'; use debug, info, warning or error.")
    target = stream if stream is not None else sys.stderr
    renderer: Processor
    if fmt == "json":
        renderer = structlog.processors.JSONRenderer(ensure_ascii=False)
    else:
        is_terminal = getattr(target, "isatty", None)
        renderer = structlog.dev.ConsoleRenderer(
            colors=bool(is_terminal and is_terminal()),
            exception_formatter=structlog.dev.plain_traceback,
        )
    handler = logging.StreamHandler(target)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*_SHARED[:3], structlog.stdlib.ExtraAdder(), *_SHARED[3:]],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                redact,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    existing = list(logging.Logger.manager.loggerDict.values())
    loggers = [root, *(logging.getLogger(name) for name in THIRD_PARTY_LOGGERS)]
    loggers += [item for item in existing if isinstance(item, logging.Logger)]
    for each in loggers:  # no handler but ours may write a record
        for old in list(each.handlers):
            each.removeHandler(old)
        each.propagate = True
    root.addHandler(handler)
    root.setLevel(numeric_level)
    # Their info lines say nothing an operator needs (RPA.Excel: "Opened workbook: <object>").
    for chatty in ("alembic", "fontTools", "RPA"):
        logging.getLogger(chatty).setLevel(max(numeric_level, logging.WARNING))
    logging.captureWarnings(True)
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_SHARED,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(ignore_frame_names=["runner.logs"]),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    """A structlog logger; `name` defaults to the calling module's name."""
    logger: structlog.stdlib.BoundLogger = (
        structlog.stdlib.get_logger() if name is None else structlog.stdlib.get_logger(name)
    )
    return logger

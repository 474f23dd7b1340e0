"""Build the sources that need settings beyond a path: PDF forms, Excel, IMAP mail, Fiks IO."""

from __future__ import annotations

from pathlib import Path

from runner.errors import ConfigurationError
from runner.kommuner.settings import FiksIoSettings
from runner.settings import Settings
from runner.sources.base import Source
from runner.sources.configs import (
    ExcelSourceConfig,
    FiksIoSourceConfig,
    ImapSourceConfig,
    PdfFormSourceConfig,
)


def make_mapped_source(
    settings: Settings,
    config: PdfFormSourceConfig | ExcelSourceConfig | ImapSourceConfig | FiksIoSourceConfig,
    inbox: Path | None,
) -> Source:
    """The source for a pdfform, excel, imap or fiksio robot (`inbox` overrides a folder
    path)."""
    if isinstance(config, FiksIoSourceConfig):
        return _fiks_io_source(settings, config)
    if isinstance(config, PdfFormSourceConfig):
        from runner.sources.pdfform import PdfFormSource

        path = inbox if inbox is not None else settings.data_dir / config.path
        return PdfFormSource(path, max_bytes=settings.max_input_bytes, pattern=config.pattern)
    if isinstance(config, ExcelSourceConfig):
        from runner.sources.excel import ExcelSource
        from runner.sources.workbook import Limits

        path = inbox if inbox is not None else settings.data_dir / config.path
        return ExcelSource(
            path,
            max_bytes=settings.max_input_bytes,
            pattern=config.pattern,
            sheet=config.sheet,
            header_row=config.header_row,
            limits=Limits(
                max_workbook_bytes=settings.max_workbook_bytes,
                max_workbook_rows=settings.max_workbook_rows,
                max_text_chars=settings.max_text_chars,
            ),
        )
    if settings.imap is None:
        raise ConfigurationError(
            "The robot reads e-mail, but the settings have no [imap] section",
            fix="Add [imap] with host, port and username; give the password in "
            "SAKSROBOT_IMAP__PASSWORD.",
        )
    from runner.sources.imap import ImapSource

    return ImapSource(
        settings.imap,
        folder=config.folder,
        handled_folder=config.handled_folder,
        max_bytes=settings.max_input_bytes,
    )


def fiks_io_account(settings: Settings) -> FiksIoSettings | None:
    """The Fiks IO account a robot's `fiksio` source reads: the default kommune's."""
    return settings.kommune.fiks_io


def _fiks_io_source(settings: Settings, config: FiksIoSourceConfig) -> Source:
    from runner.fiksio.setup import fiks_io_receiver
    from runner.sources.fiksio import FiksIoSource

    account = fiks_io_account(settings)
    if account is None:
        raise ConfigurationError(
            "The robot reads Fiks IO messages, but the kommune has no [kommune.fiks_io]",
            fix="Add [fiks_io] to the kommune's file (or [kommune.fiks_io] to saksrobot.toml) with "
            "account_id, integration_id and the key, certificate and password files, and "
            "[maskinporten] (docs/national-components.md).",
        )
    return FiksIoSource(
        fiks_io_receiver(account, settings.kommune.maskinporten),
        settings.data_dir / config.path,
        message_types=list(config.message_types),
        format=config.format,
        max_bytes=settings.max_input_bytes,
        kommunenummer=settings.kommune.kommunenummer,
    )

"""`saksrobot users add|list|passwd|disable` and `saksrobot serve`: caseworker accounts and
the review page."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from runner.cli.options import (
    SettingsOption,
    StoreOption,
    load_cli_settings,
    open_cli_store,
)
from runner.web.accounts import create_user

if TYPE_CHECKING:
    from runner.settings import Settings
    from runner.store import Store

#: Who the security log names for changes made with `saksrobot users` on the server.
CLI_ACTOR = "cli"

users_app = typer.Typer(
    help="Manage caseworker accounts for the review page.", no_args_is_help=True
)


def _open(settings_file: Path | None, store_url: str | None) -> tuple[Settings, Store]:
    settings = load_cli_settings(settings_file, store_url)
    return settings, open_cli_store(settings)


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Login name, e.g. kari.nordmann.")],
    name: Annotated[str, typer.Option("--name", help="Full name shown in the case history.")],
    kommune: Annotated[
        list[str], typer.Option("--kommune", help="Kommunenummer the user works for (repeat).")
    ],
    role: Annotated[
        str,
        typer.Option(
            "--role", help="caseworker, lead, admin (of its kommuner) or deployment_admin."
        ),
    ] = "caseworker",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    settings_file: SettingsOption = None,
    store_url: StoreOption = None,
) -> None:
    """Add an account; without --password-stdin a random password is printed once."""
    from runner.errors import NotFoundError

    given = sys.stdin.readline().rstrip("\n") if password_stdin else None
    settings = load_cli_settings(settings_file, store_url)
    unknown = [number for number in kommune if not settings.serves(number)]
    if unknown:
        raise NotFoundError(
            f"Kommune {', '.join(unknown)} betjenes ikke av denne installasjonen",
            fix=f"Bruk et kommunenummer den betjener ({', '.join(settings.kommuner)}), "
            f"eller legg til {settings.kommuner_dir}/<nummer>-<navn>.toml først.",
        )
    store = open_cli_store(settings)
    with store:
        password = create_user(
            store,
            username=username,
            full_name=name,
            role=role,
            kommuner=kommune,
            password=given,
        )
        created = store.users.get(username)
        assert created is not None
        store.users.log.record(
            "user_created",
            actor=CLI_ACTOR,
            user_id=created.id,
            role=created.role,
            kommuner=created.kommuner,
        )
    typer.echo(f"Bruker {username} ({role}) er opprettet for kommune {', '.join(kommune)}.")
    if given is None:
        typer.echo(f"Passord (vises bare nå): {password}")


@users_app.command("list")
def users_list(settings_file: SettingsOption = None, store_url: StoreOption = None) -> None:
    """List the accounts."""
    _settings, store = _open(settings_file, store_url)
    with store:
        for user in store.users.list():
            state = "deaktivert" if user.disabled else "aktiv"
            typer.echo(
                f"{user.username}\t{user.full_name}\t{user.role}\t"
                f"{','.join(user.kommuner)}\t{state}"
            )


@users_app.command("passwd")
def users_passwd(
    username: Annotated[str, typer.Argument(help="The account whose password is replaced.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the new password from standard input.")
    ] = False,
    settings_file: SettingsOption = None,
    store_url: StoreOption = None,
) -> None:
    """Set a new password (random unless --password-stdin) and end the account's sessions."""
    from runner.errors import StoreError
    from runner.web.passwords import MIN_LENGTH, hash_password, new_password

    given = sys.stdin.readline().rstrip("\n") if password_stdin else None
    password = given if given is not None else new_password()
    if len(password) < MIN_LENGTH:
        raise StoreError(
            f"The password has fewer than {MIN_LENGTH} characters",
            fix="Choose a longer password, or leave out --password-stdin to get a random one.",
        )
    _settings, store = _open(settings_file, store_url)
    with store:
        user = store.users.set_password_hash(username, hash_password(password), end_sessions=True)
        store.users.log.record("password_reset", actor=CLI_ACTOR, user_id=user.id)
    typer.echo(f"Nytt passord for {username}; alle innloggingar er avslutta.")
    if given is None:
        typer.echo(f"Passord (vises bare nå): {password}")


@users_app.command("disable")
def users_disable(
    username: Annotated[str, typer.Argument(help="The account to disable.")],
    settings_file: SettingsOption = None,
    store_url: StoreOption = None,
) -> None:
    """Disable an account and end its sessions."""

    _settings, store = _open(settings_file, store_url)
    with store:
        user = store.users.set_disabled(username, True)
        store.users.log.record("user_disabled", actor=CLI_ACTOR, user_id=user.id)
    typer.echo(f"Bruker {username} er deaktivert.")


def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    settings_file: SettingsOption = None,
    store_url: StoreOption = None,
) -> None:
    """Serve the caseworker's review page (put it behind HTTPS for anything but localhost)."""
    import uvicorn

    from runner.web.app import create_app

    settings, store = _open(settings_file, store_url)
    with store:
        app = create_app(settings, store)
        typer.echo(f"Saksbehandling: http://{host}:{port}/ (Ctrl+C stopper)")
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_level="warning",
            server_header=False,
            proxy_headers=True,
            forwarded_allow_ips=settings.web.forwarded_allow_ips,
        )


def demo_caseworker(store: Store, settings: Settings, console: Any) -> None:
    """Create the demo caseworker `saksbehandler` (once) and say how to open the review page."""
    username = "saksbehandler"
    kommuner = sorted(settings.kommuner)  # the demo caseworker works for every demo kommune
    console.print(
        "Saksbehandling i nettleseren: .venv/bin/saksrobot serve "
        "--settings demo/saksrobot.toml, og åpne http://127.0.0.1:8000/"
    )
    if store.users.get(username) is not None:
        console.print(f"Demobruker: {username} (passordet ble vist da brukeren ble opprettet)")
        return
    password = create_user(
        store,
        username=username,
        full_name="Demo Saksbehandler",
        role="caseworker",
        kommuner=kommuner,
    )
    console.print(f"Demobruker: {username}, passord (vises bare nå): {password}")

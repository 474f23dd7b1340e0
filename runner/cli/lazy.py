"""Commands whose module is imported only when they run, so `saksrobot --help` stays fast.

Importing a command's module can be costly: `saksrobot rules` pulls in the rule engine
(CEL, jinja2, pydantic models; about 200 ms). The root group lists such a command under its
short help without importing anything, and imports the module when the command runs, when
its own help is asked for, or when the shell completes its arguments.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from importlib import import_module
from typing import Any

import typer
from typer.core import TyperGroup


@dataclass(frozen=True, slots=True)
class LazyCommand:
    """`attribute` of `module` is a typer.Typer (a group of commands) or a command function."""

    module: str
    attribute: str
    help: str  # the short help shown in `saksrobot --help` (tests compare it with the real one)

    def load(self, name: str) -> Any:
        """The click command typer builds for it (a group for a typer.Typer)."""
        target = getattr(import_module(self.module), self.attribute)
        holder = typer.Typer(add_completion=False)  # as app.add_typer / app.command would
        if isinstance(target, typer.Typer):
            holder.add_typer(target, name=name)
        else:
            holder.command(name)(target)
        return typer.main.get_group(holder).commands[name]


class _Commands(MutableMapping[str, Any]):
    """A group's commands: the lazy ones are loaded when looked up, listed without loading."""

    def __init__(self, loaded: MutableMapping[str, Any], lazy: dict[str, LazyCommand]) -> None:
        self.loaded = loaded
        self.lazy = lazy

    def __getitem__(self, name: str) -> Any:
        if name not in self.loaded and name in self.lazy:
            self.loaded[name] = self.lazy[name].load(name)
        return self.loaded[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self.loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self.loaded[name]

    def __iter__(self) -> Iterator[str]:
        yield from self.loaded
        yield from (name for name in self.lazy if name not in self.loaded)

    def __len__(self) -> int:
        return len(self.loaded) + sum(1 for name in self.lazy if name not in self.loaded)

    def is_loaded(self, name: str) -> bool:
        return name in self.loaded


def lazy_group(commands: dict[str, LazyCommand]) -> type[TyperGroup]:
    """A root group class (for `typer.Typer(cls=...)`) that adds `commands` lazily."""

    class LazyGroup(TyperGroup):
        _listing = False

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.commands = _Commands(self.commands, commands)

        def list_commands(self, ctx: Any) -> list[str]:
            return list(self.commands)  # names only: nothing is imported

        def get_command(self, ctx: Any, cmd_name: str) -> Any:
            known = self.commands
            if self._listing and isinstance(known, _Commands) and not known.is_loaded(cmd_name):
                lazy = commands.get(cmd_name)
                if lazy is not None:  # only the name and short help are shown
                    return TyperGroup(name=cmd_name, help=lazy.help)
            return super().get_command(ctx, cmd_name)

        def invoke(self, ctx: Any) -> Any:
            """Run the command; a saksrobot error (a user's mistake: missing settings, a store
            that cannot be opened, an unknown robot) is one message with its fix, exit 2,
            never a traceback."""
            from runner.errors import SaksrobotError

            try:
                return super().invoke(ctx)
            except SaksrobotError as error:
                from runner.cli.options import fail

                fail(error)

        def format_help(self, ctx: Any, formatter: Any) -> None:
            self._listing = True
            try:
                super().format_help(ctx, formatter)
            finally:
                self._listing = False

    return LazyGroup

"""`saksrobot users passwd`: a new password works, the old one does not, sessions end."""

from __future__ import annotations

import re
from datetime import timedelta

from typer.testing import CliRunner

from runner.cli import app
from runner.settings import Settings
from runner.store import open_store
from runner.web.passwords import verify_password

runner = CliRunner()


def test_users_passwd_rotates_and_logs_out(cli_env: dict[str, str], settings: Settings) -> None:
    added = runner.invoke(app, ["users", "add", "kari", "--name", "Kari", "--kommune", "4601"])
    assert added.exit_code == 0, added.output
    old = re.search(r"Passord \(vises bare nå\): (\S+)", added.output)
    assert old is not None
    with open_store(settings.database_url) as store:
        user = store.users.get("kari")
        assert user is not None
        token = "t" * 40
        store.users.start_session(
            user.id, token=token, csrf_token="c" * 32, lifetime=timedelta(hours=1)
        )
        assert store.users.session(token) is not None
    rotated = runner.invoke(app, ["users", "passwd", "kari", "--password-stdin"],
                            input="et-nytt-langt-passord\n")  # fmt: skip
    assert rotated.exit_code == 0, rotated.output
    assert "Passord" not in rotated.output
    with open_store(settings.database_url) as store:
        user = store.users.get("kari")
        assert user is not None
        assert verify_password(user.password_hash, "et-nytt-langt-passord")
        assert not verify_password(user.password_hash, old.group(1))
        assert store.users.session(token) is None
    short = runner.invoke(app, ["users", "passwd", "kari", "--password-stdin"], input="kort\n")
    assert short.exit_code == 2 and "fewer than" in short.output
    assert runner.invoke(app, ["users", "passwd", "nobody"]).exit_code == 2

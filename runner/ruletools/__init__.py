"""Tools for people who write rule sets: run their tests (testing.py), lint them (check.py
with check_rules.py, check_letters.py and lint.py), compare two versions (diff.py,
diff_render.py, revisions.py), re-evaluate a stored decision (replay.py) and start a new rule
set (scaffold.py). `saksrobot rules` and `saksrobot replay` (runner/cli/rules.py) use them.
They build on the rule engine in runner/rules/, which never imports them.
"""

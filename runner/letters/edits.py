"""A caseworker's hand edits carried onto a letter drafted again.

The letter is drafted again from its template when the caseworker answers open points or
chooses another outcome. Their edits to the earlier draft are carried onto the new one by a
three-way merge, line by line (a line is a paragraph, list item or line break in the
letter's Markdown): base = the robot's draft they edited, edited = their text, drafted = the
new draft. Where they and the new draft changed the same passage, nothing is picked: the
merge reports each such passage (their text beside the new text) and the new draft stays as
drafted (runner/web/actions.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from merge3 import Merge3

__all__ = ["Conflict", "MergedLetter", "carry_edits"]


@dataclass(frozen=True, slots=True)
class Conflict:
    """A passage both the caseworker and the new draft changed."""

    edited: str  # the caseworker's text of the passage ("" where they deleted it)
    drafted: str  # the new draft's text of it ("" where the new draft has none)


@dataclass(frozen=True, slots=True)
class MergedLetter:
    """The new draft with the caseworker's edits, or the passages that conflicted."""

    markdown: str  # the merged text (the new draft's text where passages conflict)
    conflicts: tuple[Conflict, ...]

    @property
    def clean(self) -> bool:
        """Whether every edit was carried onto the new draft."""
        return not self.conflicts


def _lines(markdown: str) -> list[str]:
    # Blank lines at the end mean nothing in Markdown: a text with or without them is the same.
    return markdown.replace("\r\n", "\n").rstrip("\n").split("\n")


def carry_edits(base: str, edited: str, drafted: str) -> MergedLetter:
    """Carry the edits that turned `base` into `edited` onto `drafted`, line by line."""
    merged: list[str] = []
    conflicts: list[Conflict] = []
    for group in Merge3(_lines(base), _lines(edited), _lines(drafted)).merge_groups():
        if group[0] == "conflict":
            _, _, theirs, new = group
            conflicts.append(Conflict(edited="\n".join(theirs), drafted="\n".join(new)))
            merged.extend(new)
        else:
            merged.extend(group[1])
    end = "\n" if drafted.endswith("\n") else ""
    return MergedLetter(markdown="\n".join(merged) + end, conflicts=tuple(conflicts))

"""A welfare grant or refusal cannot be approved while the caseworker's assessment (sotjl.
§ 18, fvl. § 25) is still the template's placeholder; written, it is approved and sent."""

from __future__ import annotations

import json
import random
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from demo.synthetic import sosialhjelp_case
from runner.letters.placeholders import open_placeholders
from runner.models.robot import load_robots
from runner.run import run_robot
from runner.store import CaseState, open_store
from runner.web.actions import Reviewer, ReviewError, letter_digest
from tests.web.conftest import review_settings

RECEIVED = datetime(2026, 11, 2, 9, 0, tzinfo=ZoneInfo("Europe/Oslo"))


@pytest.mark.parametrize(("scenario", "outcome"),
                         [("enslig_innvilget", "innvilget"), ("inntekt_over_behov", "avslag")])
def test_approval_waits_for_the_caseworkers_assessment(
    tmp_path: Path, scenario: str, outcome: str
) -> None:
    settings = review_settings(tmp_path / "data")
    robots = load_robots(settings.content_dir / "robots")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    case = sosialhjelp_case(random.Random(5), scenario, reference="SH-W-1", received_at=RECEIVED)
    (inbox / "SH-W-1.json").write_text(json.dumps(case), encoding="utf-8")
    with open_store(settings.database_url) as store:
        run_robot(settings, store, robots["sosialhjelp-livsopphold"], inbox=inbox)
        record = store.find_case("SH-W-1")
        letter = store.latest_letter(record.id)
        assert record.outcome == outcome and record.state == CaseState.pending_review
        assert letter is not None and open_placeholders(letter.markdown)
        reviewer = Reviewer(settings, store, robots)
        # The open points first (answering them drafts the letter again).
        points, _ = reviewer.open_points(record.id)
        if points:
            given = {p.rule_id: ("oppfylt", "Vurdert etter søkerens opplysninger.") for p in points}
            record = reviewer.answer(record.id, "kari", version=record.version, given=given)
            letter = store.latest_letter(record.id)
            assert letter is not None and open_placeholders(letter.markdown)

        with pytest.raises(ReviewError, match="må skrive"):
            reviewer.prepare(record.id, "kari", version=record.version, letter_id=letter.id)
        assert store.get_case(record.id).state == CaseState.pending_review

        # An edit that leaves the placeholder is kept, but still not approved.
        touched = letter.markdown + "\n\nEt tillegg.\n"
        with pytest.raises(ReviewError, match="lagret"):
            reviewer.prepare(record.id, "kari", version=record.version, letter_id=letter.id,
                             markdown=touched)  # fmt: skip
        record = store.get_case(record.id)
        kept = store.latest_letter(record.id)
        assert kept is not None and kept.version == letter.version + 1
        assert record.state == CaseState.pending_review

        start = kept.markdown.index("[[")
        end = kept.markdown.index("]]") + 2
        written = (kept.markdown[:start]
                   + "Søkeren har ingen andre midler, og vi har lagt vekt på at …"
                   + kept.markdown[end:])  # fmt: skip
        final = reviewer.prepare(record.id, "kari", version=record.version, letter_id=kept.id,
                                 markdown=written)  # fmt: skip
        record = store.get_case(record.id)
        reviewer.approve(record.id, "kari", version=record.version, letter_id=final.id,
                         letter_hash=letter_digest(final))  # fmt: skip
        assert store.get_case(record.id).state == CaseState.sent
        sent = store.latest_letter(record.id)
        assert sent is not None and sent.approved_by == "kari"
        assert "[[" not in sent.markdown and "lagt vekt på" in sent.markdown


@pytest.mark.parametrize("malform", ["nb", "nn"])
def test_the_assessment_written_before_the_points_are_answered_is_kept(
    tmp_path: Path, malform: str
) -> None:
    """The caseworker writes the assessment ('Vår vurdering') first, then answers the open
    point: the letter drafted again keeps what they wrote, and can be approved and sent."""
    settings = review_settings(tmp_path / "data")
    robots = load_robots(settings.content_dir / "robots")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    case = sosialhjelp_case(
        random.Random(5), "inntekt_over_behov", reference="SH-W-2", received_at=RECEIVED
    )
    case["malform"] = malform
    (inbox / "SH-W-2.json").write_text(json.dumps(case), encoding="utf-8")
    with open_store(settings.database_url) as store:
        run_robot(settings, store, robots["sosialhjelp-livsopphold"], inbox=inbox)
        record = store.find_case("SH-W-2")
        draft = store.latest_letter(record.id)
        assert draft is not None and draft.malform == malform
        reviewer = Reviewer(settings, store, robots)
        points, _ = reviewer.open_points(record.id)
        assert points and open_placeholders(draft.markdown)

        start, end = draft.markdown.index("[["), draft.markdown.index("]]") + 2
        assessment = "Søkeren har ingen andre midler, og vi har lagt vekt på at …"
        written = draft.markdown[:start] + assessment + draft.markdown[end:]
        with pytest.raises(ReviewError, match="lagret"):  # the point is open; the text is kept
            reviewer.prepare(record.id, "kari", version=record.version, letter_id=draft.id,
                             markdown=written)  # fmt: skip
        edited = store.latest_letter(record.id)
        assert edited is not None and edited.based_on == draft.id

        record = store.get_case(record.id)
        given = {p.rule_id: ("oppfylt", "Vurdert etter søkerens opplysninger.") for p in points}
        record = reviewer.answer(record.id, "kari", version=record.version, given=given)
        letter = store.latest_letter(record.id)
        assert letter is not None and letter.version == edited.version + 2
        assert assessment in letter.markdown and not open_placeholders(letter.markdown)
        assert "Vurdert etter søkerens opplysninger." in letter.markdown  # the new draft's part
        assert store.events(record.id)[-1].kind == "letter_edits_kept"
        assert reviewer.left_out(record.id) is None

        final = reviewer.prepare(record.id, "kari", version=record.version, letter_id=letter.id)
        assert final.id == letter.id
        reviewer.approve(record.id, "kari", version=record.version, letter_id=final.id,
                         letter_hash=letter_digest(final))  # fmt: skip
        assert store.get_case(record.id).state == CaseState.sent
        sent = store.latest_letter(record.id)
        assert sent is not None and sent.id == letter.id and assessment in sent.markdown

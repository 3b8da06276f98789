"""The demo's feedback texts fit the kind of service and its replies the kind of feedback
(issue #18); tests/demo/test_build.py checks the same on a built demo."""

from __future__ import annotations

from caresignals.demo import voice
from caresignals.demo.starter import organisation_rows
from tests.demo.fit import family, reply_problems, text_problems


def _texts(v: voice.Voices) -> list[str]:
    return [*v.positive, *(t for pair in (*v.neutral, *v.negative, *v.complaints) for t in pair)]


def test_every_service_s_texts_use_only_its_own_words() -> None:
    services = [r for r in organisation_rows(2026) if r.kind == "service"]
    pairs = [
        (family(r.code, r.type), t)
        for r in services
        for t in _texts(voice.voices_for(r.code, r.type))
    ]
    assert not text_problems(pairs)
    # Each kind of service has its own texts: a maternity unit's mention midwives, a GP
    # practice's the GP, and no midwife appears on a medical ward.
    assert any("midwi" in t for t in _texts(voice.voices_for("RX1-MAT", "maternity")))
    assert any("GP" in t for t in _texts(voice.voices_for("GP011-PC", "primary_care")))
    assert not any("midwi" in t for t in _texts(voice.voices_for("RX2-MED", "adult_inpatient")))
    assert {voice.voices_for(r.code, r.type) for r in services} == set(voice.VOICES.values())


def test_the_check_catches_a_midwife_on_a_medical_ward() -> None:
    assert text_problems([("", "The midwife was kind.")])
    assert not text_problems([("maternity", "The midwife was kind.")])


def test_replies_fit_the_kind_of_feedback() -> None:
    feedback = [
        {"kind": kind, "reply": reply, "change_description": ""}
        for kind, replies in voice.REPLIES.items()
        for reply in replies
    ]
    assert not reply_problems(feedback)
    assert reply_problems(
        [{"kind": "compliment", "reply": "We are sorry this happened.", "change_description": ""}]
    )


def test_every_complaint_and_concern_has_what_was_done_about_it() -> None:
    for v in voice.VOICES.values():
        for said, done in (*v.neutral, *v.negative, *v.complaints):
            assert voice.WE_DID[said] == done and done.endswith(".")

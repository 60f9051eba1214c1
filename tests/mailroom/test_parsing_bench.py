"""bench/mail_bench.py runs at a tiny size, so it cannot rot: it stores every generated
message, measures the floor and memory, and renders its docs section."""

import pytest

from bench import mail_bench
from mailroom.parsing import parse

pytestmark = pytest.mark.django_db


def test_the_generated_messages_parse_and_some_are_replies_with_attachments():
    raws = mail_bench.messages_generate(60, seed=3)
    parsed = [parse(raw) for raw in raws]
    assert len({p.message_id for p in parsed}) == 60
    assert any(p.in_reply_to for p in parsed) and any(p.attachments for p in parsed)
    again = [parse(raw) for raw in mail_bench.messages_generate(60, seed=3)]
    assert [(p.message_id, p.in_reply_to, p.text) for p in again] == [
        (p.message_id, p.in_reply_to, p.text) for p in parsed
    ]


def test_the_bench_ingests_everything_and_reports_it(tmp_path):
    results = mail_bench.results_of(40, seed=3, agents=3)
    assert results["stored"] == 40 and 0 < results["conversations"] <= 40
    # Three agents of capacity 10: the real routing fills them, no more.
    assert 0 < results["assigned"] <= 30
    assert [at for at, _rss, _peak in results["memory"]] == [40]
    text = mail_bench.report(results, "sqlite")
    assert "| floor: `parse()` alone, same bytes |" in text and "| 40 |" in text
    assert (
        0 < results["routes"] <= 40 and 0 < results["routing_seconds"] < results["ingest_seconds"]
    )
    docs = tmp_path / "performance.md"
    docs.write_text("# Performance\n\nOther benches.\n")
    from bench.routing_bench import marked_section_write

    start, end = mail_bench.docs_markers("sqlite")
    marked_section_write(text, start, end, path=docs)
    marked_section_write(text, start, end, path=docs)
    assert docs.read_text().count(start) == 1
    assert "Other benches." in docs.read_text()

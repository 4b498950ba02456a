from pathlib import Path

from scripts.asyncapi import DOCS, documents


def test_committed_asyncapi_documents_match_the_code() -> None:
    for name, text in documents().items():
        committed = Path(DOCS / f"{name}.json")
        assert committed.exists(), f"{committed} missing: run `make asyncapi`"
        assert committed.read_text(encoding="utf-8") == text, f"{committed} is stale: run `make asyncapi`"


def test_documents_describe_the_contracts() -> None:
    docs = documents()
    assert '"MessagesAccepted"' in docs["ingest"] and '"Receipt"' in docs["ingest"]
    assert '"PrintLetter"' in docs["router"] and '"NotifyCitizen"' in docs["router"]
    assert "recipient_bsn" not in docs["router"]  # internal contracts carry ids, not the BSN

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
    assert '"MessagesDeliveredToBox"' in docs["router"] and '"MessagesDeliveredToBox"' in docs["box"]
    assert '"MessageOpened"' in docs["box"] and '"PreferencesChanged"' in docs["box"]


def test_committed_openapi_document_matches_the_code() -> None:
    from scripts.openapi import PATH, document

    assert PATH.exists(), f"{PATH} missing: run `make openapi`"
    assert PATH.read_text(encoding="utf-8") == document(), f"{PATH} is stale: run `make openapi`"

"""Attachments: size and type limits by extension and by content, storage under a random name, scoped download."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from guanxi.interactions import files, services
from guanxi.interactions.models import Attachment, Interaction
from tests.conftest import login
from tests.factories import CustomerFactory
from tests.factories_interactions import PDF_BYTES

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def _ooxml(folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}document.xml", "<doc/>")
    return buffer.getvalue()


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _log(actor, customer, uploads) -> Interaction:
    return services.interaction_create(
        actor=actor, data=services.InteractionInput(customer=customer, summary="With files"), files=uploads
    )


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("Quote.PDF", PDF_BYTES, "application/pdf"),
        ("photo.png", PNG, "image/png"),
        ("photo.jpeg", JPEG, "image/jpeg"),
        ("contract.docx", _ooxml("word/"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("prices.xlsx", _ooxml("xl/"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16, "application/msword"),
        ("notes.txt", "会议纪要：下周报价".encode("gb18030"), "text/plain"),
        ("bundle.zip", _ooxml("any/"), "application/zip"),
    ],
)
def test_allowed_files_are_stored_under_a_random_name(org, name, content, content_type):
    interaction = _log(org.rep_a, CustomerFactory(owner=org.rep_a), [_upload(name, content)])
    attachment = Attachment.objects.get(interaction=interaction)
    assert attachment.original_name == name
    assert attachment.size == len(content)
    assert attachment.content_type == content_type  # from our table, never from the browser
    assert re.fullmatch(r"interactions/\d{4}/\d{2}/[A-Za-z0-9_-]{24}\.[a-z]+", attachment.file.name)
    assert name.split(".")[0] not in attachment.file.name
    with attachment.file.open("rb") as stored:
        assert stored.read() == content


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("setup.exe", b"MZ\x90\x00", "not an allowed type"),
        ("invoice.pdf", b"MZ\x90\x00 disguised program", "does not look like a PDF"),
        ("photo.png", JPEG, "does not look like a PNG"),
        ("report.docx", _ooxml("xl/"), "does not look like a DOCX"),
        ("report.docx", b"PK\x03\x04 broken", "does not look like a DOCX"),
        ("notes.txt", b"abc\x00\x01binary", "does not look like a TXT"),
        ("empty.pdf", b"", "is empty"),
    ],
)
def test_refused_files_are_named_in_the_error(org, name, content, words):
    customer = CustomerFactory(owner=org.rep_a)
    with pytest.raises(ValidationError) as exc:
        _log(org.rep_a, customer, [_upload(name, content)])
    message = exc.value.message_dict["attachments"][0]
    assert f"“{name}”" in message and words in message
    assert not Interaction.objects.exists() and not Attachment.objects.exists()


def test_files_over_10_mb_are_refused(org, monkeypatch):
    big = _upload("scan.pdf", PDF_BYTES + b"0" * (files.MAX_SIZE + 1 - len(PDF_BYTES)))
    with pytest.raises(ValidationError) as exc:
        _log(org.rep_a, CustomerFactory(owner=org.rep_a), [big])
    assert "“scan.pdf”" in exc.value.message_dict["attachments"][0]
    assert "10 MB" in exc.value.message_dict["attachments"][0]
    exactly = _upload("ok.pdf", PDF_BYTES + b"0" * (files.MAX_SIZE - len(PDF_BYTES)))
    assert _log(org.rep_a, CustomerFactory(owner=org.rep_a), [exactly]).attachments.count() == 1


def test_every_bad_file_is_reported(org):
    with pytest.raises(ValidationError) as exc:
        _log(org.rep_a, CustomerFactory(owner=org.rep_a), [_upload("a.exe", b"x"), _upload("b.pdf", b"nope")])
    messages = exc.value.message_dict["attachments"]
    assert len(messages) == 2 and "“a.exe”" in messages[0] and "“b.pdf”" in messages[1]


def test_download_is_an_attachment_and_scoped(client, org):
    interaction = _log(org.rep_a, CustomerFactory(owner=org.rep_a), [_upload("Offer 报价.pdf", PDF_BYTES)])
    attachment = interaction.attachments.get()
    login(client, org.rep_a)
    response = client.get(reverse("interactions:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''Offer%20%E6%8A%A5%E4%BB%B7.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF_BYTES
    login(client, org.rep_b)
    assert client.get(reverse("interactions:attachment_download", args=[attachment.pk])).status_code == 404


def test_upload_through_the_page(client, org):
    customer = CustomerFactory(owner=org.rep_a)
    login(client, org.rep_a)
    url = reverse("interactions:customer_log", args=[customer.pk])
    response = client.post(
        url,
        {"kind": "meeting", "direction": "none", "summary": "Signed", "attachments": [_upload("a.exe", b"MZ")]},
    )
    assert response.status_code == 422
    assert "“a.exe” is not an allowed type" in response.content.decode()
    assert 'data-field-error="attachments"' in response.content.decode()
    response = client.post(
        url,
        {
            "kind": "meeting",
            "direction": "none",
            "summary": "Signed",
            "attachments": [_upload("a.pdf", PDF_BYTES), _upload("b.png", PNG)],
        },
    )
    assert response.status_code == 302
    assert Attachment.objects.filter(interaction__customer=customer).count() == 2

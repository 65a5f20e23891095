"""X-4: one attachment service — content-checked, size-limited, hashed, versioned, permission-checked."""

import hashlib
import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from marketing_portal.files import attachment_add, attachments_of
from marketing_portal.models import Attachment
from org.services import delegation_create

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63"
                    "000100000500010d0a2db40000000049454e44ae426082")


def _delegation(demo):
    today = timezone.localdate()
    return delegation_create(principal=demo.user("gm"), delegate=demo.user("deputy_gm"), starts_on=today,
                             ends_on=today + timedelta(days=3), reason="出差", by=demo.user("gm"))


def test_upload_is_stored_under_a_generated_name_with_its_hash(demo):
    owner = _delegation(demo)
    attachment = attachment_add(owner=owner, upload=SimpleUploadedFile("授权书.pdf", PDF), by=demo.user("gm"))
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.mime_type == "application/pdf"
    assert attachment.original_name == "授权书.pdf"
    assert "授权书" not in attachment.storage_name and attachment.storage_name.endswith(".pdf")
    assert attachment.file.read() == PDF


def test_a_second_upload_is_a_new_version_and_the_first_is_kept(demo):
    owner = _delegation(demo)
    first = attachment_add(owner=owner, upload=SimpleUploadedFile("a.pdf", PDF), by=demo.user("gm"), slot="scan")
    second = attachment_add(owner=owner, upload=SimpleUploadedFile("b.png", PNG), by=demo.user("gm"), slot="scan")
    assert (first.version, second.version) == (1, 2)
    assert first.storage_name != second.storage_name
    assert [a.version for a in attachments_of(owner, "scan")] == [2, 1]
    first.refresh_from_db()
    assert first.file.read() == PDF


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("合同.pdf", b"MZ\x90\x00" + b"\x00" * 200, "不是允许的文件类型"),  # a program disguised as a PDF
        ("扫描件.jpg", PDF, "内容是"),  # a real PDF with a misleading name
        ("空.pdf", b"", "文件是空的"),
    ],
)
def test_disguised_or_empty_uploads_are_refused(demo, name, content, message):
    from django.utils import translation

    owner = _delegation(demo)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as excinfo:
        attachment_add(owner=owner, upload=SimpleUploadedFile(name, content), by=demo.user("gm"))
    assert message in excinfo.value.messages[0]
    assert Attachment.objects.count() == 0


def test_oversized_upload_is_refused(demo):
    from django.utils import translation

    from marketing_portal.policy import current_policy, policy_update

    current_policy()
    policy_update(changes={"upload_max_mb": 1}, by=demo.user("sysadmin"), reason="测试上限")
    big = PDF + b"0" * (1024 * 1024)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as excinfo:
        attachment_add(owner=_delegation(demo), upload=SimpleUploadedFile("大.pdf", big), by=demo.user("gm"))
    assert "最多可上传 1 MB" in excinfo.value.messages[0]
    assert Attachment.objects.count() == 0


def test_download_only_for_those_who_may_see_the_record(demo, client):
    owner = _delegation(demo)  # visible to the GM, the deputy GM and administrators only
    attachment = attachment_add(owner=owner, upload=SimpleUploadedFile("a.pdf", PDF), by=demo.user("gm"))
    url = reverse("attachment-download", args=[attachment.pk])
    assert client.get(url).status_code == 302  # anonymous -> login
    client.force_login(demo.user("sales_hb"))
    assert client.get(url).status_code == 404  # no right -> not found
    client.force_login(demo.user("deputy_gm"))
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert client.get(reverse("attachment-download", args=[attachment.pk + 999])).status_code == 404


def test_office_spreadsheets_are_recognised_from_content(demo):
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    attachment = attachment_add(owner=_delegation(demo), upload=SimpleUploadedFile("表.xlsx", buffer.getvalue()),
                                by=demo.user("gm"))
    assert attachment.mime_type.endswith("spreadsheetml.sheet")

"""Issue 12 point 8: files chosen together are separate files, a version is a new upload into the same file; images
show a thumbnail and PDFs open in the browser (inline, still permission-checked); no hash fragments in the list; the
accepted types in the help text and in the refusal agree."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from marketing_portal.files import (
    DOCUMENTS,
    accepted_help,
    attachment_add,
    attachments_add,
    attachments_preload,
    files_of,
    latest_attachment,
)
from org.services import delegation_create
from tests.portal.test_files import PDF, PNG

pytestmark = pytest.mark.django_db


def _owner(demo):
    today = timezone.localdate()
    return delegation_create(principal=demo.user("gm"), delegate=demo.user("deputy_gm"), starts_on=today,
                             ends_on=today + timedelta(days=3), reason="出差", by=demo.user("gm"))


def test_files_chosen_together_are_separate_files_and_a_later_upload_is_a_version(demo):
    owner, gm = _owner(demo), demo.user("gm")
    drawing, photo = attachments_add(owner=owner, by=gm, slot="sheet", uploads=[
        SimpleUploadedFile("总平面图.pdf", PDF), SimpleUploadedFile("现场照片.png", PNG)])
    assert [(drawing.document, drawing.version), (photo.document, photo.version)] == [(1, 1), (2, 1)]
    revised = attachment_add(owner=owner, by=gm, slot="sheet", document=drawing.document,
                             upload=SimpleUploadedFile("总平面图（修改）.pdf", PDF + b"%rev"))
    assert (revised.document, revised.version) == (1, 2)
    assert [(current.pk, [e.pk for e in earlier]) for current, earlier in files_of(owner, "sheet")] == [
        (revised.pk, [drawing.pk]), (photo.pk, [])]
    # a single-file slot (the contract text) keeps versioning its one file
    text1 = attachment_add(owner=owner, by=gm, slot="text", upload=SimpleUploadedFile("文本.pdf", PDF))
    text2 = attachment_add(owner=owner, by=gm, slot="text", upload=SimpleUploadedFile("文本第2版.pdf", PDF + b"2"))
    assert (text1.document, text1.version, text2.document, text2.version) == (1, 1, 1, 2)
    assert latest_attachment(owner, "text") == text2


def test_files_preloaded_once_answer_as_the_queries_do(demo, django_assert_num_queries):
    owner, gm = _owner(demo), demo.user("gm")
    drawing, photo = attachments_add(owner=owner, by=gm, slot="sheet", uploads=[
        SimpleUploadedFile("总平面图.pdf", PDF), SimpleUploadedFile("现场照片.png", PNG)])
    attachment_add(owner=owner, by=gm, slot="sheet", document=drawing.document,
                   upload=SimpleUploadedFile("总平面图（修改）.pdf", PDF + b"%rev"))
    for n in range(2):
        attachment_add(owner=owner, by=gm, slot="text", upload=SimpleUploadedFile(f"文本{n}.pdf", PDF + b"%d" % n))
    slots = ("sheet", "text", "none", None)
    expected = ({slot: files_of(owner, slot) for slot in slots},
                {slot: latest_attachment(owner, slot) for slot in slots[:3]})
    with django_assert_num_queries(1):
        attachments_preload(owner)
        found = ({slot: files_of(owner, slot) for slot in slots},
                 {slot: latest_attachment(owner, slot) for slot in slots[:3]})
        [a.uploaded_by.person for a in owner._preloaded_attachments]
    assert found == expected
    assert [a.pk for a, _earlier in found[0]["sheet"]] == [a.pk for a, _earlier in expected[0]["sheet"]]
    assert found[1]["text"] is not None and found[1]["none"] is None


def test_the_list_shows_a_thumbnail_opens_pdfs_in_the_browser_and_no_hash(demo, rf):
    owner, gm = _owner(demo), demo.user("gm")
    pdf, png = attachments_add(owner=owner, by=gm, slot="scan", uploads=[
        SimpleUploadedFile("授权书.pdf", PDF), SimpleUploadedFile("签字页.png", PNG)])
    with translation.override("zh-hans"):
        html = Template('{% load portal %}{% attachments_of owner "scan" %}').render(Context({"owner": owner}))
    url_pdf, url_png = reverse("attachment-download", args=[pdf.pk]), reverse("attachment-download", args=[png.pk])
    assert f'<img src="{url_png}"' in html and 'class="attachment-thumb' in html
    assert f'<a href="{url_pdf}" target="_blank"' in html and f"{url_pdf}?download=1" in html
    assert pdf.sha256[:12] not in html and png.sha256[:12] not in html and "…" not in html
    assert "第2版" not in html and "v1" not in html  # two files, each in its first version


def test_pdf_opens_inline_and_downloads_on_request_with_the_access_check(demo, client):
    owner, gm = _owner(demo), demo.user("gm")
    pdf = attachment_add(owner=owner, by=gm, upload=SimpleUploadedFile("授权书.pdf", PDF))
    url = reverse("attachment-download", args=[pdf.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(demo.user("sales_xb"))
    assert client.get(url).status_code == 404  # cannot see the delegation
    client.force_login(gm)
    inline = client.get(url)
    assert inline.status_code == 200 and inline["Content-Disposition"].startswith("inline")
    assert inline["Content-Type"] == "application/pdf"
    download = client.get(url, {"download": "1"})
    assert download["Content-Disposition"].startswith("attachment")


def test_the_help_text_and_the_refusal_name_the_same_types(demo):
    owner = _owner(demo)
    with translation.override("zh-hans"):
        assert str(accepted_help(DOCUMENTS)) == "允许的文件类型：PDF、JPEG、PNG。"
        with pytest.raises(ValidationError) as refused:
            attachment_add(owner=owner, by=demo.user("gm"), allowed=DOCUMENTS,
                           upload=SimpleUploadedFile("合同.pdf", b"MZ\x90\x00 not a pdf"))
        assert refused.value.messages == ["“合同.pdf”的内容不是允许的文件类型（允许：PDF、JPEG、PNG）。"]


def test_the_sign_form_help_says_what_the_signing_service_accepts():
    from contracts.forms import SignForm

    with translation.override("zh-hans"):
        assert str(SignForm().fields["scan"].help_text) == "允许的文件类型：PDF、JPEG、PNG。"

"""The portal's form renderer writes <select> itself: the same markup as Django's templates, much faster."""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.renderers import DjangoTemplates
from django.utils.html import escape

from marketing_portal.form_renderer import PortalFormRenderer

CHOICES = [("", "---------"), ("1", "张伟 <总监>"), ("2", "李娜 & 王芳"),
           ("国网", [("3", "华北 \"A\""), ("4", "华东")])]


class Sample(forms.Form):
    owner = forms.ChoiceField(choices=CHOICES, required=False)
    owners = forms.MultipleChoiceField(choices=CHOICES[1:], required=False)
    flag = forms.NullBooleanField(required=False)
    region = forms.ChoiceField(choices=CHOICES, widget=forms.Select(attrs={"class": "form-select", "disabled": True,
                                                                          "data-x": "<y>", "hidden": False}))
    radio = forms.ChoiceField(choices=CHOICES[1:3], widget=forms.RadioSelect)


def html_of(renderer, data):
    form = Sample(data=data, renderer=renderer)
    return {name: str(form[name]) for name in form.fields}


def test_every_select_is_written_as_django_writes_it():
    for data in ({}, {"owner": "3", "owners": ["1", "4"], "flag": "true", "region": "2"}):
        assert html_of(PortalFormRenderer(), data) == html_of(DjangoTemplates(), data)


def test_labels_and_values_are_escaped():
    html = str(Sample(renderer=PortalFormRenderer())["owner"])
    assert escape("张伟 <总监>") in html and "<总监>" not in html
    assert 'label="国网"' in html and escape('华北 "A"') in html


def test_the_portal_uses_it(settings):
    from django.forms.renderers import get_default_renderer

    assert settings.FORM_RENDERER == "marketing_portal.form_renderer.PortalFormRenderer"
    get_default_renderer.cache_clear()
    assert isinstance(get_default_renderer(), PortalFormRenderer)


class Inputs(forms.Form):
    """Every input kind the portal's forms use, and a few more, with values and attributes to escape."""

    text = forms.CharField(max_length=20, widget=forms.TextInput(attrs={"placeholder": "<名称> & \"引号\""}))
    number = forms.IntegerField(required=False)
    decimal = forms.DecimalField(required=False, localize=True)
    email = forms.EmailField(required=False)
    url = forms.URLField(required=False, assume_scheme="https")
    password = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    file = forms.FileField(required=False)
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"class": "x", "readonly": True,
                                                                          "hidden": False}))
    when = forms.DateTimeField(required=False)
    time = forms.TimeField(required=False)
    check = forms.BooleanField(required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    scan = forms.FileField(widget=forms.ClearableFileInput(attrs={"accept": ".pdf", "data-x": "<y>"}))

    def __init__(self, *args, **kwargs):
        from marketing_portal.forms import DateField, DateInput

        super().__init__(*args, **kwargs)
        self.fields["portal_date"] = DateField(label="日期", widget=DateInput(), required=False)


class StoredFile(str):
    """A file already stored, as a form's initial value gives it (``FieldFile``: a name and a url)."""

    @property
    def url(self):
        return f"/media/{self}"


def test_every_input_and_textarea_is_written_as_django_writes_it():
    import datetime

    bound = {"text": "张伟 <总监> & \"A\"", "number": "3", "decimal": "1234.5", "email": "a@b.cn", "url": "x",
             "password": "p<w>", "hidden": "'h'", "date": "2026-06-15", "portal_date": "2026/6/15",
             "when": "2026-06-15 08:00", "time": "08:00", "check": "on", "notes": "第一行\n<第二行> & \"引\""}
    initial = {"date": datetime.date(2026, 6, 15), "portal_date": datetime.date(2026, 6, 15), "number": 7,
               "notes": "", "check": True, "file": StoredFile("旧 <版>.pdf"), "scan": StoredFile("扫描.pdf")}
    upload = {"scan": SimpleUploadedFile("新.pdf", b"%PDF-1.4")}
    for kwargs in ({}, {"initial": initial}, {"data": bound}, {"data": {"notes": "", "text": ""}},
                   {"data": bound, "files": upload}, {"data": bound, "files": upload, "initial": initial}):
        portal = Inputs(renderer=PortalFormRenderer(), **kwargs)
        django = Inputs(renderer=DjangoTemplates(), **kwargs)
        for name in django.fields:
            assert str(portal[name]) == str(django[name]), name
            assert portal[name].as_widget(attrs={"class": "form-control"}) == \
                django[name].as_widget(attrs={"class": "form-control"}), name


def test_input_values_are_escaped():
    html = str(Inputs(data={"text": "<b>粗</b>", "notes": "<script>"}, renderer=PortalFormRenderer())["text"])
    assert escape("<b>粗</b>") in html and "<b>" not in html
    html = str(Inputs(data={"notes": "<script>"}, renderer=PortalFormRenderer())["notes"])
    assert escape("<script>") in html and "<script>" not in html

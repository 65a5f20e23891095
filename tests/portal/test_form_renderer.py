"""The portal's form renderer writes <select> itself: the same markup as Django's templates, much faster."""

from __future__ import annotations

from django import forms
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

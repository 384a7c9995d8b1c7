"""Input shapes for the interaction and follow-up pages; the rules live in services, not here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.models import User
from guanxi.customers.models import Contact, Customer, LifecycleStage, Tag
from guanxi.interactions import selectors, services
from guanxi.interactions.files import ALLOWED
from guanxi.interactions.models import FollowUp, Interaction, RevisitPlan

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_field(label: Any, required: bool = False, help_text: Any = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )


class _Styled(forms.Form):
    def _style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")

    def add_service_errors(self, exc: ValidationError) -> None:
        """Put a service's field errors beside the fields; errors about fields the form lacks go on top."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for name, messages in exc.message_dict.items():
            self.add_error(name if name in self.fields else None, messages)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class InteractionForm(_Styled):
    customer = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label=_("Type"), choices=Interaction.Kind.choices, initial=Interaction.Kind.CALL)
    channel = forms.ChoiceField(label=_("Channel"), choices=[("", "—"), *Interaction.Channel.choices], required=False)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=Interaction.Direction.choices, initial=Interaction.Direction.OUTBOUND
    )
    occurred_at = _datetime_field(_("When"), help_text=_("Leave empty for now."))
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), required=False, min_value=0)
    contact = forms.ModelChoiceField(label=_("Contact"), queryset=Contact.objects.none(), required=False)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    outcome = forms.CharField(label=_("Outcome"), required=False, max_length=255)
    next_step = forms.CharField(label=_("Next step"), required=False, max_length=255)
    participants = forms.ModelMultipleChoiceField(
        label=_("Colleagues who took part"), queryset=User.objects.none(), required=False
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Up to 10 MB each: PDF, images, Office documents, text or ZIP."),
    )
    next_follow_up_at = _datetime_field(
        _("Next follow-up"), help_text=_("Optional: plan the next contact now; it goes on your “My day”.")
    )
    next_follow_up_title = forms.CharField(label=_("Next follow-up title"), required=False, max_length=200)

    def __init__(self, *args: Any, customer: Customer | None, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.target_customer = customer
        contact = self.fields["contact"]
        assert isinstance(contact, forms.ModelChoiceField)
        contact.queryset = customer.contacts.all() if customer is not None else Contact.objects.none()
        participants = self.fields["participants"]
        assert isinstance(participants, forms.ModelMultipleChoiceField)
        participants.queryset = User.objects.filter(is_active=True).order_by("username")
        attachments = self.fields["attachments"]
        attachments.widget.attrs["accept"] = ",".join(sorted(ALLOWED))
        if editing:
            del self.fields["next_follow_up_at"]
            del self.fields["next_follow_up_title"]
        self._style()

    def to_input(self) -> services.InteractionInput:
        data = self.cleaned_data
        return services.InteractionInput(
            customer=self.target_customer,
            kind=data["kind"],
            channel=data.get("channel") or "",
            direction=data["direction"],
            occurred_at=data.get("occurred_at"),
            duration_minutes=data.get("duration_minutes"),
            summary=data.get("summary") or "",
            outcome=data.get("outcome") or "",
            next_step=data.get("next_step") or "",
            contact=data.get("contact"),
            participants=list(data.get("participants") or []),
            next_follow_up_at=data.get("next_follow_up_at"),
            next_follow_up_title=data.get("next_follow_up_title") or "",
        )

    @staticmethod
    def initial_for(interaction: Interaction) -> dict[str, Any]:
        return {
            "kind": interaction.kind,
            "channel": interaction.channel,
            "direction": interaction.direction,
            "occurred_at": interaction.occurred_at,
            "duration_minutes": interaction.duration_minutes,
            "contact": interaction.contact_id,
            "summary": interaction.summary,
            "outcome": interaction.outcome,
            "next_step": interaction.next_step,
            "participants": list(interaction.participants.all()),
        }


class FollowUpForm(_Styled):
    customer = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=FollowUp.Kind.choices, initial=FollowUp.Kind.FOLLOW_UP)
    due_at = _datetime_field(_("Due"))
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=User.objects.none(), required=False, help_text=_("Empty: the customer's owner.")
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, customer: Customer | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.target_customer = customer
        assignee = self.fields["assignee"]
        assert isinstance(assignee, forms.ModelChoiceField)
        assignee.queryset = User.objects.filter(is_active=True).order_by("username")
        self._style()

    def to_input(self) -> services.FollowUpInput:
        data = self.cleaned_data
        return services.FollowUpInput(
            customer=self.target_customer,
            title=data.get("title") or "",
            kind=data["kind"],
            due_at=data.get("due_at"),
            assignee=data.get("assignee"),
            notes=data.get("notes") or "",
        )


class CompleteForm(_Styled):
    outcome = forms.CharField(label=_("Outcome"), required=False, max_length=255)
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *((str(n), str(n)) for n in range(1, 6))],
        help_text=_("For revisits: 1 very unhappy … 5 very happy."),
    )
    satisfaction_note = forms.CharField(label=_("Satisfaction note"), required=False, max_length=255)

    def __init__(self, *args: Any, follow_up: FollowUp, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if follow_up.kind != FollowUp.Kind.REVISIT:
            del self.fields["satisfaction"]
            del self.fields["satisfaction_note"]
        self._style()

    def to_input(self) -> services.CompletionInput:
        data = self.cleaned_data
        return services.CompletionInput(
            outcome=data.get("outcome") or "",
            satisfaction=data.get("satisfaction"),
            satisfaction_note=data.get("satisfaction_note") or "",
        )


class InteractionFilterForm(forms.Form):
    kind = forms.ChoiceField(required=False, choices=[("", _("All types")), *Interaction.Kind.choices])
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    date_from = forms.DateField(required=False)
    date_to = forms.DateField(required=False)
    mine = forms.BooleanField(required=False)

    def to_filter(self) -> selectors.InteractionFilter:
        data = self.cleaned_data if self.is_valid() else {}
        return selectors.InteractionFilter(
            kind=data.get("kind") or "",
            customer=data.get("customer"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            mine=bool(data.get("mine")),
        )


class FollowUpFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[(FollowUp.Status.OPEN, _("Open")), ("all", _("Any status")), *FollowUp.Status.choices[1:]],
    )
    kind = forms.ChoiceField(required=False, choices=[("", _("All types")), *FollowUp.Kind.choices])
    assignee = forms.CharField(required=False, max_length=20)
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    due_from = forms.DateField(required=False)
    due_to = forms.DateField(required=False)

    def to_filter(self) -> selectors.FollowUpFilter:
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status") or FollowUp.Status.OPEN
        return selectors.FollowUpFilter(
            status="" if status == "all" else status,
            kind=data.get("kind") or "",
            assignee=data.get("assignee") or "",
            customer=data.get("customer"),
            due_from=data.get("due_from"),
            due_to=data.get("due_to"),
        )


class RevisitPlanForm(_Styled):
    name = forms.CharField(label=_("Name"), required=False, max_length=100)
    trigger = forms.ChoiceField(label=_("When"), choices=RevisitPlan.Trigger.choices)
    interval_days = forms.IntegerField(label=_("Days"), required=False, min_value=1)
    customer = forms.IntegerField(label=_("Customer id"), required=False, help_text=_("Only this customer (optional)."))
    value_tier = forms.CharField(label=_("Value tier"), required=False, max_length=20)
    lifecycle_stage = forms.ChoiceField(
        label=_("Lifecycle stage"), required=False, choices=[("", _("Any")), *LifecycleStage.choices]
    )
    tag = forms.ModelChoiceField(label=_("Tag"), queryset=Tag.objects.all(), required=False)
    title = forms.CharField(label=_("Task title"), required=False, max_length=200)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self._style()

    def to_input(self) -> services.RevisitPlanInput:
        data = self.cleaned_data
        customer = None
        if data.get("customer"):
            customer = Customer.objects.filter(pk=data["customer"]).first()
            if customer is None:
                raise ValidationError({"customer": _("Choose a customer you can see.")})
        return services.RevisitPlanInput(
            name=data.get("name") or "",
            trigger=data["trigger"],
            interval_days=data.get("interval_days"),
            customer=customer,
            value_tier=data.get("value_tier") or "",
            lifecycle_stage=data.get("lifecycle_stage") or "",
            tag=data.get("tag"),
            title=data.get("title") or "",
            active=bool(data.get("active")),
        )

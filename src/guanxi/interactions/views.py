"""Interaction, follow-up, "my day" and revisit plan pages. Thin: requests become selector and service calls.

Forms opened from the customer 360 page are htmx fragments: they answer 422 with the fragment and its field errors,
and on success a short confirmation plus the `guanxi:timeline-changed` / `guanxi:follow-ups-changed` events, which
the 360 page listens to (its timeline and "Open follow-ups" panel reload themselves).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.htmx import render_page
from guanxi.customers.search.selectors import customer_search
from guanxi.interactions import selectors, services
from guanxi.interactions.forms import (
    CompleteForm,
    FollowUpFilterForm,
    FollowUpForm,
    InteractionFilterForm,
    InteractionForm,
    RevisitPlanForm,
)

VIEW = "customers.view"
CHANGE = services.WRITE_PERMISSION
PAGE_SIZES = (25, 50, 100)


def _is_htmx(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not getattr(htmx, "boosted", False)


def _page_size(request: HttpRequest) -> int:
    try:
        size = int(request.GET.get("size", PAGE_SIZES[0]))
    except ValueError:
        return PAGE_SIZES[0]
    return size if size in PAGE_SIZES else PAGE_SIZES[0]


def _triggers(response: HttpResponse, *events: str, **detail: Any) -> HttpResponse:
    response["HX-Trigger"] = json.dumps(dict.fromkeys(events, detail))
    return response


def _posted(request: HttpRequest) -> Any:
    """The POST data of a POST (even an empty one, e.g. a quick complete), None for a GET."""
    return request.POST if request.method == "POST" else None


def _customer_from(request: HttpRequest) -> Any:
    raw = request.POST.get("customer") or request.GET.get("customer")
    if raw and str(raw).isdigit():
        return selectors.customer_for_actor(actor=request.user, pk=int(raw))
    return None


# --- interactions -----------------------------------------------------------------------------------------------------
@permission_required(VIEW, raise_exception=True)
def interaction_list(request: HttpRequest) -> HttpResponse:
    form = InteractionFilterForm(request.GET)
    filters = form.to_filter()
    qs = selectors.interaction_list(actor=request.user, filters=filters)
    page = Paginator(qs, _page_size(request)).get_page(request.GET.get("page"))
    customer = selectors.customer_for_actor(actor=request.user, pk=filters.customer) if filters.customer else None
    context = {
        "form": form,
        "filters": filters,
        "page_obj": page,
        "interactions": page.object_list,
        "page_sizes": PAGE_SIZES,
        "filter_customer": customer,
    }
    return render_page(request, "interactions/list.html", context, fragment="interactions/_table.html")


@permission_required(VIEW, raise_exception=True)
def interaction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    interaction = selectors.interaction_get(actor=request.user, pk=pk)
    context = {
        "interaction": interaction,
        "attachments": list(interaction.attachments.all()),
        "participants": list(interaction.participants.all()),
    }
    return render_page(request, "interactions/detail.html", context)


def _log_form_response(request: HttpRequest, form: InteractionForm, customer: Any, status: int) -> HttpResponse:
    context = {"form": form, "customer": customer, "action": request.path}
    return render_page(request, "interactions/form.html", context, fragment="interactions/_form.html", status=status)


def _log(request: HttpRequest, customer: Any) -> HttpResponse:
    form = InteractionForm(_posted(request), request.FILES if request.method == "POST" else None, customer=customer)
    if request.method == "POST" and form.is_valid():
        try:
            interaction = services.interaction_create(
                actor=request.user,  # type: ignore[arg-type]
                data=form.to_input(),
                files=form.cleaned_data.get("attachments") or [],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            if _is_htmx(request):
                planned = form.cleaned_data.get("next_follow_up_at") is not None
                response = render_page(
                    request,
                    "interactions/_logged.html",
                    {
                        "interaction": interaction,
                        "customer": interaction.customer,
                        "planned": planned,
                        "follow_up_form": None if planned else FollowUpForm(customer=interaction.customer),
                    },
                )
                return _triggers(
                    response, "guanxi:timeline-changed", "guanxi:follow-ups-changed", customer=interaction.customer_id
                )
            messages.success(request, _("Interaction logged."))
            return redirect(interaction.get_absolute_url())
    return _log_form_response(request, form, customer, 422 if form.errors else 200)


@permission_required(CHANGE, raise_exception=True)
def interaction_create(request: HttpRequest) -> HttpResponse:
    """The standalone form: the customer is chosen on the page (or passed as ?customer=)."""
    customer = _customer_from(request)
    if request.method == "POST" and customer is None:
        form = InteractionForm(request.POST, customer=None)
        form.is_valid()
        form.add_error("customer", _("Choose a customer."))
        return _log_form_response(request, form, None, 422)
    return _log(request, customer)


@permission_required(CHANGE, raise_exception=True)
def customer_log(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The short form on the customer 360 page (an htmx fragment; a page when opened directly)."""
    return _log(request, selectors.customer_for_actor(actor=request.user, pk=customer_id))


@permission_required(CHANGE, raise_exception=True)
def interaction_edit(request: HttpRequest, pk: int) -> HttpResponse:
    interaction = selectors.interaction_get(actor=request.user, pk=pk)
    form = InteractionForm(
        _posted(request),
        request.FILES if request.method == "POST" else None,
        customer=interaction.customer,
        editing=True,
        initial=InteractionForm.initial_for(interaction),
    )
    if request.method == "POST" and form.is_valid():
        try:
            interaction = services.interaction_update(
                actor=request.user,  # type: ignore[arg-type]
                interaction=interaction,
                data=form.to_input(),
                files=form.cleaned_data.get("attachments") or [],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Interaction saved."))
            if _is_htmx(request):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = interaction.get_absolute_url()
                return response
            return redirect(interaction.get_absolute_url())
    context = {"form": form, "customer": interaction.customer, "interaction": interaction, "action": request.path}
    status = 422 if form.errors else 200
    return render_page(request, "interactions/form.html", context, fragment="interactions/_form.html", status=status)


@permission_required(VIEW, raise_exception=True)
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = selectors.attachment_get(actor=request.user, pk=pk)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@permission_required(CHANGE, raise_exception=True)
def customer_pick(request: HttpRequest) -> HttpResponse:
    """Customers matching `q` in the actor's scope, as choices for the standalone forms."""
    q = request.GET.get("q", "").strip()[:100]
    found = customer_search(actor=request.user, q=q, limit=10) if q else []
    return render_page(request, "interactions/_customer_pick.html", {"customers": found, "q": q})


# --- follow-ups -------------------------------------------------------------------------------------------------------
@permission_required(VIEW, raise_exception=True)
def follow_up_list(request: HttpRequest) -> HttpResponse:
    form = FollowUpFilterForm(request.GET)
    filters = form.to_filter()
    qs = selectors.follow_up_list(actor=request.user, filters=filters)
    page = Paginator(qs, _page_size(request)).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "filters": filters,
        "page_obj": page,
        "follow_ups": page.object_list,
        "page_sizes": PAGE_SIZES,
        "status_value": request.GET.get("status", ""),
    }
    return render_page(
        request, "interactions/follow_up_list.html", context, fragment="interactions/_follow_up_table.html"
    )


def _plan_form_response(
    request: HttpRequest, form: FollowUpForm, customer: Any, follow_up: Any = None, status: int = 200
) -> HttpResponse:
    context = {"form": form, "customer": customer, "follow_up": follow_up, "action": request.path}
    return render_page(
        request,
        "interactions/follow_up_form.html",
        context,
        fragment="interactions/_follow_up_form.html",
        status=status,
    )


def _plan(request: HttpRequest, customer: Any) -> HttpResponse:
    form = FollowUpForm(_posted(request), customer=customer)
    if request.method == "POST":
        if customer is None:
            form.is_valid()
            form.add_error("customer", _("Choose a customer."))
        elif form.is_valid():
            try:
                follow_up = services.follow_up_create(actor=request.user, data=form.to_input())  # type: ignore[arg-type]
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                if _is_htmx(request):
                    response = render_page(request, "interactions/_planned.html", {"follow_up": follow_up})
                    return _triggers(
                        response, "guanxi:timeline-changed", "guanxi:follow-ups-changed", customer=customer.pk
                    )
                messages.success(request, _("Follow-up planned."))
                return redirect(reverse("interactions:follow_up_list") + f"?customer={customer.pk}")
    return _plan_form_response(request, form, customer, status=422 if form.errors else 200)


@permission_required(CHANGE, raise_exception=True)
def follow_up_create(request: HttpRequest) -> HttpResponse:
    return _plan(request, _customer_from(request))


@permission_required(CHANGE, raise_exception=True)
def customer_follow_up_create(request: HttpRequest, customer_id: int) -> HttpResponse:
    return _plan(request, selectors.customer_for_actor(actor=request.user, pk=customer_id))


@permission_required(VIEW, raise_exception=True)
def customer_follow_ups(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The "Open follow-ups" panel of the 360 page, reloaded after a change."""
    customer = selectors.customer_for_actor(actor=request.user, pk=customer_id)
    context = {
        "customer": customer,
        "follow_ups": selectors.customer_open_follow_ups(actor=request.user, customer=customer),
        "can_change": request.user.has_perm(CHANGE),
    }
    return render_page(request, "interactions/_customer_follow_ups.html", context)


@permission_required(CHANGE, raise_exception=True)
def follow_up_edit(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = selectors.follow_up_get(actor=request.user, pk=pk)
    initial = {
        "title": follow_up.title,
        "kind": follow_up.kind,
        "due_at": follow_up.due_at,
        "assignee": follow_up.assignee_id,
        "notes": follow_up.notes,
    }
    form = FollowUpForm(_posted(request), customer=follow_up.customer, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_update(actor=request.user, follow_up=follow_up, data=form.to_input())  # type: ignore[arg-type]
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Follow-up saved."))
            return redirect(reverse("interactions:follow_up_list") + f"?customer={follow_up.customer_id}")
    return _plan_form_response(request, form, follow_up.customer, follow_up, status=422 if form.errors else 200)


@permission_required(CHANGE, raise_exception=True)
def follow_up_complete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the completion form (outcome, satisfaction for revisits). POST: complete it (no fields: quick complete)."""
    follow_up = selectors.follow_up_get(actor=request.user, pk=pk)
    form = CompleteForm(_posted(request), follow_up=follow_up)
    if request.method == "POST" and form.is_valid():
        try:
            follow_up = services.follow_up_complete(
                actor=request.user,  # type: ignore[arg-type]
                follow_up=follow_up,
                data=form.to_input(),
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            if _is_htmx(request):
                response = render_page(request, "interactions/_follow_up_done.html", {"follow_up": follow_up})
                return _triggers(
                    response, "guanxi:timeline-changed", "guanxi:follow-ups-changed", customer=follow_up.customer_id
                )
            messages.success(request, _("“%(title)s” done.") % {"title": follow_up.title})
            return redirect(request.POST.get("next") or reverse("interactions:my_day"))
    context = {"form": form, "follow_up": follow_up}
    return render_page(
        request,
        "interactions/complete.html",
        context,
        fragment="interactions/_complete_form.html",
        status=422 if form.errors else 200,
    )


@require_POST
@permission_required(CHANGE, raise_exception=True)
def follow_up_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = selectors.follow_up_get(actor=request.user, pk=pk)
    try:
        follow_up = services.follow_up_cancel(actor=request.user, follow_up=follow_up)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("“%(title)s” cancelled.") % {"title": follow_up.title})
    if _is_htmx(request):
        response = render_page(request, "interactions/_follow_up_done.html", {"follow_up": follow_up})
        return _triggers(response, "guanxi:follow-ups-changed", customer=follow_up.customer_id)
    return redirect(reverse("interactions:follow_up_list"))


@permission_required(VIEW, raise_exception=True)
def my_day(request: HttpRequest) -> HttpResponse:
    day = selectors.my_day(actor=request.user)
    context = {"day": day, "can_change": request.user.has_perm(CHANGE)}
    return render_page(request, "interactions/my_day.html", context)


# --- revisit plans ----------------------------------------------------------------------------------------------------
@permission_required(services.PLAN_PERMISSION, raise_exception=True)
def plan_list(request: HttpRequest) -> HttpResponse:
    return render_page(
        request, "interactions/plan_list.html", {"plans": selectors.revisit_plan_list(actor=request.user)}
    )


def _plan_page(request: HttpRequest, plan: Any = None) -> HttpResponse:
    initial: dict[str, Any] = {}
    if plan is not None:
        initial = {
            "name": plan.name,
            "trigger": plan.trigger,
            "interval_days": plan.interval_days,
            "customer": plan.customer_id,
            "value_tier": plan.value_tier,
            "lifecycle_stage": plan.lifecycle_stage,
            "tag": plan.tag_id,
            "title": plan.title,
            "active": plan.active,
        }
    form = RevisitPlanForm(_posted(request), actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.to_input()
            if plan is None:
                services.revisit_plan_create(actor=request.user, data=data)  # type: ignore[arg-type]
            else:
                services.revisit_plan_update(actor=request.user, plan=plan, data=data)  # type: ignore[arg-type]
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Revisit plan saved."))
            return redirect("interactions:plan_list")
    context = {"form": form, "plan": plan}
    return render_page(request, "interactions/plan_form.html", context, status=422 if form.errors else 200)


@permission_required(services.PLAN_PERMISSION, raise_exception=True)
def plan_create(request: HttpRequest) -> HttpResponse:
    return _plan_page(request)


@permission_required(services.PLAN_PERMISSION, raise_exception=True)
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _plan_page(request, selectors.revisit_plan_get(actor=request.user, pk=pk))

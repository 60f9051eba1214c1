"""The quality and callback pages' forms and shared parts, for the firm's and the staff's
views alike (the same scoring form on both call pages, the same queue on both lists)."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.models import User
from clients.models import Engagement, Scorecard
from clients.selectors import scorecards_of
from common.errors import ApplicationError
from common.forms import Form
from common.keyset import Keyset
from common.limits import ROW_ID
from common.views import errors_to_form
from routing.models import Call, CallbackRequest, CallScore
from routing.selectors import call_scores_of
from routing.services.callbacks import callback_assign, callback_done, callback_reopen
from routing.services.quality import TOP_RATING, call_score, may_score

RATINGS = [("", "—"), *[(str(i), str(i)) for i in range(TOP_RATING + 1)]]


class ScoreForm(Form):
    """One rating (0-5) per criterion of the scorecard, and a comment for the agent."""

    comment = forms.CharField(
        required=False,
        max_length=CallScore._meta.get_field("comment").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Comment for the agent",
    )

    def __init__(self, *args, scorecard: Scorecard, score: CallScore | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.scorecard = scorecard
        self.criteria = list(scorecard.criteria.all())
        given = {i.criterion_id: i.rating for i in score.items.all()} if score else {}
        for c in self.criteria:
            self.fields[f"rating_{c.pk}"] = forms.TypedChoiceField(
                choices=RATINGS,
                coerce=int,
                label=f"{c.label} (weight {c.weight})",
                error_messages={"required": "Rate this criterion."},
            )
            if c.pk in given and not self.is_bound:
                self.initial[f"rating_{c.pk}"] = given[c.pk]
        self.order_fields([*(f"rating_{c.pk}" for c in self.criteria), "comment"])
        if score is not None and not self.is_bound:
            self.initial["comment"] = score.comment

    def ratings(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"rating_{c.pk}"] for c in self.criteria}


def quality_context(*, user: User, call: Call, score_url: str) -> dict:
    """What `routing/client/_call_quality.html` shows: the call's scores, and a scoring
    form per active scorecard of its firm when `user` may score this (answered) call.
    `score_url` is the URL name of the scoring view (the firm's or the staff's)."""
    scores = list(call_scores_of(call=call))
    scorable = call.agent_id is not None and call.answered_at is not None
    forms_ = []
    if scorable and may_score(user=user, call=call):
        mine = {s.scorecard_id: s for s in scores if s.scorer_id == user.pk}
        for card in scorecards_of(firm=call.firm).filter(is_active=True):
            forms_.append(
                {
                    "scorecard": card,
                    "form": ScoreForm(scorecard=card, score=mine.get(card.pk)),
                    "url": reverse(score_url, args=[call.pk, card.pk]),
                    "again": card.pk in mine,
                }
            )
    return {"scores": scores, "forms": forms_, "scorable": scorable}


# --- The callback queue ---------------------------------------------------------------------


class CallbackFilterForm(Form):
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Open and assigned"), *CallbackRequest.Status.choices, ("all", "All")],
        label="Status",
    )

    def statuses(self) -> list[str]:
        """The statuses to list: open and assigned unless the filter says otherwise."""
        chosen = self.cleaned_data.get("status", "") if self.is_valid() else ""
        if chosen == "all":
            return []
        return (
            [chosen] if chosen else [CallbackRequest.Status.OPEN, CallbackRequest.Status.ASSIGNED]
        )


class CallbackAssignForm(Form):
    agent = forms.IntegerField(min_value=ROW_ID.low, max_value=ROW_ID.high)


class CallbackDoneForm(Form):
    note = forms.CharField(
        required=False,
        max_length=CallbackRequest._meta.get_field("note").max_length,
        label="Note",
    )


def engaged_by_line(*, firm_ids: set[int]) -> dict[int, list[tuple[int, str]]]:
    """line id -> [(agent id, name)] of the agents actively engaged on it: the assign
    choices of a page of callbacks, in one query."""
    rows = (
        Engagement.objects.filter(firm_id__in=firm_ids, status=Engagement.Status.ACTIVE)
        .values_list("lines", "agent_id", "agent__full_name")
        .order_by("agent__full_name", "agent_id")
    )
    found: dict[int, list[tuple[int, str]]] = {}
    for line_id, agent_id, name in rows:
        if line_id is not None and (agent_id, name) not in found.get(line_id, []):
            found.setdefault(line_id, []).append((agent_id, name))
    return found


# The queue a page at a time, oldest first (the order it is worked in): "All" and "Done" grow
# with every voicemail ever left, and each row is a form.
CALLBACK_PAGES = Keyset("routing.callbacks", ["created_at", "pk"], size=50)


def callback_page(request: HttpRequest, callbacks, *, full_number: bool):
    """One page of the queue (`?cursor=`), and its rows as `callback_rows` draws them."""
    page = CALLBACK_PAGES.page(
        callbacks, cursor=request.GET.get("cursor"), query=request.GET.dict()
    )
    return page, callback_rows(page.rows, full_number=full_number)


def callback_rows(callbacks, *, full_number: bool) -> list[dict]:
    """The queue's rows: each request with its assign choices and the caller as this page
    shows them (the firm sees its own customer's number; the agency sees it masked)."""
    callbacks = list(callbacks)
    choices = engaged_by_line(firm_ids={c.firm_id for c in callbacks})
    return [
        {
            "callback": c,
            "caller": c.call.caller.as_international if full_number else c.call.caller_masked,
            "agents": choices.get(c.line_id, []),
        }
        for c in callbacks
    ]


def score_page(request: HttpRequest, *, call: Call, card: Scorecard, back: str) -> HttpResponse:
    """The scoring form alone (GET), or its POST: saved, back to the call; refused, drawn
    again with the errors beside the ratings. A call nobody answered has no form (the call's
    page offers none): 404, rather than a form every submit of which is refused."""
    if call.agent_id is None or call.answered_at is None:
        raise Http404("Only an answered call can be scored.")
    mine = CallScore.objects.filter(call=call, scorecard=card, scorer=request.user).first()
    form = ScoreForm(request.POST or None, scorecard=card, score=mine)
    if request.method == "POST" and form.is_valid():
        with errors_to_form(form):
            call_score(
                call_id=call.pk,
                scorer=request.user,
                scorecard_id=card.pk,
                ratings=form.ratings(),
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, "Score saved. The agent can read it on their quality page.")
            return redirect(back)
    status = 400 if request.method == "POST" else 200
    context = {"call": call, "card": card, "form": form, "back": back, "again": mine is not None}
    return render(request, "routing/score.html", context, status=status)


def callback_act(request: HttpRequest, *, pk: int, action: str) -> None:
    """One button of the queue: assign (to an engaged agent), done (with a note), reopen. The
    service checks the actor's right; a refusal is the caller's `errors_to_message`."""
    if action == "assign":
        form = CallbackAssignForm(request.POST)
        if not form.is_valid():
            raise ApplicationError("Choose an agent engaged on this line.")
        callback_assign(callback_id=pk, actor=request.user, agent_id=form.cleaned_data["agent"])
        messages.success(request, "Callback assigned.")
    elif action == "done":
        form = CallbackDoneForm(request.POST)
        if not form.is_valid():
            raise ApplicationError(" ".join(form.errors.get("note", ["Check the note."])))
        callback_done(callback_id=pk, actor=request.user, note=form.cleaned_data["note"])
        messages.success(request, "Callback marked done.")
    elif action == "reopen":
        callback_reopen(callback_id=pk, actor=request.user)
        messages.success(request, "Callback reopened.")
    else:
        raise Http404("No such action.")

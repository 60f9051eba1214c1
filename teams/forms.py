"""Forms of the teams pages: the agency's franchise and its agents."""

from django import forms

from accounts.models import User
from agents.gazetteer import place_find
from agents.models import AgentProfile
from common.forms import Form
from common.limits import bounds
from teams.models import Franchise


class FranchiseForm(Form):
    name = forms.CharField(max_length=100)
    city = forms.CharField(
        max_length=150,
        help_text="Start typing and pick the city from the list.",
        widget=forms.TextInput(attrs={"list": "city-options", "autocomplete": "off"}),
    )
    geoname_id = forms.IntegerField(
        widget=forms.HiddenInput, required=False, **bounds(Franchise, "geoname_id")
    )
    lead = forms.ModelChoiceField(
        queryset=User.objects.filter(role=User.Role.TEAM_LEAD, is_active=True).order_by("email"),
        required=False,
        help_text="A user with the team lead role; a lead leads one franchise.",
    )

    def clean(self):
        data = super().clean()
        if not data.get("geoname_id") and data.get("city"):
            # Typed without picking from the list: 'Kochi, Kerala' matched exactly.
            name, _, state = data["city"].partition(",")
            place = place_find(name, country_code="IN", state=state.strip())
            data["geoname_id"] = place.geoname_id if place else None
        return data

    @classmethod
    def initial_for(cls, franchise: Franchise) -> dict:
        city = ", ".join(p for p in (franchise.city, franchise.state) if p)
        return {
            "name": franchise.name,
            "city": city,
            "geoname_id": franchise.geoname_id,
            "lead": franchise.lead_id,
        }


class MemberAddForm(Form):
    agent = forms.ModelChoiceField(
        queryset=AgentProfile.objects.order_by("full_name", "pk"),
        help_text="An agent is in one franchise at most.",
    )


class MemberRemoveForm(Form):
    agent = forms.ModelChoiceField(queryset=AgentProfile.objects.all(), widget=forms.HiddenInput)

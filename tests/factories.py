import factory
from allauth.account.models import EmailAddress

from accounts.models import User
from agents.models import AgentProfile

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    role = User.Role.AGENT
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class AgentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgentProfile

    user = factory.SubFactory(UserFactory, role=User.Role.AGENT)
    full_name = factory.LazyAttribute(lambda o: o.user.name)
    city = "Mangaluru"
    state = "Karnataka"
    latitude = 12.91723
    longitude = 74.85603

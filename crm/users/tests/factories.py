import factory

from crm.users.models import User

DEFAULT_PASSWORD = "Correct-horse-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    role = User.Role.CLIENT
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)
    password_strength = "strong"

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    """A back-office user; the back office reads English in tests."""

    role = User.Role.STAFF
    is_superuser = True
    language = "en-US"

"""Test data factories (factory_boy); the demo fixture is never used in tests."""

import factory

from accounts.models import Company, User

PASSWORD = "correct horse battery staple"


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company
        django_get_or_create = ("customer_number",)

    name = factory.Sequence(lambda n: f"Société {n}")
    customer_number = factory.Sequence(lambda n: f"CLI-{n:05d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@client.example")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Client{n}")
    company = factory.SubFactory(CompanyFactory)
    role = User.Role.MEMBER

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


class StaffFactory(UserFactory):
    email = factory.Sequence(lambda n: f"engineer{n}@aplicit.example")
    company = None
    is_staff = True

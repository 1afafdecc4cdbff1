"""GraphQL for accounts: who is calling, sign-in, sign-out and password reset."""

from __future__ import annotations

import graphene
from django.contrib.auth import logout as session_logout

from cms.access import caller_of

from . import services
from .throttle import client_address


class CompanyType(graphene.ObjectType):
    """A client company: the caller's own, or any for staff. Each field scopes to the
    caller (a selector decides), whichever path reaches the company."""

    class Meta:
        name = "Company"

    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    customer_number = graphene.String(required=True)
    is_active = graphene.Boolean(
        required=True, description="False: a deactivated company (no portal access)."
    )


def company_field_add(name: str, field: graphene.Field) -> None:
    """Give :class:`CompanyType` a field of an app above accounts (the catalogue's
    subscriptions, the downloads' history), which accounts cannot import. Called
    when that app's ``graphql`` module loads, before the schema is built; ``field``
    brings its own resolver, which scopes to the caller in a selector."""
    CompanyType._meta.fields[name] = field


class Role(graphene.Enum):
    ADMIN = "admin"
    MEMBER = "member"


class MeType(graphene.ObjectType):
    """The signed-in person."""

    class Meta:
        name = "Me"

    email = graphene.String(required=True)
    first_name = graphene.String(required=True)
    last_name = graphene.String(required=True)
    full_name = graphene.String(required=True)
    is_staff = graphene.Boolean(required=True)
    company = graphene.Field(CompanyType)
    role = graphene.Field(Role, description="Null for the reseller's staff.")

    @staticmethod
    def resolve_full_name(user, info) -> str:
        return user.get_full_name() or user.email

    @staticmethod
    def resolve_role(user, info):
        return user.role if user.company_id else None


class AccountsQuery(graphene.ObjectType):
    me = graphene.Field(MeType, description="The signed-in person; null if anonymous.")

    @staticmethod
    def resolve_me(root, info):
        caller = caller_of(info.context)
        return None if caller.is_anonymous else caller.person


class Login(graphene.Mutation):
    """Exchange an e-mail and a password for a bearer token."""

    class Arguments:
        email = graphene.String(required=True)
        password = graphene.String(required=True)

    token = graphene.String(required=True)
    expires_at = graphene.DateTime(required=True)
    me = graphene.Field(
        MeType,
        required=True,
        description="As this request sees it (anonymous until the token is sent): "
        "read the company's catalogue with `myCompany` once signed in.",
    )

    @staticmethod
    def mutate(root, info, email: str, password: str):
        token, raw = services.token_login(
            request=info.context, email=email, password=password
        )
        return Login(token=raw, expires_at=token.expires_at, me=token.user)


def resolve_logout(root, info) -> bool:
    request = info.context
    if request.api_token is not None:
        services.token_logout(token=request.api_token)
        return True
    if request.user.is_authenticated:
        session_logout(request)
        return True
    return False


def resolve_request_password_reset(root, info, email: str) -> bool:
    services.password_reset_request(email=email, address=client_address(info.context))
    return True


def resolve_reset_password(root, info, uid: str, token: str, new_password: str) -> bool:
    services.password_reset_confirm(uid=uid, token=token, new_password=new_password)
    return True


class AccountsMutation(graphene.ObjectType):
    login = Login.Field()
    logout = graphene.Boolean(
        required=True,
        description="Revoke the token in use (or end the session).",
        resolver=resolve_logout,
    )
    request_password_reset = graphene.Boolean(
        required=True,
        email=graphene.String(required=True),
        description="Mail a one-time reset link; same answer for any address.",
        resolver=resolve_request_password_reset,
    )
    reset_password = graphene.Boolean(
        required=True,
        uid=graphene.String(required=True),
        token=graphene.String(required=True),
        new_password=graphene.String(required=True),
        resolver=resolve_reset_password,
    )

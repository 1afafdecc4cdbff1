"""Renewal reminders: company admins hear 90, 45, 30 and 4 days before the end, once
per step, through the task queue; staff get a report."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from catalog.models import RenewalReminder
from catalog.services import due_step, renewal_reminders_send, renewal_report_send
from tests.catalog.factories import ProductFactory, SubscriptionFactory

TODAY = datetime.date(2026, 6, 1)


def ending_in(days, company, **kwargs):
    return SubscriptionFactory(
        company=company,
        product=ProductFactory(code="revit", name="Revit"),
        start_date=TODAY - datetime.timedelta(days=300),
        end_date=TODAY + datetime.timedelta(days=days),
        **kwargs,
    )


@pytest.mark.parametrize(
    "days_left, step",
    [
        (120, None),
        (90, 90),
        (60, 90),
        (45, 45),
        (31, 45),
        (30, 30),
        (5, 30),
        (4, 4),
        (0, 4),
    ],
)
def test_due_step_is_the_smallest_step_not_yet_passed(days_left, step):
    assert due_step(days_left=days_left, steps=[90, 45, 30, 4]) == step


def test_each_step_is_sent_once_to_company_admins(admin_a, member_a):
    sub = ending_in(90, admin_a.company, autodesk_id="R-1")
    first = renewal_reminders_send(today=TODAY)
    assert first.sent == [("R-1", 90)]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["admin@a.example"]  # not the member
    assert "R-1" in mail.outbox[0].body and "dans 90 jours" in mail.outbox[0].body

    # The worker runs again the same day, and on the following days: nothing new.
    for offset in range(0, 50):
        renewal_reminders_send(today=TODAY + datetime.timedelta(days=offset))
    assert len(mail.outbox) == 2  # and the 45-day step, 45 days later
    assert list(
        RenewalReminder.objects.filter(subscription=sub)
        .order_by("-days_before")
        .values_list("days_before", flat=True)
    ) == [90, 45]


def test_a_late_first_run_sends_only_the_current_step(admin_a):
    ending_in(40, admin_a.company, autodesk_id="R-2")
    run = renewal_reminders_send(today=TODAY)
    assert run.sent == [("R-2", 45)]  # not 90 as well


def test_renewed_subscription_is_reminded_again_for_its_new_term(admin_a):
    sub = ending_in(30, admin_a.company)
    renewal_reminders_send(today=TODAY)
    sub.end_date += datetime.timedelta(days=365)
    sub.save()
    next_year = sub.end_date - datetime.timedelta(days=30)
    assert renewal_reminders_send(today=next_year).emails == 1
    assert len(mail.outbox) == 2


def test_one_email_per_company_listing_its_subscriptions(admin_a, member_b):
    ending_in(30, admin_a.company, autodesk_id="A-30")
    ending_in(4, admin_a.company, autodesk_id="A-4")
    ending_in(4, member_b.company, autodesk_id="B-4")  # B has no admin
    run = renewal_reminders_send(today=TODAY)
    assert len(mail.outbox) == 1
    assert "A-30" in mail.outbox[0].body and "A-4" in mail.outbox[0].body
    assert "B-4" not in mail.outbox[0].body
    assert run.skipped_no_admin == ["B-4"]
    assert not RenewalReminder.objects.filter(subscription__autodesk_id="B-4")


def test_cancelled_and_expired_subscriptions_are_not_reminded(admin_a):
    ending_in(30, admin_a.company, is_cancelled=True)
    ending_in(-1, admin_a.company)
    assert renewal_reminders_send(today=TODAY).emails == 0


def test_steps_are_configurable(admin_a, settings):
    settings.CATALOG_RENEWAL_REMINDER_DAYS = [60, 7]
    ending_in(50, admin_a.company, autodesk_id="R-3")
    assert renewal_reminders_send(today=TODAY).sent == [("R-3", 60)]


def test_command_sends_through_the_task_queue(admin_a):
    today = timezone.localdate()
    SubscriptionFactory(
        company=admin_a.company,
        start_date=today - datetime.timedelta(days=300),
        end_date=today + datetime.timedelta(days=4),
    )
    call_command("send_renewal_reminders")
    call_command("send_renewal_reminders")
    assert len(mail.outbox) == 1
    assert "J-4" in mail.outbox[0].subject


def test_staff_report_lists_subscriptions_expiring_soon(staff, company_a, company_b):
    ending_in(20, company_a, autodesk_id="A-20")
    ending_in(80, company_b, autodesk_id="B-80")
    ending_in(200, company_b, autodesk_id="B-200")
    assert renewal_report_send(today=TODAY) == 2
    report = mail.outbox[0]
    assert report.to == [staff.email]
    assert "A-20" in report.body and "B-80" in report.body
    assert "B-200" not in report.body

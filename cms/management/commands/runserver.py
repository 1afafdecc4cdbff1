"""``manage.py runserver`` (``make run``) with a listen queue for a few dozen
clients that connect at once: Django's development server queues 10 connections,
and the eleventh client of a burst has its connection reset (``python -m
bench.concurrency`` showed it with 50 clients). Static files are served as by
``django.contrib.staticfiles``' command, which this one extends."""

from django.contrib.staticfiles.management.commands.runserver import (
    Command as StaticfilesRunserverCommand,
)
from django.core.servers.basehttp import WSGIServer


class DevServer(WSGIServer):
    request_queue_size = 128


class Command(StaticfilesRunserverCommand):
    server_cls = DevServer

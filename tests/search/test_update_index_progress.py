"""``update_index`` shows a progress bar of objects on a terminal only."""

import io

from catalog.models import Product
from search.management.commands.update_index import Command
from tests.catalog.factories import ProductFactory


class Terminal(io.StringIO):
    def isatty(self):
        return True


def index_products(stdout):
    command = Command(stdout=stdout)
    command.verbosity = 1
    chunks = command.queryset_chunks(Product.objects.all(), chunk_size=2)
    return sum(len(chunk) for chunk in command.print_iter_progress(chunks))


def test_bar_counts_objects_to_the_total_on_a_terminal(db):
    ProductFactory.create_batch(5)
    terminal = Terminal()
    assert index_products(terminal) == 5
    final = terminal.getvalue().split("\r")[-1]
    assert final.startswith("catalog.Product: 100%") and "| 5/5 " in final
    assert final.endswith("\n")


def test_dots_off_a_terminal(db):
    ProductFactory.create_batch(5)
    plain = io.StringIO()
    assert index_products(plain) == 5
    assert plain.getvalue() == "..."

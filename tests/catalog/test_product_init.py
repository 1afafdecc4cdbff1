"""Products loaded from the database skip modelcluster's keyword handling; built
with child relations they still get them."""

from catalog.models import Product, ProductRelease


def test_a_product_loaded_from_the_database_is_whole(db):
    Product.objects.create(name="Revit", code="revit", family="AEC")
    loaded = Product.objects.get(code="revit")
    assert (loaded.name, loaded.family, loaded.is_collection) == ("Revit", "AEC", False)
    assert Product.objects.only("code").get().name == "Revit"  # deferred, then read


def test_a_product_built_with_its_releases_keeps_them(db):
    product = Product(
        name="AutoCAD", code="autocad", releases=[ProductRelease(version="2026")]
    )
    product.save()
    assert list(
        Product.objects.get(code="autocad").releases.values_list("version", flat=True)
    ) == ["2026"]

"""The blocks an engineer composes an article from; each is typed in GraphQL."""

from django.utils.translation import gettext_lazy as _
from grapple.helpers import register_streamfield_block
from grapple.models import (
    GraphQLDocument,
    GraphQLImage,
    GraphQLRichText,
    GraphQLString,
)
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

CODE_LANGUAGES = [
    ("text", "Texte"),
    ("powershell", "PowerShell"),
    ("batch", "Batch (cmd)"),
    ("lisp", "AutoLISP"),
    ("csharp", "C# (.NET API)"),
    ("python", "Python"),
    ("dynamo", "Dynamo"),
    ("xml", "XML"),
    ("ini", "INI / fichier de licence"),
    ("sql", "SQL"),
    ("json", "JSON"),
]


@register_streamfield_block
class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Titre"))
    level = blocks.ChoiceBlock(
        choices=[("h2", "H2"), ("h3", "H3"), ("h4", "H4")],
        default="h2",
        label=_("Niveau"),
    )

    graphql_fields = [GraphQLString("text"), GraphQLString("level")]

    class Meta:
        icon = "title"
        label = _("Intertitre")


@register_streamfield_block
class CodeBlock(blocks.StructBlock):
    language = blocks.ChoiceBlock(
        choices=CODE_LANGUAGES, default="text", label=_("Langage")
    )
    code = blocks.TextBlock(label=_("Code"))
    caption = blocks.CharBlock(required=False, label=_("Légende"))

    graphql_fields = [
        GraphQLString("language"),
        GraphQLString("code"),
        GraphQLString("caption"),
    ]

    class Meta:
        icon = "code"
        label = _("Code")


@register_streamfield_block
class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        choices=[
            ("info", _("Information")),
            ("tip", _("Astuce")),
            ("warning", _("Attention")),
            ("danger", _("Danger")),
        ],
        default="info",
        label=_("Type"),
    )
    title = blocks.CharBlock(required=False, label=_("Titre"))
    text = blocks.RichTextBlock(
        features=["bold", "italic", "link", "code"], label=_("Texte")
    )

    graphql_fields = [
        GraphQLString("kind"),
        GraphQLString("title"),
        GraphQLRichText("text"),
    ]

    class Meta:
        icon = "warning"
        label = _("Encadré")


@register_streamfield_block
class FigureBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    caption = blocks.CharBlock(required=False, label=_("Légende"))
    alt = blocks.CharBlock(required=False, label=_("Texte alternatif"))

    graphql_fields = [
        GraphQLImage("image"),
        GraphQLString("caption"),
        GraphQLString("alt"),
    ]

    class Meta:
        icon = "image"
        label = _("Image")


@register_streamfield_block
class AttachmentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(required=False, label=_("Intitulé"))

    graphql_fields = [GraphQLDocument("document"), GraphQLString("title")]

    class Meta:
        icon = "doc-full"
        label = _("Fichier joint")


@register_streamfield_block
class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Étape"))
    text = blocks.RichTextBlock(
        required=False, features=["bold", "italic", "link", "code"], label=_("Texte")
    )

    graphql_fields = [GraphQLString("title"), GraphQLRichText("text")]

    class Meta:
        icon = "list-ol"
        label = _("Étape")


@register_streamfield_block
class ProcedureBlock(blocks.StructBlock):
    title = blocks.CharBlock(required=False, label=_("Titre"))
    steps = blocks.ListBlock(StepBlock(), label=_("Étapes numérotées"))

    graphql_fields = [GraphQLString("title")]

    class Meta:
        icon = "list-ol"
        label = _("Procédure")


class ArticleBodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=["h3", "bold", "italic", "link", "ol", "ul", "code", "document-link"],
        label=_("Texte"),
    )
    code = CodeBlock()
    callout = CalloutBlock()
    image = FigureBlock()
    attachment = AttachmentBlock()
    video = EmbedBlock(label=_("Vidéo"), icon="media")
    table = TableBlock(label=_("Tableau"))
    procedure = ProcedureBlock()

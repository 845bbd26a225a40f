"""Letter rendering: user text stays data, formats, locale-aware dates and amounts, legal mentions."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from plainte.compose import render_letter
from plainte.interview import build_case
from plainte.resources import PACKAGE_DIR

EXAMPLES = PACKAGE_DIR.parent.parent / "examples"
TODAY = dt.date(2026, 11, 21)
INJECTIONS = ["{{ 7*7 }}", "{% raw %}x{% endraw %}", "{{ ''.__class__.__mro__ }}", "<script>alert(1)</script>", "[bold]x[/bold]", "**x** _y_"]


def answers(**changes):
    data = yaml.safe_load((EXAMPLES / "already-paid.yaml").read_text(encoding="utf-8"))
    for key, value in changes.items():
        data[key] = value
    return data


@pytest.mark.parametrize("name", INJECTIONS)
def test_user_text_is_never_a_template(cat, name):
    data = answers()
    data["sender"]["name"] = name
    data["facts"]["description"] = name
    case = build_case(data, cat, today=TODAY)
    txt = render_letter(case, cat, "txt")
    assert txt.count(name) >= 2  # verbatim, in the sender block and in the description
    html = render_letter(case, cat, "html")
    assert "<script>" not in html
    if "<" in name:
        assert "&lt;script&gt;" in html


def test_markdown_escapes_user_text(cat):
    data = answers()
    data["facts"]["description"] = "**not bold** _not italic_"
    md = render_letter(build_case(data, cat, today=TODAY), cat, "md")
    assert r"\*\*not bold\*\*" in md


@pytest.mark.parametrize("lang,amount,day", [
    ("fr", "245,80\u00a0€", "3 novembre 2026"),
    ("nl", "€\u00a0245,80", "3 november 2026"),
    ("en", "€245.80", "3 November 2026"),
])
def test_amounts_and_dates_in_the_letter_locale(cat, lang, amount, day):
    case = build_case(answers(language=lang), cat, today=TODAY)
    txt = render_letter(case, cat, "txt")
    assert amount in txt and day in txt


def test_first_of_month_in_french(cat):
    data = answers(language="fr")
    data["facts"]["payment-date"] = "2026-10-01"
    assert "1er octobre 2026" in render_letter(build_case(data, cat, today=TODAY), cat, "txt")


@pytest.mark.parametrize("lang,mode_line", [("fr", "RECOMMANDÉ"), ("nl", "AANGETEKEND"), ("en", "REGISTERED MAIL")])
def test_registered_line(cat, lang, mode_line):
    case = build_case(answers(language=lang), cat, today=TODAY)
    assert mode_line in render_letter(case, cat, "txt")
    plain = build_case(answers(language=lang, sending="post"), cat, today=TODAY)
    assert mode_line not in render_letter(plain, cat, "txt")


def test_collector_letter_says_copy_to_creditor(cat):
    txt = render_letter(build_case(answers(language="en"), cat, today=TODAY), cat, "txt")
    assert "Copy: Proximus SA (creditor)" in txt


def test_missing_required_proof_will_follow(cat):
    data = answers(language="en", evidence=[])
    txt = render_letter(build_case(data, cat, today=TODAY), cat, "txt")
    assert "will follow" in txt and "Enclosed is a bank statement" not in txt


def test_html_is_a_printable_page(cat):
    html = render_letter(build_case(answers(), cat, today=TODAY), cat, "html")
    assert html.lstrip().startswith("<!DOCTYPE html>") and "@page { size: A4" in html
    assert 'class="window"' in html


def test_html_print_stylesheet_puts_the_address_in_the_envelope_window(cat):
    # printed, the recipient block must fall where a DL / C5/6 right-hand window shows it, as in the PDF
    import re

    html = render_letter(build_case(answers(), cat, today=TODAY), cat, "html")
    css = html[html.index("<style>"):html.index("</style>")]
    print_css = css[:css.index("@media screen")]
    page = re.search(r"@page \{ size: A4; margin: (\d+)mm (\d+)mm (\d+)mm (\d+)mm; \}", print_css)
    first = re.search(r"@page :first \{ margin-top: (\d+); \}", print_css)
    window = re.search(r"\.window \{ position: absolute; top: (\d+)mm; left: (\d+)mm; width: (\d+)mm; height: (\d+)mm;", print_css)
    assert page and first and window
    left = int(page.group(4)) + int(window.group(2))
    top = int(first.group(1)) + int(window.group(1))
    assert 105 <= left and left + int(window.group(3)) <= 195  # inside the 100 mm window, 20 mm from the right edge
    assert 50 <= top and top + int(window.group(4)) <= 95  # inside the 45 mm window, 50 mm from the top
    assert int(page.group(1)) >= 10  # pages after the first keep a top margin
    assert html.index('class="window"') < html.index("RECOMMANDÉ") < html.index("Avenue de la Liberté")


def flat(text):
    """The letter's words on one line: assertions do not depend on where a sentence wraps."""
    return " ".join(text.split())


def social_worker(evidence):
    return answers(language="en", writer_role="social-worker", organisation="CPAS de Forest", evidence=evidence,
                   client={"name": "Jean Client", "street": "Rue du Curé 2", "postal_code": "1190", "city": "Forest", "country": "BE"})


def test_social_worker_letter_names_the_client_and_the_mandate_honestly(cat):
    enclosed = render_letter(build_case(social_worker(["mandate", "proof-of-payment"]), cat, today=TODAY), cat, "txt")
    assert "written mandate to act in this matter (copy enclosed)" in flat(enclosed)
    assert "- Mandate signed by the client" in enclosed
    assert "Jean Client\nRue du Curé 2\n1190 Forest" in enclosed  # the client's details, for the file
    without = render_letter(build_case(social_worker(["proof-of-payment"]), cat, today=TODAY), cat, "txt")
    assert "(copy enclosed)" not in flat(without) and "- Mandate signed by the client" not in without
    assert "The following document will follow as soon as I have it: mandate signed by the client." in flat(without)


@pytest.mark.parametrize("lang, wording, gendered", [
    ("fr", "Je vous écris au nom de notre service social (CPAS de Forest) : Jean Client nous a donné un mandat écrit",
     ("travailleur", "travailleuse", "assistant social", "assistante sociale")),
    ("nl", "Ik schrijf u namens onze sociale dienst (CPAS de Forest), in opdracht van Jean Client, die ons schriftelijk heeft gemachtigd",
     ("maatschappelijk werker", "maatschappelijk werkster")),
    ("en", "I am writing to you on behalf of our social service (CPAS de Forest), for Jean Client, who has given us a written mandate",
     ("social worker",)),
])
def test_social_worker_letter_fits_any_social_worker(cat, lang, wording, gendered):
    data = social_worker(["mandate", "proof-of-payment"])
    data["language"] = lang
    text = flat(render_letter(build_case(data, cat, today=TODAY), cat, "txt"))
    assert wording in text
    assert not any(g in text.lower() for g in gendered)
    assert "en ma qualité" not in text


def test_payment_plan_asks_for_an_answer_before_the_first_payment(cat):
    data = yaml.safe_load((EXAMPLES / "payment-plan.yaml").read_text(encoding="utf-8"))
    data["language"] = "en"
    txt = flat(render_letter(build_case(data, cat, today=TODAY), cat, "txt"))
    assert "As the first payment is proposed for 10 December 2026" in txt and "by 25 January 2027" not in txt
    data["facts"]["first-payment-date"] = "2027-02-10"  # after the answer date: the usual line
    later = flat(render_letter(build_case(data, cat, today=TODAY), cat, "txt"))
    assert "by 25 January 2027 at the latest" in later and "As the first payment" not in later


def test_mediation_request_says_all_correspondence_only_when_it_is_all_there(cat):
    data = yaml.safe_load((EXAMPLES / "mediation-request.yaml").read_text(encoding="utf-8"))
    data["language"] = "en"
    full = flat(render_letter(build_case(data, cat, today=TODAY), cat, "txt"))
    assert "Copies of all the correspondence with Belfius Bank are enclosed." in full
    data["evidence"] = ["complaint-copy", "institution-answer"]  # the proof of sending is still to come
    part = flat(render_letter(build_case(data, cat, today=TODAY), cat, "txt"))
    assert "all the correspondence" not in part and "as listed below" in part and "will follow" in part


def test_single_stop_keeps_an_ellipsis_and_markup():
    from markupsafe import Markup

    from plainte.letters import single_stop

    assert single_stop("The creditor is Acme Ltd.. Next.") == "The creditor is Acme Ltd. Next."
    assert single_stop("It ends with Acme Ltd..") == "It ends with Acme Ltd."
    assert single_stop("Wait... and etc....") == "Wait... and etc..."
    assert single_stop("(Acme Ltd..)") == "(Acme Ltd.)"
    fixed = single_stop(Markup("Acme &amp; Co Ltd.."))
    assert isinstance(fixed, Markup) and fixed == Markup("Acme &amp; Co Ltd.")


@pytest.mark.parametrize("example", ["service-disputed", "debt-mediation", "invoice-not-received"])
@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_a_value_ending_in_a_full_stop_gives_one_full_stop(cat, example, lang):
    # the creditor ends a sentence in one language and sits mid-sentence in another: one full stop either way
    data = yaml.safe_load((EXAMPLES / f"{example}.yaml").read_text(encoding="utf-8"))
    data["language"] = lang
    data["facts"]["creditor"] = "Acme Ltd."
    if data.get("client"):
        data["client"]["name"] += " Sr."
    case = build_case(data, cat, today=TODAY)
    for fmt in ("txt", "md", "html"):
        text = render_letter(case, cat, fmt)
        assert "Acme Ltd." in text
        assert ".." not in text.replace("...", ""), fmt


def test_documents_that_will_follow_agree_in_number(cat):
    data = yaml.safe_load((EXAMPLES / "invoice-after-cancellation.yaml").read_text(encoding="utf-8"))
    data["language"] = "fr"
    one = flat(render_letter(build_case(data, cat, today=TODAY), cat, "txt"))
    assert "Le document suivant vous sera transmis dès que je l'aurai en ma possession : facture contestée." in one
    data["evidence"] = []
    case = build_case(data, cat, today=TODAY)
    many = flat(render_letter(case, cat, "txt"))
    assert "Les documents suivants vous seront transmis dès que je les aurai en ma possession :" in many
    assert "Le document suivant" not in many


_WORD = st.text(alphabet=st.sampled_from("abcdéëç€’«»-.,\xa0\u202f"), min_size=1, max_size=90).filter(str.strip)  # textwrap drops a word of no-break spaces only


@given(words=st.lists(_WORD, max_size=40), gaps=st.lists(st.sampled_from([" ", "  ", "\t", " \r "]), min_size=40, max_size=40),
       width=st.sampled_from([78, 40, 10, 1]), edges=st.booleans())
def test_wrap_line_is_textwrap_without_breaking_words(words, gaps, width, edges):
    """The fast wrap gives textwrap's greedy result (words never broken, no-break spaces never split), and
    collapses runs of ASCII white space to one space."""
    import textwrap

    from plainte.letters import wrap_line

    line = "".join(w + g for w, g in zip(words, gaps)).rstrip(" \t\r")
    if edges:
        line = "  " + line + " \t"
    expected = textwrap.fill(" ".join(words), width, break_long_words=False, break_on_hyphens=False)
    assert wrap_line(line, width) == expected


_PARA_PIECE = st.sampled_from(["a", "bb", "é€", " ", "  ", "\n", "\n\n", " \n ", "\t", "\r", "\x0b", "\x0c", "\xa0", "\u202f",
                              "x" * 30, "y" * 77, "z" * 78, "w" * 79, "v" * 85, "."])


@given(pieces=st.lists(_PARA_PIECE, max_size=60))
def test_plain_text_paragraph_is_each_line_wrapped(pieces):
    """The one-pass wrap of a paragraph gives what wrapping each of its lines gives (blank lines kept)."""
    from plainte.letters import _para_txt, wrap_line

    text = "".join(pieces)
    assert _para_txt(text) == "\n".join(wrap_line(line) for line in text.strip().split("\n")) + "\n\n"


def test_languages_share_compiled_templates_not_their_amounts(cat):
    """The three languages share each template's compiled code; an amount written in the template itself (the
    legal maximum of damages) is still formatted in each letter's own language."""
    from decimal import Decimal

    from plainte.letters import environment, format_money

    data = yaml.safe_load((EXAMPLES / "excessive-costs.yaml").read_text(encoding="utf-8"))
    for lang in ("fr", "en", "nl"):
        data["language"] = lang
        letter = render_letter(build_case(data, cat, today=TODAY), cat, "txt")  # no-break spaces kept: not flat()
        assert format_money(Decimal("2000.00"), lang) in letter, lang
    template = "disputes/excessive-costs.j2"
    codes = {lang: environment("txt", lang).get_template(template).root_render_func.__code__ for lang in ("fr", "nl", "en")}
    assert codes["fr"] is codes["nl"] is codes["en"]


@pytest.mark.parametrize("fmt", ["txt", "html"])
def test_letter_environment_stays_sandboxed_and_strict(fmt):
    """The letters' own gettext is called without inspection; everything else still goes through the sandbox."""
    from jinja2.exceptions import SecurityError, UndefinedError
    from jinja2.sandbox import SandboxedEnvironment, unsafe

    from plainte.letters import environment

    env = environment(fmt, "fr")
    assert isinstance(env, SandboxedEnvironment)

    @unsafe
    def delete_everything():
        raise AssertionError("called")

    with pytest.raises(SecurityError):
        env.from_string("{{ f() }}").render(f=delete_everything)
    with pytest.raises(SecurityError):
        env.from_string("{{ ''.__class__.__mro__[1].__subclasses__() }}").render()
    with pytest.raises(UndefinedError):
        env.from_string("{{ nothing }}").render()
    escaped = env.from_string('{{ gettext("%(x)s!", x=v) }}').render(v="<b>")
    assert escaped == ("&lt;b&gt;!" if fmt == "html" else "<b>!")
    # a dict's attribute reads its item; its own attributes still go through the sandbox's checks
    assert env.from_string("{{ d.name }}|{{ d.items()|list|length }}").render(d={"name": "N", "items": 1}) == "N|2"
    with pytest.raises(SecurityError):
        env.from_string("{{ d.__class__.__subclasses__() }}").render(d={"__class__": 1})
    with pytest.raises(UndefinedError):
        env.from_string("{{ d.absent }}").render(d={})


@pytest.fixture
def fresh_templates():
    """As in a new process: no environment, no compiled template in memory (restored afterwards)."""
    from plainte import letters

    def clear():
        letters.environment.cache_clear()
        letters._shared_code.cache_clear()

    clear()
    yield clear
    clear()


def test_compiled_templates_are_kept_between_runs(cat, tmp_path, monkeypatch, fresh_templates):
    """A new process loads the compiled letters from the cache folder instead of compiling them; a damaged file or
    a folder it cannot write only means compiling again, with the same letter."""
    import stat

    from jinja2 import Environment

    folder = tmp_path / "cache"
    monkeypatch.setenv("PLAINTE_CACHE_DIR", str(folder))
    case = build_case(answers(), cat, today=dt.date(2026, 11, 21))
    first = render_letter(case, cat, "txt")
    kept = sorted(folder.glob("templates-txt-*/*.code"))
    assert kept and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in kept)
    assert stat.S_IMODE(kept[0].parent.stat().st_mode) == 0o700

    fresh_templates()
    real_compile = Environment.compile
    monkeypatch.setattr(Environment, "compile", lambda *a, **k: pytest.fail("compiled again"))
    assert render_letter(case, cat, "txt") == first  # loaded, not compiled

    fresh_templates()
    monkeypatch.setattr(Environment, "compile", real_compile)
    for path in kept:
        path.write_bytes(b"damaged")
    assert render_letter(case, cat, "txt") == first
    assert all(path.read_bytes() != b"damaged" for path in kept)  # read, found damaged, compiled and written again

    fresh_templates()  # a folder others may write in (PLAINTE_CACHE_DIR set to a shared place): never used
    shared = tmp_path / "shared" / kept[0].parent.name
    shared.mkdir(parents=True)
    shared.chmod(0o777)
    monkeypatch.setenv("PLAINTE_CACHE_DIR", str(shared.parent))
    assert render_letter(case, cat, "txt") == first and not list(shared.iterdir())

    fresh_templates()
    monkeypatch.setenv("PLAINTE_CACHE_DIR", str(tmp_path / "file"))
    (tmp_path / "file").write_text("not a folder")
    assert render_letter(case, cat, "txt") == first
    monkeypatch.setenv("PLAINTE_CACHE_DIR", "")  # no folder at all
    fresh_templates()
    assert render_letter(case, cat, "txt") == first


def test_compiled_templates_of_an_earlier_version_are_removed(cat, tmp_path, monkeypatch, fresh_templates):
    folder = tmp_path / "cache"
    older, other_format = folder / "templates-txt-0123456789abcdef", folder / "templates-html-0123456789abcdef"
    for old in (older, other_format):
        old.mkdir(parents=True)
        (old / "x.code").write_bytes(b"old")
    monkeypatch.setenv("PLAINTE_CACHE_DIR", str(folder))
    render_letter(build_case(answers(), cat, today=dt.date(2026, 11, 21)), cat, "txt")
    assert not older.exists() and other_format.exists()  # only the format this process made its folder for
    assert [p.name.startswith("templates-txt-") for p in folder.iterdir()].count(True) == 1


def test_compiled_templates_depend_on_the_letter_environment(tmp_path):
    from plainte.template_cache import fingerprint

    one, other = tmp_path / "a.py", tmp_path / "b.py"
    one.write_text("x = 1")
    other.write_text("x = 2")
    assert fingerprint(str(one)) != fingerprint(str(other))  # plainte's letter set-up changed: compiled again
    assert fingerprint(str(tmp_path / "missing.py")) is None  # cannot tell: nothing is kept
